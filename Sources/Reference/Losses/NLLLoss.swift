@_spi(Kernels) import LossSpec

extension Reference {
    /// Negative log-likelihood, mirroring
    /// `torch.nn.functional.nll_loss(input, target, weight, ignore_index, reduction)`.
    ///
    /// **Definition.** The input holds (log-)scores `(C)`, `(N, C)` or `(N, C, d1, …, dk)` with the
    /// class dimension 1 (0 for 1-D input); the int64 target holds one class index per position:
    /// `()` or `(1)` for `(C)`, `(N)`, or `(N, d1, …, dk)`. The input is used as given (no
    /// normalisation check). With `valid_n = [y_n ≠ ignore_index]` and `w ≡ 1` without weight:
    /// `l_n = −w_{y_n} · x_{n, y_n} · valid_n`.
    ///
    /// **Reduction.** 'none' → `l` shaped `()` for 1-D input, else like the target; 'sum' → `Σ l_n`;
    /// 'mean' → `Σ l_n / W` with `W = Σ_n w_{y_n} · valid_n` (the count of valid positions without
    /// weight), not numel.
    ///
    /// **Gradient.** Only `(n, y_n)` of valid positions: `∂/∂x_{n,y_n} = −w_{y_n}·u_n` with `u_n = g_n`
    /// ('none'), `g` ('sum'), `g/W` ('mean'). The weight is not differentiable (PyTorch refuses).
    ///
    /// **Edge cases.** `ignore_index` is tested before the range check, so it may be any integer.
    /// Every target ignored: 'mean' NaN (0/0) with an all-zero gradient, 'sum' 0, 'none' zeros.
    /// `W = 0` with valid positions: NaN or ±inf, and NaN/±inf gradients, as PyTorch. Empty batch:
    /// 'mean' NaN, 'sum' 0. Negative weights are allowed.
    /// Deviation from PyTorch: a `(C)` input with a `(1)` target is treated exactly like a `()` target;
    /// PyTorch's forward accepts it but its backward raises "size mismatch".
    ///
    /// **Errors.** 0-dim input; a target whose shape does not fit the input (batch mismatch,
    /// 2-D target for 2-D input, K-dim size mismatch, 1-D target of length ≠ 1 for 1-D input);
    /// weight not 1-D of length C → `shape_mismatch`; a class index outside `[0, C)` that is not
    /// `ignore_index` → `target_out_of_range`; a float target → `invalid_value`.
    ///
    /// **Error scale.** An element is a single product, so its scale is `|w·x|`; a 'mean' adds the
    /// cancellation in `W` (negative weights): `Σ|l|/|W| + |result|·Σ|w_{y_n}|/|W|`, and every
    /// gradient carries the same factor `Σ|w_{y_n}|/|W|`.
    public static func nllLoss(input: Tensor<Double>, target: Tensor<Int64>, weight: Tensor<Double>? = nil,
                               ignoreIndex: Int = -100, reduction: Reduction = .mean,
                               gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let (layout, w) = try NLLValidation.check(input: input.shape, target: target.shape, weight: weight)
        let classes = try layout.targetClasses(target, ignoreIndex: ignoreIndex)

        let count = layout.positions
        var values = [Double](repeating: 0, count: count)
        var scales = [Double](repeating: 0, count: count)
        var weightSum = CompensatedSum(), weightAbsSum = CompensatedSum()
        for p in 0..<count {
            guard let y = classes[p] else { continue }
            let wy = w?[y] ?? 1
            values[p] = -wy * input[layout.index(position: p, class: y)]
            scales[p] = abs(values[p])
            weightSum.add(wy)
            weightAbsSum.add(abs(wy))
        }
        let reduced = try WeightSumReduction(
            values: values, scales: scales, shape: layout.positionShape, reduction: reduction,
            weightSum: weightSum.value, weightAbsSum: weightAbsSum.value, gradOutput: gradOutput)
        var builder = ResultBuilder()
        builder.set("output", reduced.output, scale: reduced.outputScale)
        guard let up = reduced.upstream else { return builder.result }

        var grad = [Double](repeating: 0, count: input.count)
        var gradScale = [Double](repeating: 0, count: input.count)
        for p in 0..<count {
            guard let y = classes[p] else { continue }
            let k = layout.index(position: p, class: y)
            let wy = w?[y] ?? 1
            grad[k] = -wy * up[p]
            gradScale[k] = abs(grad[k]) * reduced.gradientFactor
        }
        builder.set("grad_input", Tensor(shape: input.shape, scalars: grad),
                    scale: Tensor(shape: input.shape, scalars: gradScale))
        return builder.result
    }

    static func nllLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try nllLoss(input: c.requiredFloat("input"), target: c.requiredInteger("target"), weight: c.float("weight"),
                    ignoreIndex: o.ignoreIndex, reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
