@_spi(Kernels) import LossSpec

extension Reference {
    /// Multi-label one-versus-all logistic loss, mirroring
    /// `torch.nn.functional.multilabel_soft_margin_loss(input, target, weight, reduction)`.
    ///
    /// **Definition.** On the broadcast shape of input, target and weight (both broadcast silently,
    /// Docs/Semantics.md#shapes): `l = −w·[y·logσ(x) + (1 − y)·logσ(−x)]` with the stable `logσ`; then
    /// `L = Σ_c l / C` over the class axis, where `C = input.size(-1)` and the class axis is
    /// `input.dim() − 1` of the broadcast shape, exactly as PyTorch indexes it: for an input that is
    /// not outranked this is the last axis, so `(C)` gives a 0-dim `L` and `(N, d, C)` gives `(N, d)`;
    /// a target or weight of higher rank makes it a leading axis instead.
    ///
    /// **Reduction.** 'none' → `L`; 'mean' → `Σ L / numel(L)` (= ÷ N·C overall); 'sum' → `Σ L`.
    ///
    /// **Gradients** (`u = g/C`, ÷ numel(L) more for 'mean'): `∂/∂x = w·(σ(x) − y)·u`,
    /// `∂/∂y = −w·x·u`, `∂/∂w = −[y·logσ(x) + (1 − y)·logσ(−x)]·u` — the weight IS differentiable —
    /// each summed back over its argument's broadcast dimensions.
    ///
    /// **Edge cases.** C = 0 gives `0/0 = NaN` per sample; an empty batch gives 'mean' NaN, 'sum' 0.
    ///
    /// **Errors.** `shape_mismatch` for a 0-dim input (PyTorch's IndexError: no class dimension)
    /// and for non-broadcastable target/weight; 'elementwise_mean' is an invalid reduction here.
    ///
    /// **Error scale.** Per element `|w|·(|y·logσ(x)| + |(1 − y)·logσ(−x)|)` (the two terms cancel
    /// only for y outside [0, 1]), summed and divided like `L`. `∂/∂x` cancels in `σ(x) − y`:
    /// `|w u|·(σ(x) + |y|)`; `∂/∂y` may be formed as `logσ(−x) − logσ(x)`: `|w u|·(|logσ(x)| + |logσ(−x)|)`.
    public static func multilabelSoftMarginLoss(
        input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>? = nil,
        reduction: Reduction = .mean, gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        let layout = try MultiLabelSoftMarginLayout(input: input.shape, target: target.shape, weight: weight?.shape)
        let full = layout.full, reducedShape = layout.reducedShape
        let xs = Reduce.expand(input, to: full), ys = Reduce.expand(target, to: full)
        let ws = weight.map { Reduce.expand($0, to: full) }
        func row(_ k: Int) -> Int { layout.row(k) }

        let n = xs.count, rows = Shape.count(reducedShape), c = Double(layout.classes)
        var unweighted = [Double](repeating: 0, count: n), unweightedScale = unweighted
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: rows)
        var scaleSums = sums
        for k in 0..<n {
            let x = xs[k], y = ys[k], w = ws?[k] ?? 1
            let positive = y * LogMath.logSigmoid(x), negative = (1 - y) * LogMath.logSigmoid(-x)
            unweighted[k] = -(positive + negative)
            unweightedScale[k] = abs(positive) + abs(negative)
            sums[row(k)].add(w * unweighted[k])
            scaleSums[row(k)].add(abs(w) * unweightedScale[k])
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(
            sums.map { $0.value / c }, scales: scaleSums.map { $0.value / c }, shape: reducedShape,
            reduction: reduction, gradOutput: gradOutput) else {
            return builder.result
        }
        var gx = [Double](repeating: 0, count: n), gxScale = gx, gy = gx, gyScale = gx, gw = gx, gwScale = gx
        for k in 0..<n {
            let x = xs[k], y = ys[k], u = up[row(k)] / c, wu = (ws?[k] ?? 1) * u
            let sig = LogMath.sigmoid(x)
            gx[k] = wu * (sig - y)
            gxScale[k] = abs(wu) * (sig + abs(y))
            gy[k] = -wu * x
            gyScale[k] = abs(wu) * (abs(LogMath.logSigmoid(x)) + abs(LogMath.logSigmoid(-x)))
            gw[k] = u * unweighted[k]
            gwScale[k] = abs(u) * unweightedScale[k]
        }
        builder.setGradient("input", shape: input.shape, full: full, values: gx, scales: gxScale)
        builder.setGradient("target", shape: target.shape, full: full, values: gy, scales: gyScale)
        if let weight { builder.setGradient("weight", shape: weight.shape, full: full, values: gw, scales: gwScale) }
        return builder.result
    }

    static func multilabelSoftMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try multilabelSoftMarginLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                                     weight: c.float("weight"), reduction: o.reduction,
                                     gradOutput: c.float("grad_output"))
    }
}
