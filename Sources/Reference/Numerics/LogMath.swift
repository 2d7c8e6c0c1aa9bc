import Foundation

/// Stable logarithmic forms shared by the Reference losses.
enum LogMath {
    /// log σ(t) = min(t, 0) − log1p(exp(−|t|)): never overflows, and is accurate to a few ulps for
    /// every t (the log1p argument lies in (0, 1], so no cancellation). This is PyTorch's formula.
    static func logSigmoid(_ t: Double) -> Double {
        min(t, 0) - log1p(exp(-abs(t)))
    }

    /// σ(t) = 1/(1 + e^{−t}), evaluated on the side where the exponential cannot overflow.
    static func sigmoid(_ t: Double) -> Double {
        if t >= 0 { return 1 / (1 + exp(-t)) }
        let e = exp(t)
        return e / (1 + e)
    }

    /// log Σ exp(xᵢ), max-shifted: exact for all-(−inf) input (→ −inf), propagates NaN and +inf.
    /// The shifted terms are ≤ 1, so the compensated sum has no overflow and relative error ~u.
    static func logSumExp(_ xs: some Collection<Double>) -> Double {
        guard let m = xs.max(), !xs.contains(where: { $0.isNaN }) else {
            return xs.isEmpty ? -.infinity : .nan
        }
        if m == -.infinity { return -.infinity }
        if m == .infinity { return .infinity }
        var s = CompensatedSum()
        for x in xs { s.add(exp(x - m)) }
        return m + log(s.value)
    }

    /// a ⊕ b = log(eᵃ + eᵇ) with −inf ⊕ −inf = −inf (the CTC convention, Docs/Losses/ctc_loss.md).
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        if a.isNaN || b.isNaN { return .nan }
        let m = max(a, b)
        if m == .infinity { return .infinity }
        return m + log1p(exp(-abs(a - b)))
    }
}
