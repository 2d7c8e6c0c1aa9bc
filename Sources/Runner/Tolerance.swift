import LossSpec

/// The tolerance model of Docs/Tolerance.md.
///
/// An element passes when `|got − expected| ≤ budget · eps · max(scale, |expected|, tiny)`.
/// The normalized error `|got − expected| / (eps · max(scale, |expected|, tiny))` is what the
/// runner reports; `budget` is per loss and implementation.
public enum Tolerance {
    /// Budgets in units of the implementation's epsilon, and why.
    ///
    /// - Reference (eps64): the Reference is checked against vectors it wrote itself, so any
    ///   difference comes from a changed libm or a changed summation; 16 ulps of the scale covers
    ///   libm differences and compensated-sum order.
    /// - Fast (eps32): a few roundings per element plus a blocked float32 sum whose error is
    ///   bounded by the scale (Σ|terms|) times a small multiple of eps; transcendental kernels
    ///   (exp/log, ≤ 4 ulp) enter through a handful of operations. CTC runs a T-step recursion of
    ///   log-sum-exps whose absolute error its scale already accumulates (Σ_t max|lp|), so it
    ///   shares the exp/log budget; the Fast CTC measured ≤ 4.3 on the golden vectors.
    public static func budget(loss: LossKind, eps: Double) -> Double {
        if eps < 1e-10 { return 16 }
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

    /// The floor of the denominator: the smallest normal number of the implementation's type, so
    /// results that underflow to subnormals are judged on an absolute scale.
    public static func tiny(eps: Double) -> Double {
        eps < 1e-10 ? Double.leastNormalMagnitude : Double(Float.leastNormalMagnitude)
    }

    /// Normalized error of one element; 0 for equal values (including NaN = NaN and equal
    /// infinities), +inf when one side is NaN or infinite and the other is not the same.
    public static func normalizedError(got: Double, expected: Double, scale: Double, eps: Double) -> Double {
        if got == expected || (got.isNaN && expected.isNaN) { return 0 }
        if !got.isFinite || !expected.isFinite { return .infinity }
        let denominator = eps * max(scale.isFinite ? abs(scale) : 0, abs(expected), tiny(eps: eps))
        return abs(got - expected) / denominator
    }
}
