@_spi(Kernels) import LossSpec

extension Reference {
    /// Hinge embedding loss, mirroring `torch.nn.functional.hinge_embedding_loss(input, target, margin,
    /// reduction)`.
    ///
    /// **Definition** (PyTorch's exact rule, for any target value):
    /// `l = [y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x`, i.e. `x` for y = 1, `max(0, margin − x)` for
    /// y = −1 and `x + max(0, margin − x)` for any other y (0, 2, NaN). Input and target broadcast
    /// silently; the target may even enlarge the output. Any margin. NaN in x propagates unless the
    /// branch is masked out; `x = +inf, y = −1` gives 0.
    ///
    /// **Reduction.** Generic: 'sum' → `Σ l`, 'mean' → `Σ l / numel`.
    ///
    /// **Gradient.** `∂/∂x = ([y ≠ −1] − [y ≠ 1]·[margin − x > 0])·g` (÷ numel for 'mean'): the hinge
    /// contributes nothing at exactly the margin or for NaN (Docs/Semantics.md#kinks). No gradient to the target.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0. Nothing is validated beyond shapes.
    ///
    /// **Errors.** `shape_mismatch` for non-broadcastable shapes.
    ///
    /// **Error scale.** The hinge cancels in `margin − x` (`|margin| + |x|`, kept near the kink by
    /// `Hinge.scale`); the linear branch adds `|x|` (for y ∉ {±1} the two branches cancel to
    /// `margin`). The gradient is a sum of ±g: its scale is the sum of the magnitudes.
    public static func hingeEmbeddingLoss(
        input: Tensor<Double>, target: Tensor<Double>, margin: Double = 1, reduction: Reduction = .mean,
        gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        let full = try Shape.broadcast([("input", input.shape), ("target", target.shape)])
        let xs = Reduce.expand(input, to: full), ys = Reduce.expand(target, to: full)
        let n = xs.count

        var values = [Double](repeating: 0, count: n), scales = values
        for k in 0..<n {
            let x = xs[k], y = ys[k]
            // Sum the two branches as PyTorch's `where(...) + where(...)` does, zeros included.
            let hinge = y != 1 ? Hinge.clamp(margin - x) : 0
            let linear = y != -1 ? x : 0
            values[k] = hinge + linear
            scales[k] = (y != 1 ? Hinge.scale(margin - x, parts: abs(margin) + abs(x)) : 0) + abs(linear)
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(values, scales: scales, shape: full, reduction: reduction,
                                                           gradOutput: gradOutput) else {
            return builder.result
        }
        var gx = [Double](repeating: 0, count: n), gxScale = gx
        for k in 0..<n {
            let y = ys[k]
            let linear: Double = y != -1 ? 1 : 0
            let hinge = y != 1 ? Hinge.slope(margin - xs[k]) : 0
            gx[k] = (linear - hinge) * up[k]
            gxScale[k] = (linear + hinge) * abs(up[k])
        }
        builder.setGradient("input", shape: input.shape, full: full, values: gx, scales: gxScale)
        return builder.result
    }

    static func hingeEmbeddingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try hingeEmbeddingLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                               margin: o.margin, reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
