import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Binary cross entropy on probabilities, mirroring
    /// `torch.nn.functional.binary_cross_entropy(input, target, weight, reduction)`.
    ///
    /// **Definition.** `l = w·[(y − 1)·max(log1p(−x), −100) − y·max(log x, −100)]`, both logs
    /// clamped at −100 as PyTorch does, so an element is at most `100·|w|` (x = y = 1 gives −0.0).
    /// Input and target must have exactly the same shape (Docs/Semantics.md#shapes, strict equality); `weight`
    /// broadcasts to that shape but may not enlarge it.
    ///
    /// **Reduction.** Generic: 'sum' → `Σ l`, 'mean' → `Σ l / numel` (the weight is not a normaliser).
    ///
    /// **Gradients** (`g` the upstream gradient, ÷ numel for 'mean'):
    /// `∂/∂x = w·(x − y) / max(x(1 − x), EPS32)·g` with PyTorch's C++ `float` constant
    /// `EPS32 = Float(1e-12)` even in double precision (x = 0, y = 1 → −1/EPS32 ≈ −1.000000004e12);
    /// `∂/∂y = −w·(log x − log1p(−x))·g`, **not** clamped, so ±inf at x ∈ {0, 1} (NaN when also w = 0).
    /// The weight is not differentiable.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0. x or y outside [0, 1], or NaN, is rejected.
    ///
    /// **Errors.** `shape_mismatch` (target ≠ input size; weight not broadcastable to the input or
    /// enlarging it), `invalid_value` (an input or target element outside [0, 1] or NaN).
    ///
    /// **Error scale.** For y ∈ [0, 1] both terms have the sign of the loss, so an element's scale is
    /// `|w|·(|y·log x| + |(1 − y)·log1p(−x)|)` (clamped logs): relative error only, provided the
    /// implementation uses `log1p(−x)` rather than `log(1 − x)`. `∂/∂x` cancels in `x − y`:
    /// `|w g|·(|x| + |y|)/den`; `∂/∂y` cancels in the log difference: `|w g|·(|log x| + |log1p(−x)|)`.
    public static func binaryCrossEntropy(input: Tensor<Double>, target: Tensor<Double>,
                                          weight: Tensor<Double>? = nil, reduction: Reduction = .mean,
                                          gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try BCEValidation.validate(input: input, target: target, weightShape: weight?.shape)

        let shape = input.shape
        let n = input.count
        let ws = weight.map { Reduce.expand($0, to: shape) }
        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let x = input[k], y = target[k], w = ws?[k] ?? 1
            let logX = max(log(x), -100), log1mX = max(log1p(-x), -100)
            // PyTorch's association, which yields −0.0 for x = y = 1.
            values[k] = ((y - 1) * log1mX - y * logX) * w
            scales[k] = abs(w) * (abs(y * logX) + abs((1 - y) * log1mX))
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(values, scales: scales, shape: shape, reduction: reduction,
                                                           gradOutput: gradOutput) else {
            return builder.result
        }
        let eps32 = Double(Float(1e-12))
        var gx = [Double](repeating: 0, count: n), gxScale = gx
        var gy = gx, gyScale = gx
        for k in 0..<n {
            let x = input[k], y = target[k], wg = (ws?[k] ?? 1) * up[k]
            let denominator = max(x * (1 - x), eps32)
            gx[k] = wg * (x - y) / denominator
            gxScale[k] = abs(wg) * (abs(x) + abs(y)) / denominator
            let logX = log(x), log1mX = log1p(-x)
            gy[k] = -(logX - log1mX) * wg
            // 0·inf (zero weight or upstream at x ∈ {0, 1}) makes the value NaN; its scale is unbounded.
            let s = abs(wg) * (abs(logX) + abs(log1mX))
            gyScale[k] = s.isNaN ? .infinity : s
        }
        builder.set("grad_input", Tensor(shape: shape, scalars: gx), scale: Tensor(shape: shape, scalars: gxScale))
        builder.set("grad_target", Tensor(shape: shape, scalars: gy), scale: Tensor(shape: shape, scalars: gyScale))
        return builder.result
    }

    static func binaryCrossEntropy(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try binaryCrossEntropy(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                               weight: c.float("weight"), reduction: o.reduction,
                               gradOutput: c.float("grad_output"))
    }
}
