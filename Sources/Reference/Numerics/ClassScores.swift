import LossSpec

/// The `(batch, class, spatial)` view of an input that scores C classes per position, shared by the
/// class-indexed losses (NLL, CrossEntropy) and the multi-class margin losses.
///
/// NLL/CE read `(C)`, `(N,C)` or `(N,C,d1,…,dk)` with the class dimension 1 (0 for 1-D input);
/// a K-dim input is the same loss at every spatial position `(d1,…,dk)`, flattened to `S` positions
/// per sample. (The margin losses' layout is `MarginLossLayout` in LossSpec.)
struct ClassScores {
    /// N (1 for an unbatched input).
    let batch: Int
    /// C.
    let classes: Int
    /// S = d1·…·dk (1 without spatial dimensions).
    let spatial: Int
    /// The input's shape without the class dimension: the shape of a class-index target and of the
    /// unreduced loss of NLL/CE.
    let positionShape: [Int]

    /// N·S, the number of positions that each get one loss term.
    var positions: Int { batch * spatial }

    /// Flat row-major index of class `c` at position `p` (p = n·S + s).
    func index(position p: Int, class c: Int) -> Int {
        let n = p / spatial, s = p % spatial
        return (n * classes + c) * spatial + s
    }

    /// The layout of an NLL/CE input: rank ≥ 1, class dimension 1 (0 for 1-D input).
    static func classIndexed(input shape: [Int]) throws -> ClassScores {
        switch shape.count {
        case 0:
            throw LossError(.shapeMismatch, argument: "input",
                            "expected 1 or more dimensions (got 0): the input must be (C), (N, C) or (N, C, d1, …, dk)")
        case 1:
            return ClassScores(batch: 1, classes: shape[0], spatial: 1, positionShape: [])
        default:
            let spatialDims = Array(shape.dropFirst(2))
            return ClassScores(batch: shape[0], classes: shape[1], spatial: Shape.count(spatialDims),
                               positionShape: [shape[0]] + spatialDims)
        }
    }

    /// Checks a class-weight tensor: 1-D of length C (spec §3, §4, §18). `weight` of a 0-dim or
    /// 2-D shape is rejected even when it holds C elements, as PyTorch does.
    static func classWeight(_ weight: Tensor<Double>?, classes: Int) throws -> [Double]? {
        try MarginLossValidation.classWeight(shape: weight?.shape, classes: classes)
        return weight?.scalars
    }

    /// The class of every position of an NLL/CE index target, nil where it equals `ignoreIndex`.
    /// The ignore index is tested before the range check, so it may lie outside [0, C).
    func targetClasses(_ target: Tensor<Int64>, ignoreIndex: Int) throws -> [Int?] {
        try target.scalars.map { t in
            if t == Int64(ignoreIndex) { return nil }
            guard t >= 0, t < Int64(classes) else {
                throw LossError(.targetOutOfRange, argument: "target",
                                "target \(t) is out of bounds: class indices must lie in [0, \(classes)) or equal ignore_index (\(ignoreIndex))")
            }
            return Int(t)
        }
    }
}

/// The hinge test of the multi-class margin losses (spec §0.6, §12, §18).
enum MarginHinge {
    /// Whether the error scale must count a hinge term `z` whose parts have magnitude `parts`
    /// (|margin| + |x_target| + |x_other|): PyTorch's strict `z > 0` drops NaN and non-positive `z`,
    /// but a Float32 evaluation may see `z` up to a few eps32·parts above a slightly negative exact
    /// value, so a term that close to the kink may legitimately appear there with that magnitude.
    static func counts(z: Double, parts: Double) -> Bool {
        z > -4 * Double(Float.ulpOfOne) * parts
    }
}

extension ClassScores {
    /// Checks an NLL/CE class-index target against the input (spec §4 shapes): `()` or `(1)` for a
    /// `(C)` input, `(N)` for `(N, C)`, `(N, d1, …, dk)` for `(N, C, d1, …, dk)`.
    func checkIndexTarget(_ target: [Int], input: [Int]) throws {
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

/// The reduction of NLL and CrossEntropy with class-index targets: 'mean' divides by
/// `W = Σ_{valid n} w_{y_n}` (the count of valid positions without a weight), not by numel.
struct WeightSumReduction {
    let output: Tensor<Double>
    let outputScale: Tensor<Double>
    /// The upstream gradient of every position (`g_n`, `g` or `g/W`); nil without `grad_output`.
    let upstream: [Double]?
    /// The relative error of W (`Σ|w|/|W|`, 1 without cancellation), which every gradient of a
    /// 'mean' carries on top of its own.
    let gradientFactor: Double

    /// - Parameters:
    ///   - values, scales: the per-position loss and its error scale (0 at ignored positions).
    ///   - weightSum, weightAbsSum: `W` and `Σ_{valid n} |w_{y_n}|`.
    init(values: [Double], scales: [Double], shape: [Int], reduction: Reduction,
         weightSum: Double, weightAbsSum: Double, gradOutput: Tensor<Double>?) throws {
        var (output, outputScale) = Reduce.apply(values, scales: scales, shape: shape, reduction: reduction,
                                                 divisor: weightSum)
        // Negative weights can cancel in W; its relative error Σ|w|/|W| then multiplies the result's.
        // With no valid position (W = Σ|w| = 0) the result is NaN and there is nothing to scale.
        let isMean = reduction == .mean || reduction == .batchmean
        let factor = isMean && weightAbsSum > 0 ? weightAbsSum / abs(weightSum) : 1
        if isMean && factor != 1 {
            outputScale = Tensor(scalar: outputScale[0] + abs(output[0]) * factor)
        }
        self.output = output
        self.outputScale = outputScale
        self.gradientFactor = factor
        self.upstream = try Reduce.upstream(gradOutput, reduction: reduction, shape: shape, divisor: weightSum)
    }
}
