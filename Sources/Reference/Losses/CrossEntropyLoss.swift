import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Cross entropy of logits, mirroring `torch.nn.functional.cross_entropy(input, target, weight,
    /// ignore_index, reduction, label_smoothing)`.
    ///
    /// **Definition.** Input `(C)`, `(N, C)` or `(N, C, d1, …, dk)`, class dimension 1 (0 for 1-D);
    /// `logp = log_softmax(x)` over the class dimension, max-shifted: `x − m − log Σ exp(x − m)`.
    /// The target's shape selects the path: **equal to the input's shape → class probabilities**
    /// (float64), otherwise **class indices** (int64, shaped `()`/`(1)`, `(N)` or `(N, d1, …, dk)`).
    /// `ε = label_smoothing` (values ≤ 0 mean no smoothing), `w ≡ 1` without weight.
    /// - index: for a valid position (`y_n ≠ ignore_index`)
    ///   `l_n = (1−ε)·(−w_{y_n}·logp_{n,y_n}) + (ε/C)·(−Σ_c w_c·logp_{n,c})`; ignored → 0.
    /// - probabilities: `y' = (1−ε)·y + ε/C` (ε > 0 only), `l_n = −Σ_c w_c·y'_{n,c}·logp_{n,c}`;
    ///   the values are not validated (need not lie in [0, 1] or sum to 1).
    ///
    /// **Reduction.** 'none' → `()` for 1-D input, else `(N, d1, …, dk)`; 'sum' → `Σ l_n`.
    /// 'mean': index path → `Σ l_n / W`, `W = Σ_{valid n} w_{y_n}` (both terms, same denominator);
    /// probability path → `Σ l_n / (N·d1⋯dk)`, the number of positions.
    ///
    /// **Gradients** (`p = softmax(x)`, `u_n` = upstream `g_n`, `g` or `g/divisor`):
    /// - index: `∂/∂x_{n,k} = u_n·[(1−ε)·w_y·(p_k − [k=y]) + (ε/C)·(p_k·Σ_c w_c − w_k)]`; ignored
    ///   positions get `0·p_k` (NaN where the row's log-softmax is NaN, as autograd gives).
    ///   The integer target has no gradient.
    /// - probabilities: `∂/∂x_{n,k} = u_n·(p_k·Σ_c w_c y'_c − w_k y'_k)`,
    ///   `∂/∂y_{n,c} = −u_n·(1−ε)·w_c·logp_{n,c}`. The weight is never differentiable.
    ///
    /// **Edge cases.** Every target ignored or `W = 0`: 'mean' NaN. A `−inf` logit has `logp = −inf`:
    /// loss `inf` if targeted (or with ε > 0, or with probability `y = 0` → `0·(−inf) = NaN`).
    /// A NaN or `+inf` logit, or an all-`−inf` row, makes the row's `logp` NaN. `C = 1` gives `−0.0`.
    /// Probability path: an empty 'sum' is `−0.0` (PyTorch negates the sum), 'mean' of no position
    /// NaN, and `C = 0` gives `−0.0` per position and NaN for 'mean'.
    /// Deviation from PyTorch: a `(C)` input with a `(1)` index target is treated exactly like a `()`
    /// target; PyTorch's forward accepts it only without label smoothing, and its backward raises.
    ///
    /// **Errors.** 0-dim input → `shape_mismatch` (PyTorch raises a dtype or dimension error there);
    /// `label_smoothing > 1` → `invalid_option`; probability target not float64, or index target
    /// not int64 → `invalid_value`; `ignore_index ≥ 0` with probabilities → `invalid_option`;
    /// weight not 1-D of length C, target shape not fitting the input → `shape_mismatch`; class
    /// index outside `[0, C)` and ≠ `ignore_index` → `target_out_of_range`.
    ///
    /// **Error scale.** `logp_c = (x_c − m) − log S` has the cancelling parts `|x_c − m| + log S`,
    /// plus 1 for the relative error of the positive sum `S` inside the log; `p_c = exp(logp_c)`
    /// inherits it as `p_c·(that)`. An element's scale is the loss formula with every factor
    /// replaced by its magnitude scale (`|w|`, `(1−ε)|y| + ε/C`, the `logp` scale), and a gradient's
    /// likewise with `p_k` replaced by its scale; the index 'mean' carries the cancellation in `W`
    /// as in NLL.
    public static func crossEntropy(input: Tensor<Double>, target: TensorValue, weight: Tensor<Double>? = nil,
                                    ignoreIndex: Int = -100, reduction: Reduction = .mean,
                                    labelSmoothing: Double = 0,
                                    gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let isFloat: Bool
        if case .float64 = target { isFloat = true } else { isFloat = false }
        let (layout, kind, w) = try CrossEntropyValidation.check(
            input: input.shape, target: target.shape, targetIsFloat: isFloat, weight: weight,
            ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)
        let smoothing = labelSmoothing > 0 ? labelSmoothing : 0
        let rows = LogSoftmaxRows(input: input, layout: layout)
        switch (kind, target) {
        case (.probabilities, .float64(let probabilities)):
            return try CrossEntropyPaths.probabilities(
                rows, target: probabilities, weight: w, smoothing: smoothing, reduction: reduction,
                gradOutput: gradOutput)
        case (.indices, .int64(let indices)):
            let classes = try layout.targetClasses(indices, ignoreIndex: ignoreIndex)
            return try CrossEntropyPaths.indices(
                rows, classes: classes, weight: w, smoothing: smoothing, reduction: reduction, gradOutput: gradOutput)
        default:
            preconditionFailure("CrossEntropyValidation.check pairs each target kind with its dtype")
        }
    }

    static func crossEntropy(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        guard let target = c.inputs["target"] else {
            throw LossError(.invalidOption, argument: "target", "cross_entropy needs the tensor argument 'target'")
        }
        return try crossEntropy(input: c.requiredFloat("input"), target: target, weight: c.float("weight"),
                                ignoreIndex: o.ignoreIndex, reduction: o.reduction,
                                labelSmoothing: o.labelSmoothing, gradOutput: c.float("grad_output"))
    }
}

