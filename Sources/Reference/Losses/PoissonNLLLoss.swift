import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Poisson negative log-likelihood, mirroring
    /// `torch.nn.functional.poisson_nll_loss(input, target, log_input, full, eps=1e-8, reduction)`.
    ///
    /// **Definition.** On the silently broadcast shape of input `x` and target `y`:
    /// - `log_input = true`: `l = exp(x) − y·x`;
    /// - `log_input = false`: `l = x − y·log(x + eps)` (eps is used only here);
    /// - `full`: `l += S(y)` with the Stirling term `S(y) = y·log y − y + ½·log(2π·y)`, computed for
    ///   every `y` and then masked to 0 where `y ≤ 1` (a NaN `y` is not masked).
    /// Nothing is validated: negative targets, `x + eps < 0` (NaN) and `exp` overflow pass through.
    ///
    /// **Reduction.** Generic. Only 'none', 'mean', 'sum': the functional compares strings, so the
    /// deprecated 'elementwise_mean' is rejected here.
    ///
    /// **Gradients** (`u` = upstream): `∂/∂x = u·exp(x) − u·y` (log) or `u − u·y/(x + eps)` (non-log);
    /// `∂/∂y = −u·x` (log) or `−u·log(x + eps)` (non-log), plus with `full` the Stirling term's
    /// autograd `m·log y + m·y/y − m + (½m/(2πy))·2π`, where `m = u` if `y > 1` (giving
    /// `u·(log y + 1/(2y))`) and `m = 0` where masked. **Trap:** the masked term still back-propagates
    /// `0·log 0 = NaN` at `y = 0` (and `0·log y = NaN` for `y < 0`); at `y = 1` it is exactly 0.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0.
    ///
    /// **Error scale.** Sums of exactly rounded products scale with the sum of the magnitudes:
    /// `exp(x) + |y·x|`. `log(x + eps)` inherits the rounding of `x + eps` — and of a Float32 port's
    /// rounded eps — amplified by `(|x| + eps)/|x + eps|` where the sum cancels, so its scale is
    /// `|log(x + eps)| + (|x| + eps)/|x + eps|`; the Stirling term adds `|y log y| + |y| + ½|log 2πy|`.
    public static func poissonNLLLoss(input: Tensor<Double>, target: Tensor<Double>, logInput: Bool = true,
                                      full: Bool = false, eps: Double = 1e-8, reduction: Reduction = .mean,
                                      reductionIsDeprecatedAlias: Bool = false,
                                      gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let shape = try PoissonNLLValidation.shape(input: input.shape, target: target.shape,
                                                   reductionIsDeprecatedAlias: reductionIsDeprecatedAlias)
        let xs = Reduce.expand(input, to: shape)
        let ys = Reduce.expand(target, to: shape)
        /// log(x + eps) and its error scale (see above).
        func logShifted(_ x: Double) -> (value: Double, scale: Double) {
            let v = x + eps
            let lg = log(v)
            return (lg, abs(lg) + (abs(x) + abs(eps)) / abs(v))
        }
        return try ElementwiseLoss.evaluate(
            shape: shape, reduction: reduction, divisor: Double(xs.count), gradOutput: gradOutput,
            gradients: [("input", input.shape), ("target", target.shape)],
            forward: { k in
                let x = xs[k], y = ys[k]
                var l: Double, s: Double
                if logInput {
                    let e = exp(x)
                    (l, s) = (e - y * x, e + abs(y * x))
                } else {
                    let lg = logShifted(x)
                    (l, s) = (x - y * lg.value, abs(x) + abs(y) * lg.scale)
                }
                if full, !(y <= 1) {
                    let a = y * log(y), b = 0.5 * log(2 * Double.pi * y)
                    l += a - y + b
                    s += abs(a) + abs(y) + abs(b)
                }
                return (l, s)
            },
            partial: { argument, k, u in
                let x = xs[k], y = ys[k]
                if argument == 0 {
                    if logInput {
                        let e = exp(x)
                        return (u * e - u * y, abs(u) * (e + abs(y)))
                    }
                    let v = x + eps
                    let ratio = abs(y / v)
                    return (u - u * y / v, abs(u) * (1 + ratio * (1 + (abs(x) + abs(eps)) / abs(v))))
                }
                var g: Double, s: Double
                if logInput {
                    (g, s) = (-u * x, abs(u * x))
                } else {
                    let lg = logShifted(x)
                    (g, s) = (-u * lg.value, abs(u) * lg.scale)
                }
                if full {
                    // Autograd through `stirling.masked_fill(y <= 1, 0)`: the masked upstream is 0,
                    // which still meets log 0 = −inf and 0/0 at y = 0.
                    let m = y <= 1 ? 0 : u
                    g += m * log(y) + m * y / y - m + (m * 0.5 / (2 * Double.pi * y)) * (2 * Double.pi)
                    if m != 0 { s += abs(m) * (abs(log(y)) + 2 + 0.5 / abs(y)) }
                }
                return (g, s)
            })
    }

    static func poissonNLLLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try poissonNLLLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                           logInput: o.logInput, full: o.full, eps: o.eps, reduction: o.reduction,
                           reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                           gradOutput: c.float("grad_output"))
    }
}
