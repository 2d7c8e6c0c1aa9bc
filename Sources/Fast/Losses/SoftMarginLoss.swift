@_spi(Kernels) import LossSpec

/// soft_margin_loss on 16 lanes, literally as PyTorch computes it: t = −y·x, z = exp(t),
/// l = log1p(z), ∂l/∂x = −y·z/(1 + z). exp overflows to +inf for t > ~88.72, giving l = +inf and
/// a NaN gradient (inf/inf), as in PyTorch's float32 kernels.
enum SoftMarginKernel {
    typealias V = SIMD16<Float>

    /// (l, z) for 16 lanes: the inline exp and two libmvec log1p calls on the 8-lane halves.
    @inline(__always)
    static func lossAndExp(_ x: V, _ y: V) -> (l: V, z: V) {
        let t = -(y * x)
        let z = V(lowHalf: VectorMath.exp(t.lowHalf), highHalf: VectorMath.exp(t.highHalf))
        let l = V(lowHalf: VectorMath.log1p(z.lowHalf), highHalf: VectorMath.log1p(z.highHalf))
        return (l, z)
    }

    // Chunk kernels: explicit loops out of line, so the lane math inlines (see FastRegression).

    /// Σ l over one chunk, two accumulators.
    @inline(never)
    static func reduced(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        var a0 = V(), a1 = V()
        var i = range.lowerBound
        let end = range.upperBound
        while i + 32 <= end {
            a0 += lossAndExp(Streams.load(x, i), Streams.load(y, i)).l
            a1 += lossAndExp(Streams.load(x, i + 16), Streams.load(y, i + 16)).l
            i += 32
        }
        while i < end {
            let m = min(16, end - i)
            let l = lossAndExp(Streams.loadPartial(x, i, m), Streams.loadPartial(y, i, m)).l
            a0 += l.replacing(with: 0, where: .!Streams.laneMask(m))
            i += m
        }
        return Streams.widenSum(a0 + a1)
    }

    /// out = l over one chunk.
    @inline(never)
    static func elementwise(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            _ range: Range<Int>) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let m = min(16, end - i)
            let l = lossAndExp(Streams.loadPartial(x, i, m), Streams.loadPartial(y, i, m)).l
            if m == 16 { Streams.store(l, out, i) } else { Streams.storePartial(l, out, i, m) }
            i += m
        }
    }

    /// Forward+backward over one chunk: gx = g·(−y·z/(1 + z)) with g = up[i] ('none') or the
    /// uniform `u` ('sum'/'mean'); out = l when given; returns Σ l.
    @inline(never)
    static func fused(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ up: UnsafePointer<Float>?, _ u: Float,
                      _ out: UnsafeMutablePointer<Float>?, _ gx: UnsafeMutablePointer<Float>, _ range: Range<Int>) -> Double {
        var acc = V()
        let uv = V(repeating: u)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let m = min(16, end - i)
            let full = m == 16
            let xv = full ? Streams.load(x, i) : Streams.loadPartial(x, i, m)
            let yv = full ? Streams.load(y, i) : Streams.loadPartial(y, i, m)
            let g = up.map { full ? Streams.load($0, i) : Streams.loadPartial($0, i, m) } ?? uv
            let (l, z) = lossAndExp(xv, yv)
            let d = -yv * z / (1 + z) * g
            if full {
                Streams.store(d, gx, i)
                if let out { Streams.store(l, out, i) }
                acc += l
            } else {
                Streams.storePartial(d, gx, i, m)
                if let out { Streams.storePartial(l, out, i, m) }
                acc += l.replacing(with: 0, where: .!Streams.laneMask(m))
            }
            i += m
        }
        return Streams.widenSum(acc)
    }
}

extension Fast {
    /// Soft margin loss in Float32, mirroring `torch.nn.functional.soft_margin_loss` (see
    /// `Reference.softMarginLoss`): `log1p(exp(−y·x))` computed literally, so +inf loss and NaN
    /// gradient once −y·x exceeds ~88.72 in Float32. The target may broadcast to the input's shape
    /// (never enlarge it); it is not differentiable, so only `grad_input` is returned.
    ///
    /// Cost: one read of input and target (a broadcast target is first materialised), one exp and
    /// one log1p per element (exp inline, log1p from libmvec, 8 lanes); forward+backward writes grad_input in the same
    /// pass. Accuracy: a few ulp per element from exp (< 1 ulp) and log1p (≤ 4 ulp) and the rounding of
    /// −y·x amplified by |t|·σ(t) (the Reference's scale); sums per-lane Float per chunk, then
    /// Double.
    ///
    /// - Throws: `shape_mismatch` (target does not broadcast, or would enlarge the output, or a
    ///   grad_output of the wrong shape), `invalid_reduction` via the options.
    package static func softMarginLoss(input: Tensor<Float>, target: Tensor<Float>, reduction: Reduction = .mean,
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
                            return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                      initial: 0.0) { range in
                                let (x, y, o, gx, up) = ptrs.value
                                switch (o, gx) {
                                case (_, let gx?):
                                    return SoftMarginKernel.fused(x, y, up, uniform, o, gx, range)
                                case (let o?, nil):
                                    SoftMarginKernel.elementwise(x, y, o, range)
                                    return 0
                                case (nil, nil):
                                    return SoftMarginKernel.reduced(x, y, range)
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