/// The max-shifted log-softmax of every position of a class-scored input, with error scales.
private struct LogSoftmaxRows {
    let layout: ClassScores
    /// The input's shape.
    let shape: [Int]
    /// `logp`, `p = exp(logp)` and their error scales, in the input's own layout.
    var logp: [Double], p: [Double], logpScale: [Double], pScale: [Double]

    init(input: Tensor<Double>, layout: ClassScores) {
        self.layout = layout
        shape = input.shape
        let n = input.count
        logp = [Double](repeating: 0, count: n)
        p = logp
        logpScale = logp
        pScale = logp
        for position in 0..<layout.positions {
            let idx = indices(position)
            let x = idx.map { input[$0] }
            // NaN anywhere makes the whole row NaN, as PyTorch's kernel does; +inf or an all-(−inf)
            // row yields NaN through inf − inf below, also as PyTorch.
            let m = x.contains(where: \.isNaN) ? .nan : (x.max() ?? 0)
            let shifted = x.map { $0 - m }
            let logS = log(CompensatedSum.sum(shifted.lazy.map { exp($0) }))
            for (c, k) in idx.enumerated() {
                logp[k] = shifted[c] - logS
                p[k] = exp(logp[k])
                logpScale[k] = abs(shifted[c]) + abs(logS) + 1
                pScale[k] = p[k] * logpScale[k]
            }
        }
    }

    func indices(_ position: Int) -> [Int] {
        (0..<layout.classes).map { layout.index(position: position, class: $0) }
    }
}

/// The two target interpretations of cross entropy.
private enum CrossEntropyPaths {
    /// PyTorch evaluates `(1−ε)·R(nll) + (ε/C)·R(smooth)` with each term reduced on its own, and
    /// autograd's `G − p·ΣG` through log_softmax; both orders are kept so that the non-finite
    /// results (W = 0, C = 0, ε = 1 with an infinite term) are PyTorch's.
    static func indices(_ rows: LogSoftmaxRows, classes: [Int?], weight w: [Double]?, smoothing eps: Double,
                        reduction: Reduction, gradOutput: Tensor<Double>?) throws -> LossResult {
        let layout = rows.layout
        let c = Double(layout.classes)
        let count = layout.positions
        var nll = [Double](repeating: 0, count: count), nllScale = nll
        var smooth = nll, smoothScale = nll
        var weightSum = CompensatedSum(), weightAbsSum = CompensatedSum()
        for position in 0..<count {
            guard let y = classes[position] else { continue }
            let idx = rows.indices(position)
            let wy = w?[y] ?? 1
            nll[position] = -wy * rows.logp[idx[y]]
            nllScale[position] = abs(wy) * rows.logpScale[idx[y]]
            weightSum.add(wy)
            weightAbsSum.add(abs(wy))
            guard eps > 0 else { continue }
            var sum = CompensatedSum(), scale = CompensatedSum()
            for (cls, k) in idx.enumerated() {
                let wc = w?[cls] ?? 1
                sum.add(-wc * rows.logp[k])
                scale.add(abs(wc) * rows.logpScale[k])
            }
            smooth[position] = sum.value
            smoothScale[position] = scale.value
        }
        func reduce(_ values: [Double], _ scales: [Double]) throws -> WeightSumReduction {
            try WeightSumReduction(values: values, scales: scales, shape: layout.positionShape, reduction: reduction,
                                   weightSum: weightSum.value, weightAbsSum: weightAbsSum.value,
                                   gradOutput: gradOutput)
        }
        let reducedNLL = try reduce(nll, nllScale)
        var output = reducedNLL.output, outputScale = reducedNLL.outputScale
        if eps > 0 {
            // Ignored positions hold 0 in both terms, so C = 0 gives (ε/0)·0 = NaN as in PyTorch.
            let reducedSmooth = try reduce(smooth, smoothScale)
            for i in 0..<output.count {
                output[i] = (1 - eps) * output[i] + (eps / c) * reducedSmooth.output[i]
                outputScale[i] = (1 - eps) * outputScale[i] + (eps / c) * reducedSmooth.outputScale[i]
            }
        }
        var builder = ResultBuilder()
        builder.set("output", output, scale: outputScale)
        guard let up = reducedNLL.upstream else { return builder.result }

        var grad = [Double](repeating: 0, count: rows.p.count)
        var gradScale = grad
        for position in 0..<count {
            let idx = rows.indices(position)
            // G = ∂l/∂logp: nll_loss's backward puts w_y·(−u) at y; the smoothing term −(ε/C)·u·w_c
            // everywhere. An ignored position passes G = 0 (still 0·p = NaN for a NaN row).
            var g = [Double](repeating: 0, count: idx.count)
            var s = g
            if let y = classes[position] {
                let u = up[position]
                let wy = w?[y] ?? 1
                g[y] = wy * -((eps > 0 ? 1 - eps : 1) * u)
                s[y] = abs(g[y])
                if eps > 0 {
                    let smoothUpstream = -(eps / c) * u
                    for cls in idx.indices {
                        let wc = w?[cls] ?? 1
                        g[cls] += smoothUpstream * wc
                        s[cls] += abs(smoothUpstream * wc)
                    }
                }
            }
            let sumG = CompensatedSum.sum(g)
            let sumGScale = CompensatedSum.sum(s)
            for (cls, k) in idx.enumerated() {
                grad[k] = g[cls] - rows.p[k] * sumG
                gradScale[k] = (s[cls] + rows.pScale[k] * sumGScale) * reducedNLL.gradientFactor
            }
        }
        builder.set("grad_input", Tensor(shape: rows.shape, scalars: grad),
                    scale: Tensor(shape: rows.shape, scalars: gradScale))
        return builder.result
    }

