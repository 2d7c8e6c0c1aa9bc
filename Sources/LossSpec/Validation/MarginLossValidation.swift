/// The validated layout of a MultiMargin / MultiLabelMargin input: `()` (one sample, C = 1),
/// `(C)` (one sample) or `(N, C)`, stored row-major, so sample `n`'s scores are
/// `n·C ..< (n+1)·C` whatever the rank.
package struct MarginLossLayout: Sendable, Hashable {
    /// N (1 for a 0-dim or 1-D input).
    package let batch: Int
    /// C (1 for a 0-dim input).
    package let classes: Int
    /// The shape of the unreduced ('none') loss.
    package let outputShape: [Int]
}

/// Shape, option and index validation of `multi_margin_loss` and `multilabel_margin_loss`
/// (Docs/Losses/multilabel_margin_loss.md, Docs/Losses/multi_margin_loss.md), shared by the Reference and Fast so both raise the same error kind for the
/// same input, checked in the same order. No arithmetic on the scores.
package enum MarginLossValidation {
    /// The input's layout: rank ≤ 2, and C > 0 for a 1-/2-D input.
    ///
    /// - Throws: `shape_mismatch` for ≥ 3-D input, `empty_input` for C = 0.
    package static func layout(input shape: [Int]) throws -> (batch: Int, classes: Int) {
        switch shape.count {
        case 0:
            return (1, 1)
        case 1, 2:
            let c = shape[shape.count - 1]
            guard c > 0 else {
                throw LossError(.emptyInput, argument: "input",
                                "expected a non-empty vector or matrix with optional 0-dim batch size, got \(shape): the class dimension must not be 0")
            }
            return (shape.count == 1 ? 1 : shape[0], c)
        default:
            throw LossError(.shapeMismatch, argument: "input",
                            "expected a 0-dim scalar, a vector (C) or a matrix (N, C), got \(shape.count)-D shape \(shape)")
        }
    }

    /// Checks a class-weight tensor's shape: 1-D of length C (Docs/Losses/cross_entropy.md, Docs/Losses/nll_loss.md, Docs/Losses/multi_margin_loss.md). A 0-dim or 2-D
    /// weight is rejected even when it holds C elements, as PyTorch does.
    ///
    /// - Throws: `shape_mismatch` on `weight`.
    package static func classWeight(shape: [Int]?, classes: Int) throws {
        guard let shape else { return }
        guard shape.count == 1 else {
            throw LossError(.shapeMismatch, argument: "weight",
                            "must be one-dimensional with one entry per class (\(classes)), got shape \(shape)")
        }
        guard shape[0] == classes else {
            throw LossError(.shapeMismatch, argument: "weight",
                            "must be defined for all \(classes) classes or none, got \(shape[0]) entries")
        }
    }

    /// Validates the arguments of `multi_margin_loss` in PyTorch's order: p, input, target shape,
    /// weight. The target's values are checked by `classIndices(_:classes:)`.
    ///
    /// - Throws: `invalid_option` (p ∉ {1, 2}), `shape_mismatch`, `empty_input`.
    package static func multiMargin(input: [Int], target: [Int], weight: [Int]?, p: Double) throws -> MarginLossLayout {
        guard p == 1 || p == 2 else {
            throw LossError(.invalidOption, argument: "p", "only p == 1 and p == 2 are supported, got \(p)")
        }
        let (n, c) = try layout(input: input)
        guard target.count <= 1, Shape.count(target) == n else {
            throw LossError(.shapeMismatch, argument: "target",
                            "must be 0-dim or 1-D with one class index per sample: expected [\(n)], got \(target) for input \(input)")
        }
        try classWeight(shape: weight, classes: c)
        return MarginLossLayout(batch: n, classes: c, outputShape: target)
    }

    /// The class index of every sample as an `Int` in `[0, C)`.
    ///
    /// - Throws: `target_out_of_range` for any other value.
    package static func classIndices(_ target: [Int64], classes: Int) throws -> [Int] {
        try target.map { t in
            guard t >= 0, t < Int64(classes) else {
                throw LossError(.targetOutOfRange, argument: "target",
                                "target \(t) is out of range: class indices must lie in [0, \(classes))")
            }
            return Int(t)
        }
    }

    /// The least and greatest of `entries` in one serial pass (Int64.max, Int64.min when empty).
    package static func serialExtremes(_ entries: UnsafeBufferPointer<Int64>) -> (min: Int64, max: Int64) {
        var lo = Int64.max, hi = Int64.min
        for t in entries {
            lo = Swift.min(lo, t)
            hi = Swift.max(hi, t)
        }
        return (lo, hi)
    }

    /// Validates the arguments of `multilabel_margin_loss`: input, then a target of the input's
    /// shape (for a 0-/1-D input, any 0-/1-D target of C elements). Then checks every target entry,
    /// including those after a row's −1 terminator, lies in `[−1, C)`.
    ///
    /// `extremes` gives the least and greatest entry (Int64.max and Int64.min for none): the range
    /// check needs only those, and Fast computes them with SIMD on its threads, since a serial
    /// pass over an int64 target the size of the scores took as long as Fast's whole forward. The
    /// error then names the first entry outside the range, as the serial check did.
    ///
    /// - Throws: `shape_mismatch`, `empty_input`, `target_out_of_range`.
    package static func multilabelMargin(input: [Int], target: [Int], labels: [Int64],
                                         extremes: (UnsafeBufferPointer<Int64>) -> (min: Int64, max: Int64) = serialExtremes)
        throws -> MarginLossLayout {
        let (n, c) = try layout(input: input)
        let fits = input.count <= 1 ? target.count <= 1 && Shape.count(target) == c : target == input
        guard fits else {
            throw LossError(.shapeMismatch, argument: "target",
                            "inconsistent target size \(target) for input of size \(input): the target must have the input's shape")
        }
        let range = labels.withUnsafeBufferPointer(extremes)
        if range.min < -1 || range.max >= Int64(c), let t = labels.first(where: { $0 < -1 || $0 >= Int64(c) }) {
            throw LossError(.targetOutOfRange, argument: "target",
                            "entry \(t) is out of range: every entry must lie in [-1, \(c)), -1 ending a row's labels")
        }
        return MarginLossLayout(batch: n, classes: c, outputShape: input.count == 2 ? [n] : [])
    }
}
