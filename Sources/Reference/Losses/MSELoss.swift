@_spi(Kernels) import LossSpec

extension Reference {
    /// Mean squared error, mirroring `torch.nn.functional.mse_loss(input, target, reduction, weight)`.
    ///
    /// **Definition.** With `d = x − y` on the broadcast shape of input and target (Docs/Semantics.md#shapes,
    /// warn-and-broadcast): `l = d²`, or `l = w·d²` with the functional-only `weight`, which must have
    /// exactly the input's size and broadcasts like the input.
    ///
    /// **Reduction.** Unweighted: generic (`Σl / numel`). Weighted: 'sum' → `Σ w d²`;
    /// 'mean' → `Σ w d² / Σ w` where `Σ w` runs over the weight's own elements (not broadcast), as
    /// PyTorch's `torch.sum(weight)` does; the weighted path rejects 'elementwise_mean'.
    ///
    /// **Gradients.** `∂/∂x = 2d·g`, `∂/∂y = −2d·g` (÷ divisor for mean; weighted: `·w`);
    /// weighted mean: `∂/∂w_j = Σ_{b→j} d_b²/W − S/W²` with `S = Σ w d²`, `W = Σ w`.
    ///
    /// **Edge cases.** Empty: 'mean' is NaN (0/0), 'sum' 0. `W = 0` gives ±inf or NaN like PyTorch.
    ///
    /// **Error scale.** `d` is computed to within u·|d| in any precision, so an element's scale is
    /// `|w|·d²`; a weighted mean adds the cancellation in `W`: `Σ|w|d²/|W| + |S|·Σ|w|/W²`.
    public static func mseLoss(input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>? = nil,
                               reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                               gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try PointwiseRegression.evaluate(
            input: input, target: target, weight: weight, reduction: reduction,
            reductionIsDeprecatedAlias: reductionIsDeprecatedAlias, gradOutput: gradOutput,
            weightedMean: .byWeightSum,
            loss: { d in (d * d, d * d) },
            derivative: { d in (2 * d, 2 * abs(d)) })
    }

    static func mseLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try mseLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"), weight: c.float("weight"),
                    reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                    gradOutput: c.float("grad_output"))
    }
}
