@_spi(Kernels) import LossSpec

extension Reference {
    /// Multi-label hinge loss, mirroring `torch.nn.functional.multilabel_margin_loss(input, target, reduction)`.
    ///
    /// **Definition.** Input `()` (one sample, C = 1), `(C)` or `(N, C)`; an int64 target of the same
    /// shape (for a 0-/1-D input any 0-/1-D target of C elements) lists each row's target classes,
    /// terminated by the first −1. With `J` the row's prefix before the terminator (a list: duplicates
    /// kept) and `T = set(J)`:
    /// `l_n = (1/C) · Σ_{j ∈ J} Σ_{i ∉ T, z > 0} z`, `z = 1 − x_{n,j} + x_{n,i}` (margin fixed to 1).
    /// A duplicated index is one member of `T` but contributes its hinge terms once per occurrence.
    ///
    /// **Reduction.** 'none' → `(N)`, or 0-dim for a 0-/1-D input; 'sum' → `Σ l_n`; 'mean' → `Σ l_n / N`.
    ///
    /// **Gradient.** For every `j ∈ J`, `i ∉ T` with `z > 0`: `∂/∂x_{n,i} += u_n/C`,
    /// `∂/∂x_{n,j} −= u_n/C`, with `u_n = g_n` ('none'), `g` ('sum'), `g/N` ('mean').
    ///
    /// **Edge cases.** Strict `z > 0`: gradient 0 at `z = 0`, NaN terms dropped (Docs/Semantics.md#kinks). A row
    /// starting with −1, or whose targets cover every class, has loss 0. Entries after the terminator
    /// are ignored by the loss but still range-checked.
    /// Deviation from PyTorch: an empty batch (N = 0) gives 'sum' = 0 and 'mean' = NaN; PyTorch
    /// returns uninitialised memory there (Docs/Semantics.md#empty-inputs).
    ///
    /// **Errors.** ≥ 3-D input or a target shape that does not fit → `shape_mismatch`; C = 0 →
    /// `empty_input`; any entry outside `[−1, C)` → `target_out_of_range`; a float target →
    /// `invalid_value`.
    ///
    /// **Error scale.** `z` cancels `1 + |x_j| + |x_i|`; each counted term (including those within a
    /// few eps32 of the kink, which Float32 may include) contributes that magnitude, ÷ C. Each
    /// gradient contribution is `±u_n/C`, scale `|u_n|/C`.
    public static func multilabelMarginLoss(input: Tensor<Double>, target: Tensor<Int64>,
                                            reduction: Reduction = .mean,
                                            gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let layout = try MarginLossValidation.multilabelMargin(input: input.shape, target: target.shape,
                                                               labels: target.scalars)
        let n = layout.batch, c = layout.classes
        // Each row's label list J (up to the first −1) and membership in T = set(J).
        let labels: [[Int]] = (0..<n).map { row in
            Array(target.scalars[row * c ..< (row + 1) * c].prefix { $0 >= 0 }.map { Int($0) })
        }
        func hinges(_ row: Int, _ body: (_ j: Int, _ i: Int, _ z: Double, _ parts: Double) -> Void) {
            var isTarget = [Bool](repeating: false, count: c)
            for j in labels[row] { isTarget[j] = true }
            for j in labels[row] {
                let xj = input[row * c + j]
                for i in 0..<c where !isTarget[i] {
                    let xi = input[row * c + i]
                    body(j, i, 1 - xj + xi, 1 + abs(xj) + abs(xi))
                }
            }
        }

        var values = [Double](repeating: 0, count: n)
        var scales = values
        for row in 0..<n {
            var sum = CompensatedSum(), scale = CompensatedSum()
            hinges(row) { _, _, z, parts in
                if z > 0 { sum.add(z) }
                if MarginHinge.counts(z: z, parts: parts) { scale.add(parts) }
            }
            values[row] = sum.value / Double(c)
            scales[row] = scale.value / Double(c)
        }
        let shape = layout.outputShape
        let (output, outputScale) = Reduce.apply(values, scales: scales, shape: shape, reduction: reduction,
                                                 divisor: Double(n))
        var builder = ResultBuilder()
        builder.set("output", output, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: shape,
                                           divisor: Double(n)) else { return builder.result }

        var grad = [CompensatedSum](repeating: CompensatedSum(), count: input.count)
        var gradScale = [Double](repeating: 0, count: input.count)
        for row in 0..<n {
            let s = up[row] / Double(c)
            hinges(row) { j, i, z, _ in
                guard z > 0 else { return }
                grad[row * c + i].add(s)
                grad[row * c + j].add(-s)
                gradScale[row * c + i] += abs(s)
                gradScale[row * c + j] += abs(s)
            }
        }
        builder.set("grad_input", Tensor(shape: input.shape, scalars: grad.map(\.value)),
                    scale: Tensor(shape: input.shape, scalars: gradScale))
        return builder.result
    }

    static func multilabelMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try multilabelMarginLoss(input: c.requiredFloat("input"), target: c.requiredInteger("target"),
                                 reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
