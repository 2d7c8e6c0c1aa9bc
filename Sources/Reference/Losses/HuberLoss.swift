@_spi(Kernels) import LossSpec

extension Reference {
    /// Huber loss, mirroring `torch.nn.functional.huber_loss(input, target, reduction, delta, weight)`.
    ///
    /// **Definition.** With `d = x − y` on the broadcast shape (Docs/Semantics.md#shapes, warn-and-broadcast) and
    /// `z = |d|`: `l = ½z²` if `z < δ`, else `δ·(z − ½δ)` (the linear branch at `z = δ`, as PyTorch's
    /// kernel tests `z < δ`). With the functional-only `weight` (exactly the input's size): `w·l`.
    ///
    /// **Reduction.** Generic, also when weighted: 'mean' = `Σ w·l / numel` — **not** `/ Σ w` as in
    /// L1/MSE, because PyTorch computes `(unweighted_loss * weight).mean()`. The weighted path
    /// rejects 'elementwise_mean'.
    ///
    /// **Gradients.** `∂/∂x = −δ` if `d ≤ −δ`, `δ` if `d ≥ δ`, else `d` (PyTorch's backward kernel,
    /// so a NaN `d` gives NaN; continuous at `|d| = δ`); `∂/∂y = −∂/∂x`; ÷numel for mean; weighted:
    /// `·w`, and `∂/∂w = l·g`.
    ///
    /// **Edge cases.** `δ ≤ 0` or NaN → `invalid_option` (PyTorch checks `delta > 0`). Empty: 'mean'
    /// NaN, 'sum' 0. `d = ±inf` → loss inf, gradient ±δ.
    ///
    /// **Error scale.** `d` has relative error u. The quadratic branch's scale is `½z²`; the linear
    /// branch `δz − ½δ²` cancels at most by a factor 3 (`z ≥ δ`), and a Float32 port also rounds δ
    /// itself, so its scale is `δz + ½δ²`. The gradient's scale is its magnitude (`|d|` or `δ`).
    public static func huberLoss(input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>? = nil,
                                 reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                                 delta: Double = 1, gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try PointwiseRegressionValidation.delta(delta)
        return try PointwiseRegression.evaluate(
            input: input, target: target, weight: weight, reduction: reduction,
            reductionIsDeprecatedAlias: reductionIsDeprecatedAlias, gradOutput: gradOutput,
            weightedMean: .byNumel,
            loss: { d in
                let z = abs(d)
                if z < delta { return (0.5 * z * z, 0.5 * z * z) }
                return (delta * (z - 0.5 * delta), delta * z + 0.5 * delta * delta)
            },
            derivative: { d in
                if d <= -delta { return (-delta, delta) }
                if d >= delta { return (delta, delta) }
                return (d, abs(d))
            })
    }

    static func huberLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try huberLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"), weight: c.float("weight"),
                      reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                      delta: o.delta, gradOutput: c.float("grad_output"))
    }
}
