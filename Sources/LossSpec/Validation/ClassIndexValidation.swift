/// The `(batch, class, spatial)` view of an input that scores C classes per position, shared by the
/// class-indexed losses (NLL, CrossEntropy) in both implementations: layout and validation only,
/// no arithmetic.
///
/// NLL/CE read `(C)`, `(N,C)` or `(N,C,d1,…,dk)` with the class dimension 1 (0 for 1-D input);
/// a K-dim input is the same loss at every spatial position `(d1,…,dk)`, flattened to `S` positions
/// per sample. (The margin losses' layout is `MarginLossLayout`.)
@_spi(Kernels) public struct ClassScores: Sendable, Hashable {
    /// N (1 for an unbatched input).
    public let batch: Int
    /// C.
    public let classes: Int
    /// S = d1·…·dk (1 without spatial dimensions).
    public let spatial: Int
    /// The input's shape without the class dimension: the shape of a class-index target and of the
    /// unreduced loss of NLL/CE.
    public let positionShape: [Int]

    public init(batch: Int, classes: Int, spatial: Int, positionShape: [Int]) {
        self.batch = batch
        self.classes = classes
        self.spatial = spatial
        self.positionShape = positionShape
    }

    /// N·S, the number of positions that each get one loss term.
    @inlinable public var positions: Int { batch * spatial }

    /// Flat row-major index of class `c` at position `p` (p = n·S + s).
    @inlinable
    public func index(position p: Int, class c: Int) -> Int {
        let n = p / spatial, s = p % spatial
        return (n * classes + c) * spatial + s
    }

    /// The layout of an NLL/CE input: rank ≥ 1, class dimension 1 (0 for 1-D input).
    public static func classIndexed(input shape: [Int]) throws -> ClassScores {
        switch shape.count {
        case 0:
            throw LossError(.shapeMismatch, argument: "input",
                            "expected 1 or more dimensions (got 0): the input must be (C), (N, C) or (N, C, d1, …, dk)")
        case 1:
            return ClassScores(batch: 1, classes: shape[0], spatial: 1, positionShape: [])
        default:
            let spatialDims = Array(shape.dropFirst(2))
            try Shape.checkMaterializable([shape[0]] + spatialDims, argument: "input", what: "the per-position loss shape")
            return ClassScores(batch: shape[0], classes: shape[1], spatial: Shape.count(spatialDims),
                               positionShape: [shape[0]] + spatialDims)
        }
    }

    /// Checks a class-weight tensor: 1-D of length C (Docs/Losses/cross_entropy.md, Docs/Losses/nll_loss.md, Docs/Losses/multi_margin_loss.md), and returns its elements.
    /// `weight` of a 0-dim or 2-D shape is rejected even when it holds C elements, as PyTorch does.
    public static func classWeight<S>(_ weight: Tensor<S>?, classes: Int) throws -> [S]? {
        try MarginLossValidation.classWeight(shape: weight?.shape, classes: classes)
        return weight?.scalars
    }

    /// The class of one NLL/CE index-target value, nil where it equals `ignoreIndex`. The ignore
    /// index is tested before the range check, so it may lie outside [0, C).
    @inlinable
    public func targetClass(_ t: Int64, ignoreIndex: Int) throws -> Int? {
        if t == Int64(ignoreIndex) { return nil }
        guard t >= 0, t < Int64(classes) else { throw outOfRange(t, ignoreIndex: ignoreIndex) }
        return Int(t)
    }

    /// `targetClass` of every position.
    public func targetClasses(_ target: Tensor<Int64>, ignoreIndex: Int) throws -> [Int?] {
        try target.scalars.map { try targetClass($0, ignoreIndex: ignoreIndex) }
    }

    @usableFromInline
    func outOfRange(_ t: Int64, ignoreIndex: Int) -> LossError {
        LossError(.targetOutOfRange, argument: "target",
                  "target \(t) is out of bounds: class indices must lie in [0, \(classes)) or equal ignore_index (\(ignoreIndex))")
    }

