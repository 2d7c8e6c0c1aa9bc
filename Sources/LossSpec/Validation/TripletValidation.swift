/// The validated shapes of a triplet loss call (Docs/Losses/triplet_margin_loss.md, Docs/Losses/triplet_margin_with_distance_loss.md): `triplet_margin_loss` and
/// `triplet_margin_with_distance_loss` evaluate `f(a, p)`, `f(a, n)` and, with swap, `f(p, n)`,
/// each on its own pair's broadcast shape over the last dimension, then broadcast the distances.
/// Shared by the Reference and Fast; no arithmetic here.
package struct TripletShapes: Sendable {
    package static let argumentNames = ["anchor", "positive", "negative"]

    /// One distance: which two arguments, their broadcast shape and its batch part (all but the
    /// last dimension).
    package struct Pair: Sendable {
        package let first: Int, second: Int
        package let full: [Int]
        package var batch: [Int] { Array(full.dropLast()) }
        /// The last dimension of `full` (the distance's length).
        package var width: Int { full.last ?? 1 }
        package var names: String { "\(TripletShapes.argumentNames[first]), \(TripletShapes.argumentNames[second])" }
    }

    /// The arguments' shapes with 0-dim read as `[1]` (a one-element vector, as torch's norm and
    /// cosine_similarity treat it).
    package let shapes: [[Int]]
    /// (a, p), (a, n), and (p, n) with swap.
    package let pairs: [Pair]
    /// The broadcast shape of the distances: the unreduced loss's shape.
    package let output: [Int]

    /// - Parameter emptyRowsAllowed: whether the distance is defined over an empty last dimension
    ///   (false for p-norms with p < 0 or p = ±inf, which have no identity).
    /// - Throws, in PyTorch's order: `invalid_option` for margin ≤ 0 (a NaN margin passes);
    ///   `shape_mismatch` for unequal ndim, a pair that does not broadcast, or distances that do not
    ///   broadcast with each other (or whose sizes overflow); `empty_input` for an empty last
    ///   dimension when `emptyRowsAllowed` is false.
    package init(anchor: [Int], positive: [Int], negative: [Int], margin: Double, swap: Bool,
                emptyRowsAllowed: Bool) throws {
        // `margin <= 0` exactly as PyTorch writes it: a NaN margin passes and yields NaN.
        if margin <= 0 {
            throw LossError(.invalidOption, argument: "margin", "margin must be greater than 0, got \(margin)")
        }
        guard anchor.count == positive.count, positive.count == negative.count else {
            throw LossError(
                .shapeMismatch, argument: anchor.count != positive.count ? "positive" : "negative",
                "the anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor \(anchor.count)D, positive \(positive.count)D, and negative \(negative.count)D inputs")
        }
        let shapes = [anchor, positive, negative].map { $0.isEmpty ? [1] : $0 }
        var pairs: [Pair] = []
        for (first, second) in swap ? [(0, 1), (0, 2), (1, 2)] : [(0, 1), (0, 2)] {
            let (nx, ny) = (Self.argumentNames[first], Self.argumentNames[second])
            let full = try Shape.broadcast([(nx, shapes[first]), (ny, shapes[second])])
            let pair = Pair(first: first, second: second, full: full)
            // Empty tensors can carry sizes whose product (without the 0) overflows: refuse them.
            guard Shape.countIfRepresentable(pair.batch) != nil, Shape.countIfRepresentable(full) != nil else {
                throw LossError(.shapeMismatch, argument: ny, "the broadcast shape \(full) has too many elements")
            }
            try Shape.checkMaterializable(pair.batch, argument: ny, what: "the rows of distance(\(pair.names))")
            if pair.width == 0 && !emptyRowsAllowed {
                throw LossError(.emptyInput, argument: ny,
                                "cannot compute this norm over an empty last dimension (it has no identity); p ≥ 0 finite allows D = 0")
            }
            pairs.append(pair)
        }
        let output = try Shape.broadcast(pairs.map { ("distance(\($0.names))", $0.batch) })
        guard Shape.countIfRepresentable(output) != nil else {
            throw LossError(.shapeMismatch, argument: "negative", "the output shape \(output) has too many elements")
        }
        self.shapes = shapes
        self.pairs = pairs
        self.output = output
    }
}
