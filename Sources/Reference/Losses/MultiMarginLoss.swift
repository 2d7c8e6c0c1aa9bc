@_spi(Kernels) import LossSpec

extension Reference {
    /// Multi-class hinge loss, mirroring
    /// `torch.nn.functional.multi_margin_loss(input, target, p, margin, weight, reduction)`.
    ///
    /// **Definition.** Input `()` (one sample, C = 1), `(C)` or `(N, C)`; int64 target of `N`
    /// class indices shaped `()` or `(N)`. With `z_{n,i} = margin − x_{n,y_n} + x_{n,i}`:
    /// `l_n = (1/C) · Σ_{i ≠ y_n, z > 0} w_{y_n} · z^p`, `p ∈ {1, 2}`, `w ≡ 1` without weight.
    /// **The weight is indexed by the target class `y_n`**, not by `i`.
    ///
    /// **Reduction.** 'none' → `l` shaped like the target (so a 1-D input with a 0-dim target gives
    /// a 0-dim result and with a `(1)` target a `(1)` result); 'sum' → `Σ l_n`; 'mean' → `Σ l_n / N`.
    ///
    /// **Gradient.** For each `i ≠ y_n` with `z > 0`: `h = (u_n/C)·w_{y_n}·(1 if p = 1 else 2z)`,
    /// `∂/∂x_{n,i} = h`, `∂/∂x_{n,y_n} −= h`, with `u_n = g_n` ('none'), `g` ('sum'), `g/N` ('mean').
    /// The weight is not differentiable (PyTorch refuses).
    ///
    /// **Edge cases.** PyTorch's strict `z > 0` test: gradient 0 at `z = 0`, and a NaN `z` is dropped
    /// from loss and gradient (Docs/Semantics.md#kinks). A 0-dim input (C = 1) has no `i ≠ y`, so its loss is 0.
    /// `margin` may be any real, including negative.
    /// Deviation from PyTorch: an empty batch (N = 0) gives 'sum' = 0 and 'mean' = NaN; PyTorch
    /// returns uninitialised memory there (Docs/Semantics.md#empty-inputs).
    ///
    /// **Errors.** `p ∉ {1, 2}` → `invalid_option`; ≥ 3-D input, target not `()`/`(N)` with N
    /// elements, weight not 1-D of length C → `shape_mismatch`; C = 0 → `empty_input`; a class
    /// index outside `[0, C)` → `target_out_of_range`; a float target → `invalid_value`.
    ///
    /// **Error scale.** `z` cancels `|margin| + |x_y| + |x_i|` =: A. A term's scale is `|w_y|·A`
    /// (p = 1) or `|w_y|·2|z|·A` (p = 2); terms within a few eps32·A below the kink count too,
    /// since a Float32 evaluation may include them. A gradient contribution has scale `|u w_y|/C`
    /// (p = 1; its kink is a jump no scale can cover) or `|u w_y|·2A/C` (p = 2).
    public static func multiMarginLoss(input: Tensor<Double>, target: Tensor<Int64>, p: Double = 1,
                                       margin: Double = 1, weight: Tensor<Double>? = nil,
                                       reduction: Reduction = .mean,
                                       gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let layout = try MarginLossValidation.multiMargin(input: input.shape, target: target.shape,
                                                          weight: weight?.shape, p: p)
        let n = layout.batch, c = layout.classes
        let w = weight?.scalars
        let classes = try MarginLossValidation.classIndices(target.scalars, classes: c)

        // Every hinge term z > 0 of sample `sample`, with the magnitude A of z's cancelling parts.
        func hinges(_ sample: Int, _ body: (_ i: Int, _ z: Double, _ parts: Double) -> Void) {
            let y = classes[sample]
            let xy = input[sample * c + y]
            for i in 0..<c where i != y {
                let xi = input[sample * c + i]
                body(i, margin - xy + xi, abs(margin) + abs(xy) + abs(xi))
            }
        }
        var values = [Double](repeating: 0, count: n)
        var scales = values
        for sample in 0..<n {
            let wy = w?[classes[sample]] ?? 1
            var sum = CompensatedSum(), scale = CompensatedSum()
            hinges(sample) { _, z, parts in
                if z > 0 { sum.add(wy * (p == 1 ? z : z * z)) }
                if MarginHinge.counts(z: z, parts: parts) {
                    scale.add(abs(wy) * (p == 1 ? parts : 2 * abs(z) * parts))
                }
            }
            values[sample] = sum.value / Double(c)
            scales[sample] = scale.value / Double(c)
        }
        let (output, outputScale) = Reduce.apply(values, scales: scales, shape: target.shape,
                                                 reduction: reduction, divisor: Double(n))
        var builder = ResultBuilder()
        builder.set("output", output, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: target.shape,
                                           divisor: Double(n)) else { return builder.result }

        var grad = [Double](repeating: 0, count: input.count)
        var gradScale = grad
        for sample in 0..<n {
            let y = classes[sample]
            let s = up[sample] / Double(c) * (w?[y] ?? 1)
            var targetGrad = CompensatedSum(), targetScale = CompensatedSum()
            hinges(sample) { i, z, parts in
                guard z > 0 else { return }
                let h = p == 1 ? s : 2 * z * s
                let hScale = abs(s) * (p == 1 ? 1 : 2 * parts)
                grad[sample * c + i] = h
                gradScale[sample * c + i] = hScale
                targetGrad.add(-h)
                targetScale.add(hScale)
            }
            grad[sample * c + y] = targetGrad.value
            gradScale[sample * c + y] = targetScale.value
        }
        builder.set("grad_input", Tensor(shape: input.shape, scalars: grad),
                    scale: Tensor(shape: input.shape, scalars: gradScale))
        return builder.result
    }

    static func multiMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try multiMarginLoss(input: c.requiredFloat("input"), target: c.requiredInteger("target"), p: o.p,
                            margin: o.margin, weight: c.float("weight"), reduction: o.reduction,
                            gradOutput: c.float("grad_output"))
    }
}
