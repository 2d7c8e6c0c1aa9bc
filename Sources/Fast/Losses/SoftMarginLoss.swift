@_spi(Kernels) import LossSpec

/// soft_margin_loss on 16 lanes, literally as PyTorch computes it: t = −y·x, z = exp(t),
/// l = log1p(z), ∂l/∂x = −y·z/(1 + z). exp overflows to +inf for t > ~88.72, giving l = +inf and
/// a NaN gradient (inf/inf), as in PyTorch's float32 kernels.
enum SoftMarginKernel {
    typealias V = SIMD16<Float>

    /// Elements whose z and l are computed at once (2 KiB of each, inside L1).
    static let window = 256

    /// z = exp(−y·x) of elements `i..<i+count` (count ≤ `window`) into `z`, then l = log1p(z)
    /// into `l`, each in a loop that does nothing else: a libmvec call clobbers every vector
    /// register, so made inside the accumulating loop it spilled and reloaded that loop's
    /// accumulators and operands around each call (soft_margin_loss's forward 4.4 → 3.2 ms at
    /// 1 thread on AMD EPYC (Zen 5)). A partial last vector is padded with 0 (z = 1).
    @inline(__always)
    static func fill(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ i: Int, _ count: Int,
                     z: UnsafeMutablePointer<Float>, l: UnsafeMutablePointer<Float>) {
        var k = 0
        while k < count {
            let m = min(16, count - k)
            let yv = m == 16 ? Streams.load(y, i + k) : Streams.loadPartial(y, i + k, m)
            let xv = m == 16 ? Streams.load(x, i + k) : Streams.loadPartial(x, i + k, m)
            let t = -(yv * xv)
            Streams.store(V(lowHalf: VectorMath.exp(t.lowHalf), highHalf: VectorMath.exp(t.highHalf)), z, k)
            k += 16
        }
        k = 0
        while k < count {
            Lanes8.store(VectorMath.log1p(Lanes8.load(z, k, 8)), l, k, 8)
            k += 8
        }
    }

    /// Runs `body(i, count, z, l)` on each window of `range` after `fill`.
    @inline(__always)
    static func windows(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>,
                        _ body: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * window) { buffer in
            let z = buffer.baseAddress!, l = z + window
            var i = range.lowerBound
            while i < range.upperBound {
                let count = min(window, range.upperBound - i)
                fill(x, y, i, count, z: z, l: l)
                body(i, count, z, l)
                i += count
            }
        }
    }

    // Chunk kernels: explicit loops out of line, so the lane math inlines (see FastRegression).

    /// Σ l over one chunk, two accumulators.
    @inline(never)
    static func reduced(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        var a0 = V(), a1 = V()
        windows(x, y, range) { _, count, _, l in
            var k = 0
            while k + 32 <= count {
                a0 += Streams.load(l, k)
                a1 += Streams.load(l, k + 16)
                k += 32
            }
            while k < count {
                let m = min(16, count - k)
                a0 += Streams.load(l, k).replacing(with: 0, where: .!Streams.laneMask(m))
                k += m
            }
        }
        return Streams.widenSum(a0 + a1)
    }

    /// out = l over one chunk.
    @inline(never)
    static func elementwise(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            _ range: Range<Int>) {
        windows(x, y, range) { i, count, _, l in
            (out + i).update(from: l, count: count)
        }
    }

    /// Forward+backward over one chunk: gx = g·(−y·z/(1 + z)) with g = up[i] ('none') or the
    /// uniform `u` ('sum'/'mean'); out = l when given; returns Σ l.
    @inline(never)
    static func fused(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ up: UnsafePointer<Float>?, _ u: Float,
                      _ out: UnsafeMutablePointer<Float>?, _ gx: UnsafeMutablePointer<Float>, _ range: Range<Int>) -> Double {
        var acc = V()
        let uv = V(repeating: u)
        windows(x, y, range) { i, count, zs, ls in
            var k = 0
            while k < count {
                let m = min(16, count - k)
                let full = m == 16
                let at = i + k
                let yv = full ? Streams.load(y, at) : Streams.loadPartial(y, at, m)
                let g = up.map { full ? Streams.load($0, at) : Streams.loadPartial($0, at, m) } ?? uv
                let l = Streams.load(ls, k), z = Streams.load(zs, k)
                let d = -yv * z / (1 + z) * g
                if full {
                    Streams.store(d, gx, at)
                    if let out { Streams.store(l, out, at) }
                    acc += l
                } else {
                    Streams.storePartial(d, gx, at, m)
                    if let out { Streams.storePartial(l, out, at, m) }
                    acc += l.replacing(with: 0, where: .!Streams.laneMask(m))
                }
                k += m
            }
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
    /// one log1p per element (exp inline, log1p from libmvec, 8 lanes, a window of 256 elements at a time); forward+backward writes grad_input in the same
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
