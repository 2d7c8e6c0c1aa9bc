import LossSpec

/// soft_margin_loss on 16 lanes, literally as PyTorch computes it: t = −y·x, z = exp(t),
/// l = log1p(z), ∂l/∂x = −y·z/(1 + z). exp overflows to +inf for t > ~88.72, giving l = +inf and
/// a NaN gradient (inf/inf), as in PyTorch's float32 kernels.
enum SoftMarginKernel {
    typealias V = SIMD16<Float>

    /// (l, z) for 16 lanes: two libmvec exp and two log1p calls on the 8-lane halves.
    @inline(__always)
    static func lossAndExp(_ x: V, _ y: V) -> (l: V, z: V) {
        let t = -(y * x)
        let z = V(lowHalf: VectorMath.exp(t.lowHalf), highHalf: VectorMath.exp(t.highHalf))
        let l = V(lowHalf: VectorMath.log1p(z.lowHalf), highHalf: VectorMath.log1p(z.highHalf))
        return (l, z)
    }

    @inline(__always)
    static func loss(_ x: V, _ y: V) -> V { lossAndExp(x, y).l }

    /// (l, g·∂l/∂x).
    @inline(__always)
    static func lossAndGradient(_ x: V, _ y: V, _ g: V) -> (V, V) {
        let (l, z) = lossAndExp(x, y)
        return (l, -y * z / (1 + z) * g)
    }
}

extension Fast {
    /// Soft margin loss in Float32, mirroring `torch.nn.functional.soft_margin_loss` (see
    /// `Reference.softMarginLoss`): `log1p(exp(−y·x))` computed literally, so +inf loss and NaN
    /// gradient once −y·x exceeds ~88.72 in Float32. The target may broadcast to the input's shape
    /// (never enlarge it); it is not differentiable, so only `grad_input` is returned.
    ///
    /// Cost: one read of input and target (a broadcast target is first materialised), one exp and
    /// one log1p per element (libmvec, 8 lanes); forward+backward writes grad_input in the same
    /// pass. Accuracy: a few ulp per element from exp/log1p (≤ 4 ulp each) and the rounding of
    /// −y·x amplified by |t|·σ(t) (the Reference's scale); sums per-lane Float per chunk, then
    /// Double.
    ///
    /// - Throws: `shape_mismatch` (target does not broadcast, or would enlarge the output, or a
    ///   grad_output of the wrong shape), `invalid_reduction` via the options.
    public static func softMarginLoss(input: Tensor<Float>, target: Tensor<Float>, reduction: Reduction = .mean,
                                      gradOutput: Tensor<Float>? = nil,
                                      threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let shape = try SoftMarginValidation.shape(input: input.shape, target: target.shape)
        let n = input.count
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: shape, divisor: Double(n))
        let x = input.scalars
        let y = Broadcasting.expand(target, to: shape)
        let wantElements = reduction == .none
        var out = wantElements ? FloatBuffers.uninitialized(n) : []
        var gx = upstream != nil ? FloatBuffers.uninitialized(n) : []
        let partials: [Double] = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                out.withUnsafeMutableBufferPointer { ob in
                    gx.withUnsafeMutableBufferPointer { gxb in
                        upstream.withElementwise { up, uniform in
                            guard n > 0, let xp = xb.baseAddress, let yp = yb.baseAddress else { return [] }
                            // An empty array may still have a base address: requested outputs are the non-empty ones.
                            let ptrs = UncheckedSendable((xp, yp, ob.isEmpty ? nil : ob.baseAddress,
                                                          gxb.isEmpty ? nil : gxb.baseAddress, up))
                            let u = SIMD16<Float>(repeating: uniform)
                            return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                      initial: 0.0) { range in
                                let (x, y, o, gx, up) = ptrs.value
                                switch (o, gx) {
                                case (_, let gx?):
                                    // 'none' carries grad_output per element; 'sum'/'mean' the uniform u.
                                    return Streams.fused(x, y, up, o, gx, range) { a, b, g in
                                        let (l, d) = SoftMarginKernel.lossAndGradient(a, b, up == nil ? g * u : g)
                                        return (l, d, l)
                                    }
                                case (let o?, nil):
                                    Streams.map(x, y, o, range, SoftMarginKernel.loss)
                                    return 0
                                case (nil, nil):
                                    return Streams.sum(x, y, range, SoftMarginKernel.loss)
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        result.setOutput(reduction, shape: shape, elements: out, partials: partials, divisor: Double(n))
        if upstream != nil { result.outputs["grad_input"] = Tensor(shape: shape, scalars: gx) }
        return result
    }

    static func softMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try softMarginLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"),
                           reduction: o.reduction, gradOutput: a.float("grad_output"), threads: threads)
    }
}
