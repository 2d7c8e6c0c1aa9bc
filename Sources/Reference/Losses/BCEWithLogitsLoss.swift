import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Binary cross entropy on logits, mirroring `torch.nn.functional.binary_cross_entropy_with_logits(
    /// input, target, weight, reduction, pos_weight)`.
    ///
    /// **Definition.** With `pw` = pos_weight and `w` = weight (1 when absent):
    /// `l = w·[(1 − y)·x − (1 + (pw − 1)·y)·logσ(x)] = w·[−pw·y·logσ(x) − (1 − y)·logσ(−x)]`,
    /// evaluated in the second form with the stable `logσ` (Docs/Semantics.md#notation): for y ∈ [0, 1], pw ≥ 0 both
    /// terms are non-negative, so it is accurate even where the first (PyTorch's) form cancels
    /// (x ≪ 0, y = 0). Input and target must have the same shape (strict, Docs/Semantics.md#shapes); weight and
    /// pos_weight broadcast to it but may not enlarge it. The target is not range-checked.
    ///
    /// **Reduction.** Generic: 'sum' → `Σ l`, 'mean' → `Σ l / numel`.
    ///
    /// **Gradients** (`g` upstream, ÷ numel for 'mean'):
    /// `∂/∂x = w·[(1 + (pw − 1)·y)·σ(x) − pw·y]·g`;
    /// `∂/∂y = w·[logσ(−x) − pw·logσ(x)]·g = w·[−x − (pw − 1)·logσ(x)]·g` (PyTorch: `−x·w·g` without
    /// pos_weight). The second form is used for x ≥ 0 and the first for x < 0, where each is free of
    /// avoidable cancellation. weight and pos_weight are not differentiable.
    ///
    /// **Edge cases.** Empty: 'mean' NaN, 'sum' 0. |x| = 800 stays finite.
    ///
    /// **Errors.** `shape_mismatch`: target size ≠ input size; weight or pos_weight not broadcastable
    /// to the input or enlarging it. A non-float target is `invalid_value`.
    ///
    /// **Error scale.** A Float32 implementation may use either algebraic form, so each element's
    /// scale is the larger of the two forms' summed term magnitudes (with `|1| + (|pw| + 1)·|y|` for
    /// the cancellation inside `1 + (pw − 1)·y`); `logσ` itself carries only relative error. Likewise
    /// `∂/∂x` uses `(1 + (|pw| + 1)|y|)·σ(x) + |pw·y|` and `∂/∂y` the larger of both forms' parts.
    public static func binaryCrossEntropyWithLogits(
        input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>? = nil,
        posWeight: Tensor<Double>? = nil, reduction: Reduction = .mean, gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        try BCEWithLogitsValidation.validate(input: input.shape, target: target.shape, weight: weight?.shape,
                                             posWeight: posWeight?.shape)
        let shape = input.shape
        let ws = weight.map { Reduce.expand($0, to: shape) }
        let pws = posWeight.map { Reduce.expand($0, to: shape) }
        let n = input.count

        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let x = input[k], y = target[k], w = ws?[k] ?? 1, pw = pws?[k] ?? 1
            let logSigX = LogMath.logSigmoid(x), logSigMinusX = LogMath.logSigmoid(-x)
            values[k] = w * (-pw * y * logSigX - (1 - y) * logSigMinusX)
            let linearForm = abs((1 - y) * x) + (1 + (abs(pw) + 1) * abs(y)) * abs(logSigX)
            let symmetricForm = abs(pw * y * logSigX) + abs((1 - y) * logSigMinusX)
            scales[k] = abs(w) * max(linearForm, symmetricForm)
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(values, scales: scales, shape: shape, reduction: reduction,
                                                           gradOutput: gradOutput) else {
            return builder.result
        }
        var gx = [Double](repeating: 0, count: n), gxScale = gx
        var gy = gx, gyScale = gx
        for k in 0..<n {
            let x = input[k], y = target[k], wg = (ws?[k] ?? 1) * up[k]
            let sig = LogMath.sigmoid(x)
            if let pw = pws?[k] {
                let logSigX = LogMath.logSigmoid(x), logSigMinusX = LogMath.logSigmoid(-x)
                gx[k] = wg * ((1 + (pw - 1) * y) * sig - pw * y)
                gxScale[k] = abs(wg) * ((1 + (abs(pw) + 1) * abs(y)) * sig + abs(pw * y))
                gy[k] = wg * (x >= 0 ? -x - (pw - 1) * logSigX : logSigMinusX - pw * logSigX)
                gyScale[k] = abs(wg) * max(abs(x) + (abs(pw) + 1) * abs(logSigX),
                                           abs(logSigMinusX) + abs(pw * logSigX))
            } else {
                gx[k] = wg * (sig - y)
                gxScale[k] = abs(wg) * (sig + abs(y))
                gy[k] = -x * wg
                gyScale[k] = abs(gy[k])
            }
        }
        builder.set("grad_input", Tensor(shape: shape, scalars: gx), scale: Tensor(shape: shape, scalars: gxScale))
        builder.set("grad_target", Tensor(shape: shape, scalars: gy), scale: Tensor(shape: shape, scalars: gyScale))
        return builder.result
    }

    static func binaryCrossEntropyWithLogits(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try binaryCrossEntropyWithLogits(
            input: c.requiredFloat("input"), target: c.requiredFloat("target"), weight: c.float("weight"),
            posWeight: c.float("pos_weight"), reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
