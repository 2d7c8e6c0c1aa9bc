import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Kullback–Leibler divergence, mirroring
    /// `torch.nn.functional.kl_div(input, target, reduction, log_target)`.
    ///
    /// **Definition.** `input` holds log-probabilities `x = log q`, `target` probabilities `y`
    /// (or `y = log p` with `log_target`), broadcast silently:
    /// - `log_target = false`: `l = xlogy(y, y) − y·x`, with `xlogy(0, ·) = 0` (unless the second
    ///   argument is NaN) — so `y = 0` contributes 0, `y < 0` gives NaN (log of a negative), and
    ///   `y = 0` with `x = −inf` gives `0·(−inf) = NaN`.
    /// - `log_target = true`: `l = exp(y)·(y − x)`; `y = −inf` gives `0·(−inf) = NaN`.
    ///
    /// **Reduction.** 'none'; 'sum'; 'mean' = `Σl / numel` of the broadcast shape (PyTorch's
    /// default, which warns that it is not the mathematical KL divergence); **'batchmean'** =
    /// `Σl / input.size(0)` for an input of rank ≥ 1 (the input's own first size, not the broadcast
    /// one; for an unbatched 1-D input that is the number of classes), `Σl` for a 0-dim input.
    ///
    /// **Gradients** (`u` = upstream, ÷ numel or size(0) as the reduction says), as PyTorch's
    /// autograd composes them:
    /// - non-log: `∂/∂x = −y·u`; `∂/∂y = xlogy(u, y)·[y ≠ 0] + u·y/y − u·x`, i.e. `u·(log y + 1 − x)`
    ///   for `y > 0` but **NaN at `y = 0`** (`0/0` from `xlogy`'s second-argument derivative) even
    ///   though the loss there is finite.
    /// - log: `∂/∂x = −exp(y)·u`; `∂/∂y = u·(y − x)·exp(y) + u·exp(y)`.
    ///
    /// **Error scale.** Each term is a product of exactly rounded factors, so a sum or difference of
    /// two products scales with the sum of their magnitudes: `|y log y| + |y x|` (non-log),
    /// `exp(y)·(|y| + |x|)` (log); gradients likewise, `|u|·(|log y| + 1 + |x|)` and
    /// `|u|·exp(y)·(|y| + |x| + 1)`.
    public static func klDiv(input: Tensor<Double>, target: Tensor<Double>, reduction: Reduction = .mean,
                             logTarget: Bool = false, gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let (full, divisor) = try KLDivValidation.shape(input: input.shape, target: target.shape, reduction: reduction)
        let xs = Reduce.expand(input, to: full)
        let ys = Reduce.expand(target, to: full)
        return try ElementwiseLoss.evaluate(
            shape: full, reduction: reduction, divisor: Double(divisor), gradOutput: gradOutput,
            gradients: [("input", input.shape), ("target", target.shape)],
            forward: { k in
                let x = xs[k], y = ys[k]
                if logTarget {
                    let e = exp(y)
                    return (e * (y - x), e * (abs(y) + abs(x)))
                }
                let a = xlogy(y, y), b = y * x
                return (a - b, abs(a) + abs(b))
            },
            partial: { argument, k, u in
                let x = xs[k], y = ys[k]
                switch (argument, logTarget) {
                case (0, false):
                    return (-y * u, abs(y * u))
                case (0, true):
                    let e = exp(y)
                    return (-e * u, abs(e * u))
                case (_, false):
                    // xlogy's derivative in its first argument is masked where that argument is 0.
                    let first = y == 0 ? 0 : xlogy(u, y)
                    return (first + u * y / y - u * x, abs(u) * (abs(log(y)) + 1 + abs(x)))
                case (_, true):
                    let e = exp(y)
                    return (u * (y - x) * e + u * e, abs(u) * e * (abs(y) + abs(x) + 1))
                }
            })
    }

    /// PyTorch's `xlogy(a, b)`: NaN if `b` is NaN, else 0 if `a == 0`, else `a·log b`.
    static func xlogy(_ a: Double, _ b: Double) -> Double {
        if b.isNaN { return .nan }
        if a == 0 { return 0 }
        return a * log(b)
    }

    static func klDiv(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try klDiv(input: c.requiredFloat("input"), target: c.requiredFloat("target"), reduction: o.reduction,
                  logTarget: o.logTarget, gradOutput: c.float("grad_output"))
    }
}
