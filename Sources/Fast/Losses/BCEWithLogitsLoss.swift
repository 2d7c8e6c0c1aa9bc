@_spi(Kernels) import LossSpec

extension Fast {
    /// Binary cross entropy on logits in Float32, mirroring
    /// `torch.nn.functional.binary_cross_entropy_with_logits` (see
    /// `Reference.binaryCrossEntropyWithLogits` for the definition, shapes and edge cases).
    ///
    /// Evaluated as `l = w·[pw·y·(−logσ(x)) + (1 − y)·(−logσ(−x))]` with both `−logσ` terms from one
    /// `e^{−|x|}` (`LogisticTerms`): non-negative for y ∈ [0, 1], finite for |x| = 800, and σ(x) for
    /// the gradient comes from the same exponential. `∂/∂y = w g·(pw·(−logσ(x)) − (−logσ(−x)))`
    /// (`−x·w g` without pos_weight, exactly as PyTorch).
    ///
    /// Cost: one fused pass per chunk, one vector exp and one log per element (a window of 256
    /// at a time, `LogisticWindow`), one division for log1p's correction; weight and
    /// pos_weight of other shapes are expanded once beforehand. Accuracy: a few roundings plus
    /// libmvec's ≤ 4 ulp per element; sums per-lane Float over 1 K-element blocks, then Double.
    package static func binaryCrossEntropyWithLogits(
        input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil, posWeight: Tensor<Float>? = nil,
        reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads
    ) throws -> FastResult {
        let shape = input.shape
        try BCEWithLogitsValidation.validate(input: shape, target: target.shape, weight: weight?.shape,
                                             posWeight: posWeight?.shape)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: shape, divisor: Double(input.count))
        let run = LogisticElementwise.run(
            input: input.scalars, target: target.scalars, weight: weight.map { Broadcasting.expand($0, to: shape) },
            posWeight: posWeight.map { Broadcasting.expand($0, to: shape) }, upstream: upstream,
            wantOutput: reduction == .none, threads: threads, initial: 0.0, bceWithLogitsChunk)
        return LogisticElementwise.result(shape: shape, reduction: reduction, total: run.partials.reduce(0, +),
                                          out: run.out, gradInput: upstream == nil ? nil : run.gx,
                                          gradTarget: upstream == nil ? nil : run.gy)
    }

    @inline(__always)
    static func bceWithLogitsChunk(_ b: ElementwiseBuffers, _ range: Range<Int>) -> Double {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * LogisticWindow.size) { values in
            var step = BCEWithLogitsStep(b: b, window: LogisticWindow(values: values.baseAddress!), limit: range.upperBound)
            return Lanes8.blockSum(range, &step)
        }
    }

    static func binaryCrossEntropyWithLogits(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try binaryCrossEntropyWithLogits(
            input: a.requiredFloat("input"), target: a.requiredFloat("target"), weight: a.float("weight"),
            posWeight: a.float("pos_weight"), reduction: o.reduction, gradOutput: a.float("grad_output"),
            threads: threads)
    }
}

/// Eight elements of `Fast.bceWithLogitsChunk` with weights, outputs and gradients as requested.
struct BCEWithLogitsStep: Lanes8Step {
    let b: ElementwiseBuffers
    var window: LogisticWindow
    /// The end of the chunk: no window reads past it.
    let limit: Int

    @inline(__always)
    mutating func callAsFunction(_ i: Int, _ n: Int) -> SIMD8<Float> {
        let x = Lanes8.load(b.x, i, n), y = Lanes8.load(b.y, i, n)
        if window.needsFill(i) { window.fill(b.x, from: i, limit: limit) }
        let t = LogisticWindow.terms(x, at: i, values: window.values, start: window.start)
        let pw = b.pw.map { Lanes8.load($0, i, n) }
        let w = b.w.map { Lanes8.load($0, i, n) }
        var positive = y * t.negLogSigmoid
        if let pw { positive = pw * positive }
        var l = positive + (1 - y) * t.negLogSigmoidOfNegative
        if let w { l = w * l }
        if let out = b.out { Lanes8.store(l, out, i, n) }
        if let gx = b.gx, let gy = b.gy {
            var wg = b.up.map { Lanes8.load($0, i, n) } ?? SIMD8<Float>(repeating: b.uniform)
            if let w { wg = w * wg }
            let sig = t.sigmoid(x)
            if let pw {
                Lanes8.store(wg * ((1 + (pw - 1) * y) * sig - pw * y), gx, i, n)
                Lanes8.store(wg * (pw * t.negLogSigmoid - t.negLogSigmoidOfNegative), gy, i, n)
            } else {
                Lanes8.store(wg * (sig - y), gx, i, n)
                Lanes8.store(-x * wg, gy, i, n)
            }
        }
        return l
    }
}