    static func probabilities(_ rows: LogSoftmaxRows, target: Tensor<Double>, weight w: [Double]?,
                              smoothing eps: Double, reduction: Reduction,
                              gradOutput: Tensor<Double>?) throws -> LossResult {
        let layout = rows.layout
        let c = Double(layout.classes)
        // y' = (1−ε)·y + ε/C and the magnitude of its parts.
        let smoothed = eps > 0 ? target.scalars.map { (1 - eps) * $0 + eps / c } : target.scalars
        let smoothedScale = eps > 0 ? target.scalars.map { (1 - eps) * abs($0) + eps / c } : target.scalars.map(abs)
        let count = layout.positions
        // q_n = Σ_c w_c·y'_c·logp_c, so that l_n = −q_n and an empty 'sum' is −0.0 like PyTorch's.
        var q = [Double](repeating: 0, count: count)
        var scales = q
        for position in 0..<count {
            var sum = CompensatedSum(), scale = CompensatedSum()
            for (cls, k) in rows.indices(position).enumerated() {
                let wc = w?[cls] ?? 1
                sum.add(wc * smoothed[k] * rows.logp[k])
                scale.add(abs(wc) * smoothedScale[k] * rows.logpScale[k])
            }
            q[position] = sum.value
            scales[position] = scale.value
        }
        // PyTorch divides by numel/C, which is NaN for C = 0.
        let divisor = layout.classes == 0 ? 0 : Double(count)
        let (sumQ, outputScale) = Reduce.apply(q, scales: scales, shape: layout.positionShape,
                                               reduction: reduction, divisor: divisor)
        var builder = ResultBuilder()
        builder.set("output", sumQ.map { -$0 }, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: layout.positionShape,
                                           divisor: divisor) else { return builder.result }

        var gradInput = [Double](repeating: 0, count: rows.p.count)
        var gradInputScale = gradInput, gradTarget = gradInput, gradTargetScale = gradInput
        let targetFactor = 1 - eps
        for position in 0..<count {
            let idx = rows.indices(position)
            let u = up[position]
            var weighted = CompensatedSum(), weightedScale = CompensatedSum()
            for (cls, k) in idx.enumerated() {
                let wc = w?[cls] ?? 1
                weighted.add(wc * smoothed[k])
                weightedScale.add(abs(wc) * smoothedScale[k])
            }
            for (cls, k) in idx.enumerated() {
                let wk = w?[cls] ?? 1
                gradInput[k] = u * (rows.p[k] * weighted.value - wk * smoothed[k])
                gradInputScale[k] = abs(u) * (rows.pScale[k] * weightedScale.value + abs(wk) * smoothedScale[k])
                gradTarget[k] = -u * targetFactor * wk * rows.logp[k]
                gradTargetScale[k] = abs(u * targetFactor * wk) * rows.logpScale[k]
            }
        }
        builder.set("grad_input", Tensor(shape: rows.shape, scalars: gradInput),
                    scale: Tensor(shape: rows.shape, scalars: gradInputScale))
        builder.set("grad_target", Tensor(shape: rows.shape, scalars: gradTarget),
                    scale: Tensor(shape: rows.shape, scalars: gradTargetScale))
        return builder.result
    }
}
