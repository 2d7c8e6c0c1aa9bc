@_spi(Kernels) import LossSpec

extension Reference {
    /// Smooth L1 loss, mirroring `torch.nn.functional.smooth_l1_loss(input, target, reduction, beta)`.
    ///
    /// **Definition.** With `d = x − y` on the broadcast shape (Docs/Semantics.md#shapes, warn-and-broadcast) and
    /// `z = |d|`: `l = ½z²/β` if `z < β`, else `z − ½β`. There is no weight. `β = 0` is routed to
    /// `l1_loss` exactly as PyTorch's functional does, values and gradients alike.
    ///
    /// **Reduction.** Generic (`Σl / numel` for mean).
    ///
    /// **Gradients.** `∂/∂x = −1` if `d ≤ −β`, `1` if `d ≥ β`, else `d/β` (PyTorch's backward kernel:
    /// a NaN `d` gives NaN; continuous at `|d| = β`); `∂/∂y = −∂/∂x`; ÷numel for mean. With `β = 0`
    /// the L1 gradient `sgn(d)`, so `0` at `d = 0` (the raw kernel would give −1 there).
    ///
    /// **Edge cases.** `β < 0` or NaN → `invalid_option` (PyTorch checks `beta >= 0`). `β = inf` gives
    /// a zero loss and gradient for finite `d`, and for `d = ±inf` a NaN loss (`inf − inf`) but the
    /// gradient ±1 (the backward tests `d ≥ β` first). Empty: 'mean' NaN, 'sum' 0.
    ///
    /// **Error scale.** `d` has relative error u. Quadratic branch: `½z²/β`. Linear branch: `z − ½β`
    /// cancels by at most a factor 3 (`z ≥ β`), and a Float32 port also rounds β, so its scale is
    /// `z + ½β`. The gradient's scale is its magnitude.
    public static func smoothL1Loss(input: Tensor<Double>, target: Tensor<Double>, reduction: Reduction = .mean,
                                    beta: Double = 1, gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try PointwiseRegressionValidation.beta(beta)
        if beta == 0 {
            return try l1Loss(input: input, target: target, reduction: reduction, gradOutput: gradOutput)
        }
        return try PointwiseRegression.evaluate(
            input: input, target: target, weight: nil, reduction: reduction,
            reductionIsDeprecatedAlias: false, gradOutput: gradOutput,
            weightedMean: .byNumel,
            loss: { d in
                let z = abs(d)
                if z < beta { return (0.5 * z * z / beta, 0.5 * z * z / beta) }
                return (z - 0.5 * beta, z + 0.5 * beta)
            },
            derivative: { d in
                if d <= -beta { return (-1, 1) }
                if d >= beta { return (1, 1) }
                return (d / beta, abs(d / beta))
            })
    }

    static func smoothL1Loss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try smoothL1Loss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                         reduction: o.reduction, beta: o.beta, gradOutput: c.float("grad_output"))
    }
}
