import Foundation
import LossSpec

/// The tolerance model (Docs/Tolerance.md).
///
/// An element passes when `|got − expected| ≤ budget · u · max(scale, |expected|, tiny)`, where u
/// is the implementation's unit roundoff, `scale` the Reference's bound on the magnitudes that
/// enter the element's rounding error, and `tiny` the type's smallest normal number. The
/// normalized error `|got − expected| / (u · max(scale, |expected|, tiny))` is what reports show;
/// `budget` is per loss and compute type.
///
/// This is the only place results are compared: the checker and the fuzzer's properties both call
/// `normalizedError` and `compare`.
public enum Tolerance {
    /// Budgets in units of the implementation's unit roundoff, and why.
    ///
    /// - float64 (the Reference): checked against vectors it wrote itself, so a difference comes
    ///   from a changed libm or a changed summation order; 16 units of the scale cover both.
    /// - narrower types: a few roundings per element plus a blocked sum whose error the scale
    ///   (Σ|terms|) bounds up to a small multiple of u: 32. Losses whose elements go through exp or
    ///   log (vector kernels of up to 4 ulp) or, for CTC, a T-step recursion of log-sum-exps whose
    ///   absolute error the scale accumulates (Σ_t max|lp|): 64. Fast measured at most 5.3.
    public static func budget(loss: LossKind, computeType: ComputeType) -> Double {
        if computeType == .float64 { return 16 }
        switch loss {
        case .ctcLoss,
             .crossEntropy, .nllLoss, .klDiv, .poissonNLLLoss, .gaussianNLLLoss,
             .binaryCrossEntropy, .binaryCrossEntropyWithLogits, .softMarginLoss,
             .multilabelSoftMarginLoss, .cosineEmbeddingLoss, .tripletMarginLoss,
             .tripletMarginWithDistanceLoss:
            return 64
        default: return 32
        }
    }

    /// Normalized error of one element.
    ///
    /// 0 for equal values (NaN = NaN, equal infinities), and 0 for ±inf where the exact value
    /// rounds to that infinity in `computeType` (beyond its overflow threshold, with the same
    /// sign); +inf when one side is NaN or infinite and the other is not the same.
    public static func normalizedError(got: Double, expected: Double, scale: Double, computeType: ComputeType) -> Double {
        if got == expected || (got.isNaN && expected.isNaN) { return 0 }
        if got.isInfinite, expected.isFinite, abs(expected) >= computeType.overflowThreshold,
           (got > 0) == (expected > 0) { return 0 }
        if !got.isFinite || !expected.isFinite { return .infinity }
        let u = computeType.unitRoundoff
        let denominator = u * max(scale.isFinite ? abs(scale) : 0, abs(expected), computeType.leastNormalMagnitude)
        return abs(got - expected) / denominator
    }

    /// One element (or structural) mismatch.
    public struct Mismatch: Sendable, Hashable, Codable {
        public var role: String
        /// Flat element index, or nil for a structural problem (missing role, wrong shape, error kind).
        public var element: Int?
        public var expected: String
        public var got: String
        public var normalizedError: Double

        public init(role: String, element: Int?, expected: String, got: String, normalizedError: Double) {
            self.role = role
            self.element = element
            self.expected = expected
            self.got = got
            self.normalizedError = normalizedError
        }

        /// `role[i]: expected x, got y (normalized error e)`.
        public var description: String {
            let at = element.map { "\(role)[\($0)]" } ?? role
            let err = normalizedError.isFinite ? " (normalized error \(formatError(normalizedError)))" : ""
            return "\(at): expected \(expected), got \(got)\(err)"
        }
    }

    /// What comparing an implementation's result with the expected roles found.
    public struct Comparison: Sendable {
        /// The normalized error of every compared element, role by role in name order.
        public var errors: [Double] = []
        /// The largest normalized error (+inf after a structural mismatch).
        public var maxError = 0.0
        /// The element with the largest normalized error, passing or not.
        public var worst: Mismatch?
        /// Structural mismatches first, then every element over the budget, worst first.
        public var mismatches: [Mismatch] = []
        public var passed: Bool { mismatches.isEmpty }
    }

    /// Compares `got` with `expected`, role by role, under `budget`. Every expected role must be
    /// present with the same shape; roles the implementation returns beyond them are ignored.
    /// A scale missing for a role or an element counts as 0 (|expected| and `tiny` still apply).
    public static func compare(expected: [String: Tensor<Double>], scales: [String: Tensor<Double>],
                               got: [String: Tensor<Double>], computeType: ComputeType, budget: Double) -> Comparison {
        var c = Comparison()
        var over: [Mismatch] = []
        for (role, e) in expected.sorted(by: { $0.key < $1.key }) {
            guard let g = got[role] else {
                c.mismatches.append(Mismatch(role: role, element: nil, expected: "shape \(e.shape)", got: "missing",
                                             normalizedError: .infinity))
                c.maxError = .infinity
                continue
            }
            guard g.shape == e.shape else {
                c.mismatches.append(Mismatch(role: role, element: nil, expected: "shape \(e.shape)", got: "shape \(g.shape)",
                                             normalizedError: .infinity))
                c.maxError = .infinity
                continue
            }
            let scale = scales[role].flatMap { $0.count == e.count ? $0 : nil }
            for i in 0..<e.count {
                let err = normalizedError(got: g[i], expected: e[i], scale: scale?[i] ?? 0, computeType: computeType)
                c.errors.append(err)
                c.maxError = max(c.maxError, err)
                if !(err <= c.worst?.normalizedError ?? -1) {
                    c.worst = Mismatch(role: role, element: i, expected: format(e[i]), got: format(g[i]), normalizedError: err)
                }
                if !(err <= budget) {
                    over.append(Mismatch(role: role, element: i, expected: format(e[i]), got: format(g[i]), normalizedError: err))
                }
            }
        }
        c.mismatches += over.sorted { $0.normalizedError > $1.normalizedError }
        return c
    }

    /// A value as reports print it (`nan` rather than Swift's `nan` variants with payloads).
    public static func format(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }

    static func formatError(_ e: Double) -> String { String(format: "%.3g", e) }
}
