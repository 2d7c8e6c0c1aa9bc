@_spi(Kernels) import LossSpec

extension Reference {
    /// Margin ranking loss, mirroring `torch.nn.functional.margin_ranking_loss(input1, input2, target,
    /// margin, reduction)`.
    ///
    /// **Definition.** `l = max(0, −y·(x1 − x2) + margin)` on the broadcast shape of the three
    /// tensors, which must first have the same number of dimensions (Docs/Semantics.md#shapes: `(5,2)`, `(5,1)`,
    /// `(1,2)` is legal; `(2)` with `(1,2)` is not). `y` is not restricted to ±1 (y = 0 gives
    /// `max(0, margin)`), any margin is allowed, and NaN propagates through the hinge.
    ///
    /// **Reduction.** Generic: 'sum' → `Σ l`, 'mean' → `Σ l / numel`.
    ///
    /// **Gradients.** With `a = [−y(x1 − x2) + margin > 0]` (0 at exactly 0, Docs/Semantics.md#kinks):
    /// `∂/∂x1 = −y·a·g`, `∂/∂x2 = y·a·g`, `∂/∂y = −(x1 − x2)·a·g` (÷ numel for 'mean'), each summed
    /// back over the dimensions its argument was broadcast along. A NaN hinge argument gives a = 0,
    /// so `∂/∂y = NaN·0 = NaN` while the input gradients stay 0, as in PyTorch.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0. 0-dim tensors give a 0-dim output.
    ///
    /// **Errors.** `shape_mismatch` for differing ranks or non-broadcastable sizes.
    ///
    /// **Error scale.** The hinge argument cancels in `x1 − x2` and against the margin:
    /// `|y|·(|x1| + |x2|) + |margin|`, kept for active elements and for inactive ones within
    /// rounding reach of the kink (`Hinge.scale`). The input gradients are exact up to the upstream
    /// division: `|value|`; `∂/∂y` carries the cancellation of `x1 − x2`: `(|x1| + |x2|)·a·|g|`.
    public static func marginRankingLoss(
        input1: Tensor<Double>, input2: Tensor<Double>, target: Tensor<Double>, margin: Double = 0,
        reduction: Reduction = .mean, gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        let full = try MarginRankingValidation.broadcastShape(input1: input1.shape, input2: input2.shape,
                                                              target: target.shape)
        let x1s = Reduce.expand(input1, to: full), x2s = Reduce.expand(input2, to: full)
        let ys = Reduce.expand(target, to: full)
        let n = x1s.count

        var z = [Double](repeating: 0, count: n)
        var values = z, scales = z
        for k in 0..<n {
            z[k] = -ys[k] * (x1s[k] - x2s[k]) + margin
            values[k] = Hinge.clamp(z[k])
            scales[k] = Hinge.scale(z[k], parts: abs(ys[k]) * (abs(x1s[k]) + abs(x2s[k])) + abs(margin))
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(values, scales: scales, shape: full, reduction: reduction,
                                                           gradOutput: gradOutput) else {
            return builder.result
        }
        var g1 = [Double](repeating: 0, count: n), g2 = g1, gy = g1, gyScale = g1
        for k in 0..<n {
            let ag = Hinge.slope(z[k]) * up[k]
            g1[k] = -ys[k] * ag
            g2[k] = ys[k] * ag
            gy[k] = -(x1s[k] - x2s[k]) * ag
            gyScale[k] = (abs(x1s[k]) + abs(x2s[k])) * abs(ag)
        }
        builder.setGradient("input1", shape: input1.shape, full: full, values: g1, scales: g1)
        builder.setGradient("input2", shape: input2.shape, full: full, values: g2, scales: g2)
        builder.setGradient("target", shape: target.shape, full: full, values: gy, scales: gyScale)
        return builder.result
    }

    static func marginRankingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try marginRankingLoss(input1: c.requiredFloat("input1"), input2: c.requiredFloat("input2"),
                              target: c.requiredFloat("target"), margin: o.margin, reduction: o.reduction,
                              gradOutput: c.float("grad_output"))
    }
}
