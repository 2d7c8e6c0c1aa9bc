/// The per-element function of a `Pointwise3` loss: the loss and its derivative with respect to
/// each argument, on 16 lanes.
///
/// A value type, not a closure: the chunk kernels are generic over it and specialised for each
/// loss, so the function is inlined into the loop. Passed as a closure, it stayed an indirect
/// call per 16 elements inside the fork-join closure (hinge_embedding_loss's forward ran at 27%
/// of its memory bound).
protocol Pointwise3Kernel: Sendable {
    func callAsFunction(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> Pointwise3.Element
}

/// Streaming kernels for elementwise losses of up to three Float arguments (margin ranking's
/// x1, x2, y; hinge passes its target twice). One kernel serves the forward-only sum
/// (derivatives are dead code there and vanish when it is inlined) and the fused
/// forward+backward pass, so the two never disagree on an element.
enum Pointwise3 {
    typealias V = SIMD16<Float>
    typealias Element = (loss: V, d0: V, d1: V, d2: V)

    /// Where a fused pass writes; nil for outputs not requested.
    struct Outputs {
        var loss: UnsafeMutablePointer<Float>?
        var grad0: UnsafeMutablePointer<Float>?
        var grad1: UnsafeMutablePointer<Float>?
        var grad2: UnsafeMutablePointer<Float>?
    }

    /// Σ loss over `range`: four 16-lane Float accumulators, widened to Double at the end.
    @inline(never)
    static func sum<K: Pointwise3Kernel>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                                         _ range: Range<Int>, _ f: K) -> Double {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var i = range.lowerBound
        let end = range.upperBound
        @inline(__always) func at(_ k: Int) -> V { f(Streams.load(a, k), Streams.load(b, k), Streams.load(c, k)).loss }
        while i + 64 <= end {
            s0 += at(i)
            s1 += at(i + 16)
            s2 += at(i + 32)
            s3 += at(i + 48)
            i += 64
        }
        while i + 16 <= end {
            s0 += at(i)
            i += 16
        }
        if i < end {
            let n = end - i
            let l = f(Streams.loadPartial(a, i, n), Streams.loadPartial(b, i, n), Streams.loadPartial(c, i, n)).loss
            s1 += l.replacing(with: 0, where: .!Streams.laneMask(n))
        }
        return Streams.widenSum((s0 + s1) + (s2 + s3))
    }

    /// One pass over `range`: writes the requested outputs (gradients are `derivative · upstream`,
    /// the upstream per element from `up` or `uniform`) and returns Σ loss.
    @inline(never)
    static func fused<K: Pointwise3Kernel>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                                           up: UnsafePointer<Float>?, uniform: Float, _ out: Outputs, _ range: Range<Int>,
                                           _ f: K) -> Double {
        var s0 = V(), s1 = V()
        var i = range.lowerBound
        let end = range.upperBound
        let u = V(repeating: uniform)
        // The whole blocks written out, not through a local function shared with the tail: that
        // one stayed a call per block, spilling to the stack (hinge's backward at 37% of its bound).
        while i + 32 <= end {
            let e0 = f(Streams.load(a, i), Streams.load(b, i), Streams.load(c, i))
            let e1 = f(Streams.load(a, i + 16), Streams.load(b, i + 16), Streams.load(c, i + 16))
            let g0 = up.map { Streams.load($0, i) } ?? u, g1 = up.map { Streams.load($0, i + 16) } ?? u
            if let p = out.loss { Streams.store(e0.loss, p, i); Streams.store(e1.loss, p, i + 16) }
            if let p = out.grad0 { Streams.store(e0.d0 * g0, p, i); Streams.store(e1.d0 * g1, p, i + 16) }
            if let p = out.grad1 { Streams.store(e0.d1 * g0, p, i); Streams.store(e1.d1 * g1, p, i + 16) }
            if let p = out.grad2 { Streams.store(e0.d2 * g0, p, i); Streams.store(e1.d2 * g1, p, i + 16) }
            s0 += e0.loss
            s1 += e1.loss
            i += 32
        }
        while i < end {
            let n = min(16, end - i)
            let e = f(Streams.loadPartial(a, i, n), Streams.loadPartial(b, i, n), Streams.loadPartial(c, i, n))
            let g = up.map { Streams.loadPartial($0, i, n) } ?? u
            if let p = out.loss { Streams.storePartial(e.loss, p, i, n) }
            if let p = out.grad0 { Streams.storePartial(e.d0 * g, p, i, n) }
            if let p = out.grad1 { Streams.storePartial(e.d1 * g, p, i, n) }
            if let p = out.grad2 { Streams.storePartial(e.d2 * g, p, i, n) }
            s0 += e.loss.replacing(with: 0, where: .!Streams.laneMask(n))
            i += n
        }
        return Streams.widenSum(s0 + s1)
    }

    /// What `run` computed: Σ loss (chunk partials in chunk order), and the requested arrays
    /// (empty when not requested).
    struct Result {
        var total = 0.0
        var loss: [Float] = []
        var grad0: [Float] = [], grad1: [Float] = [], grad2: [Float] = []
    }

    /// Runs `f` over `count` elements in `Parallel.elementChunk` chunks: the forward-only sum when
    /// nothing is written, else the fused pass writing the elementwise loss (`wantLoss`) and the
    /// gradients of the arguments flagged in `wantGradients` (only with an upstream).
    static func run<K: Pointwise3Kernel>(count n: Int, _ a: [Float], _ b: [Float], _ c: [Float], upstream: Upstream?,
                                         wantLoss: Bool, wantGradients: (Bool, Bool, Bool), threads: Int, _ f: K) -> Result {
        var total = 0.0
        var loss: [Float] = [], g0: [Float] = [], g1: [Float] = [], g2: [Float] = []
        let grads = upstream == nil ? (false, false, false) : wantGradients
        let writes = wantLoss || grads.0 || grads.1 || grads.2
        // Each array is assigned after the closure that fills it returns.
        loss = produce(wantLoss, n) { pl in
            g0 = produce(grads.0, n) { p0 in
                g1 = produce(grads.1, n) { p1 in
                    g2 = produce(grads.2, n) { p2 in
                        let out = Outputs(loss: pl, grad0: p0, grad1: p1, grad2: p2)
                        total = a.withUnsafeBufferPointer { ab in
                            b.withUnsafeBufferPointer { bb in
                                c.withUnsafeBufferPointer { cb in
                                    upstream.withElementwise { up, uniform in
                                        let p = UncheckedSendable((ab.baseAddress, bb.baseAddress, cb.baseAddress, up, out))
                                        return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                                  initial: 0.0) { range in
                                            // Only non-empty ranges run, so the base addresses exist.
                                            guard let a = p.value.0, let b = p.value.1, let c = p.value.2 else { return 0 }
                                            return writes
                                                ? fused(a, b, c, up: p.value.3, uniform: uniform, p.value.4, range, f)
                                                : sum(a, b, c, range, f)
                                        }.reduce(0, +)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Result(total: total, loss: loss, grad0: g0, grad1: g1, grad2: g2)
    }

    /// An array of `n` Floats that `body` fills completely, or `[]` (and a nil pointer) when not wanted.
    @inline(__always)
    static func produce(_ wanted: Bool, _ n: Int, _ body: (UnsafeMutablePointer<Float>?) -> Void) -> [Float] {
        guard wanted, n > 0 else {
            body(nil)
            return []
        }
        return [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            FloatBuffers.adviseHugePages(buffer)
            body(buffer.baseAddress)
            initialized = n
        }
    }
}
