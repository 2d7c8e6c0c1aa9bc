@_spi(Kernels) import LossSpec

extension Reference {
    /// Mean absolute error, mirroring `torch.nn.functional.l1_loss(input, target, reduction, weight)`.
    ///
    /// **Definition.** With `d = x − y` on the broadcast shape of input and target (Docs/Semantics.md#shapes,
    /// warn-and-broadcast): `l = |d|`, or `l = w·|d|` with the functional-only `weight`, which must have
    /// exactly the input's size and broadcasts like the input.
    ///
    /// **Reduction.** Unweighted: generic (`Σl / numel`). Weighted: 'sum' → `Σ w|d|`;
    /// 'mean' → `Σ w|d| / Σ w` (Σ w over the weight's own elements, like `torch.sum(weight)`); the
    /// weighted path rejects 'elementwise_mean'.
    ///
    /// **Gradients.** `∂/∂x = sgn(d)·g`, `∂/∂y = −sgn(d)·g` (÷ divisor for mean; weighted: `·w`);
    /// weighted mean: `∂/∂w_j = Σ_{b→j} |d_b|/W − S/W²` with `S = Σ w|d|`, `W = Σ w`.
    ///
    /// **Edge cases.** `sgn(0) = 0`, and `sgn(NaN) = 0` too (PyTorch's `sgn` is `(0 < d) − (d < 0)`,
    /// so a NaN difference has a NaN loss but a zero gradient). Empty: 'mean' NaN, 'sum' 0.
    ///
    /// **Error scale.** `d = x − y` of two Float32-exact inputs is rounded once, so `|d|` carries a
    /// relative error u: its scale is `|w|·|d|`; the sign is exact (a non-zero difference of floats
    /// never rounds to 0), so the gradient's scale is its magnitude. A weighted mean adds the
    /// cancellation in `W` (see `PointwiseRegression`).
    public static func l1Loss(input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>? = nil,
                              reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                              gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try PointwiseRegression.evaluate(
            input: input, target: target, weight: weight, reduction: reduction,
            reductionIsDeprecatedAlias: reductionIsDeprecatedAlias, gradOutput: gradOutput,
            weightedMean: .byWeightSum,
            loss: { d in (abs(d), abs(d)) },
            derivative: { d in
                let s = torchSign(d)
                return (s, abs(s))
            })
    }

    /// PyTorch's `sgn` for real numbers: `(0 < d) − (d < 0)`, which is 0 at ±0 and at NaN.
    static func torchSign(_ d: Double) -> Double {
        d > 0 ? 1 : (d < 0 ? -1 : 0)
    }

    static func l1Loss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try l1Loss(input: c.requiredFloat("input"), target: c.requiredFloat("target"), weight: c.float("weight"),
                   reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                   gradOutput: c.float("grad_output"))
    }
}