    /// Checks an NLL/CE class-index target against the input (Docs/Losses/nll_loss.md shapes): `()` or `(1)` for a
    /// `(C)` input, `(N)` for `(N, C)`, `(N, d1, …, dk)` for `(N, C, d1, …, dk)`.
    public func checkIndexTarget(_ target: [Int], input: [Int]) throws {
        if input.count == 1 {
            guard target.isEmpty || target == [1] else {
                throw LossError(.shapeMismatch, argument: "target",
                                "for a 1-D input (C) the target must be 0-dim or have shape [1], got \(target)")
            }
            return
        }
        guard let targetBatch = target.first, targetBatch == batch else {
            throw LossError(.shapeMismatch, argument: "target",
                            "expected input batch_size (\(batch)) to match target batch_size (\(target.first ?? 0)); target shape \(target)")
        }
        if input.count == 2, target.count != 1 {
            throw LossError(.shapeMismatch, argument: "target",
                            "a (N, C) input takes a 1-D target (N), got \(target.count)-D shape \(target); multi-target is not supported")
        }
        guard target == positionShape else {
            throw LossError(.shapeMismatch, argument: "target",
                            "expected target size \(positionShape) for input \(input), got \(target)")
        }
    }
}

/// The argument checks of `cross_entropy` (Docs/Losses/cross_entropy.md), in the order both implementations apply them.
package enum CrossEntropyValidation {
    /// Which interpretation the target's shape selects.
    package enum TargetKind: Sendable { case probabilities, indices }

    /// Checks everything but the class-index values (see `ClassScores.targetClass`): input rank,
    /// `label_smoothing ≤ 1`, the weight's shape, the target's dtype for the path its shape
    /// selects, `ignore_index < 0` with probabilities, and an index target's shape.
    ///
    /// - Parameter targetIsFloat: whether the target holds floating-point values.
    package static func check<W>(input: [Int], target: [Int], targetIsFloat: Bool, weight: Tensor<W>?,
                                ignoreIndex: Int, labelSmoothing: Double) throws -> (ClassScores, TargetKind, [W]?) {
        let layout = try ClassScores.classIndexed(input: input)
        guard !(labelSmoothing > 1) else {
            throw LossError(.invalidOption, argument: "label_smoothing",
                            "label_smoothing must be between 0.0 and 1.0, got \(labelSmoothing)")
        }
        let w = try ClassScores.classWeight(weight, classes: layout.classes)
        if target == input {
            guard targetIsFloat else {
                throw LossError(.invalidValue, argument: "target",
                                "a target shaped like the input holds class probabilities and must be float64, got int64")
            }
            guard ignoreIndex < 0 else {
                throw LossError(.invalidOption, argument: "ignore_index",
                                "ignore_index (\(ignoreIndex)) is not supported for class-probability targets; use a negative value")
            }
            return (layout, .probabilities, w)
        }
        guard !targetIsFloat else {
            throw LossError(.invalidValue, argument: "target",
                            "a target not shaped like the input \(input) holds class indices and must be int64, got float64 of shape \(target)")
        }
        try layout.checkIndexTarget(target, input: input)
        return (layout, .indices, w)
    }
}

/// The argument checks of `nll_loss` (Docs/Losses/nll_loss.md), in the order both implementations apply them.
package enum NLLValidation {
    /// Checks everything but the class-index values (see `ClassScores.targetClass`): input rank,
    /// the target's shape against the input, and the weight's shape; returns the layout and the
    /// weight's elements.
    package static func check<W>(input: [Int], target: [Int], weight: Tensor<W>?) throws -> (ClassScores, [W]?) {
        let layout = try ClassScores.classIndexed(input: input)
        try layout.checkIndexTarget(target, input: input)
        return (layout, try ClassScores.classWeight(weight, classes: layout.classes))
    }
}
