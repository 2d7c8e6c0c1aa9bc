import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Soft margin loss, mirroring `torch.nn.functional.soft_margin_loss(input, target, reduction)`.
    ///
    /// **Definition.** `l = log1p(exp(−y·x))`, computed **literally** as PyTorch does (not as a stable
    /// softplus): `exp` overflows to `+inf` once `−y·x > ~709.78` in Double (`~88.72` in Float32),
    /// and the loss is then `+inf`. Target values are not restricted (`y = 0` gives `log 2`).
    ///
    /// **Shapes.** The output has the input's shape: the target may broadcast to it (silently) but
    /// never enlarge it, because PyTorch writes the result into an input-shaped tensor.
    ///
    /// **Reduction.** Generic (`Σl / numel` for mean).
    ///
    /// **Gradients.** `∂/∂x = −y·z/(1 + z)·g` with `z = exp(−y·x)` (÷numel for mean) — so **NaN
    /// where z overflows** (inf/inf), and `−0` for `y = 0`. The target is not differentiable
    /// (PyTorch raises when it requires grad), so there is no `grad_target`.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0. NaN input or target propagates.
    ///
    /// **Error scale.** `t = −y·x` carries a relative error u, which `exp` turns into a relative
    /// error `|t|·u` of `z`; `log1p` passes on the fraction `z/(1+z) = σ(t)` of it. So the loss's
    /// scale is `l + |t|·σ(t)`, and the gradient's `|∂|·(1 + |t|·σ(−t))` (`d/d log z` of `z/(1+z)` is
    /// `σ(t)·σ(−t)`).
    public static func softMarginLoss(input: Tensor<Double>, target: Tensor<Double>, reduction: Reduction = .mean,
                                      gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let full = try SoftMarginValidation.shape(input: input.shape, target: target.shape)
        let xs = input.scalars
        let ys = Reduce.expand(target, to: full)
        return try ElementwiseLoss.evaluate(
            shape: full, reduction: reduction, divisor: Double(xs.count), gradOutput: gradOutput,
            gradients: [("input", input.shape)],
            forward: { k in
                let t = -xs[k] * ys[k]
                let l = log1p(exp(t))
                return (l, t.isFinite ? abs(l) + abs(t) * LogMath.sigmoid(t) : abs(l))
            },
            partial: { _, k, u in
                let t = -xs[k] * ys[k]
                let z = exp(t)
                let g = -ys[k] * z / (1 + z) * u
                return (g, t.isFinite ? abs(g) * (1 + abs(t) * LogMath.sigmoid(-t)) : abs(g))
            })
    }

    static func softMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try softMarginLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                           reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
