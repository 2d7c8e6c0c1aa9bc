#if LOSSBENCH_AVX2
import CVectorMath
#endif

/// Streaming SIMD kernels over unsafe Float buffers, specialised at each call site.
///
/// Every kernel walks its range in blocks of 64 floats (four independent `SIMD16<Float>`
/// accumulators, so the adds pipeline instead of waiting on one register), then 16-lane blocks,
/// then one masked partial block for the tail. The per-element function `f` is the same closure
/// for body and tail, so a result never depends on where an element falls. Partial sums leave a
/// range as Double: the caller combines chunk partials in chunk order (see `Parallel`).
package enum Streams {
    package typealias V = SIMD16<Float>

    @inlinable @inline(__always)
    package static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
    }

    @inlinable @inline(__always)
    package static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }

    /// Floats ahead of the current element that a row kernel asks for (8 KiB per stream): rows
    /// of 64 floats read from three streams left the hardware prefetcher behind, and asking this
    /// far ahead ran triplet_margin_loss's forward 13–20% faster at one thread on AMD EPYC
    /// (Zen 5) (1024 floats gained less, 4096 no more). cosine_embedding_loss's two streams
    /// gained nothing from it, so it does not ask.
    package static let prefetchDistance = 2048

    /// Asks for the cache line `prefetchDistance` floats past `p + i` (a hint: it never faults,
    /// so it may point past the buffer's end); nothing on the portable build.
    @inlinable @inline(__always)
    package static func prefetchAhead(_ p: UnsafePointer<Float>, _ i: Int) {
        #if LOSSBENCH_AVX2
        lb_prefetch(UnsafeRawPointer(p) + 4 * (i + prefetchDistance))
        #endif
    }

    /// The first `n` lanes from `p + i`, the rest filled with `pad` (a value `f` is safe on).
    @inlinable @inline(__always)
    package static func loadPartial(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int, pad: Float = 0) -> V {
        // Masked loads (see `lb_load_first8`): a lane-by-lane insert stalls on store forwarding.
        #if LOSSBENCH_AVX2
        V(lowHalf: lb_load_first8(p + i, n, pad), highHalf: lb_load_first8(p + i + 8, n - 8, pad))
        #else
        V(lowHalf: PortableMath.loadFirst8(p + i, n, pad), highHalf: PortableMath.loadFirst8(p + i + 8, n - 8, pad))
        #endif
    }

    @inlinable @inline(__always)
    package static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
        #if LOSSBENCH_AVX2
        lb_store_first8(p + i, n, v.lowHalf)
        lb_store_first8(p + i + 8, n - 8, v.highHalf)
        #else
        PortableMath.storeFirst8(p + i, n, v.lowHalf)
        PortableMath.storeFirst8(p + i + 8, n - 8, v.highHalf)
        #endif
    }

    /// Lanes `0..<n` true.
    @inlinable @inline(__always)
    package static func laneMask(_ n: Int) -> SIMDMask<SIMD16<Int32>> {
        // Compared as Float (vcmpps): the SIMD16<Int32> comparison compiles lane by lane through
        // the stack. Lane indices and any n ≤ 2^24 are exact in Float.
        V(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< V(repeating: Float(Swift.min(n, 16)))
    }

    /// Horizontal sum in Float, as a tree: halves added lane by lane down to one (4 vector adds).
    ///
    /// The standard library's `sum()` on SIMD16<Float> adds the lanes one after another and was
    /// not inlined: a call of 15 dependent scalar adds per row, 10% of cosine_embedding_loss and
    /// multi_margin_loss at 64 features. The tree rounds differently, with a smaller error bound
    /// (log2 16 = 4 roundings deep instead of 15).
    @inlinable @inline(__always)
    package static func laneSum(_ v: V) -> Float {
        let h = v.lowHalf + v.highHalf
        let q = h.lowHalf + h.highHalf
        let d = q.lowHalf + q.highHalf
        return d[0] + d[1]
    }

    /// Horizontal sum, widened to Double lane by lane.
    @inlinable @inline(__always)
    package static func widenSum(_ v: V) -> Double {
        let lo = SIMD8<Double>(SIMD8<Float>(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]))
        let hi = SIMD8<Double>(SIMD8<Float>(v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]))
        return (lo + hi).sum()
    }

    /// Σ f(x[i], y[i]) over `range`.
    @inlinable @inline(__always)
    package static func sum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>,
                           _ f: (V, V) -> V) -> Double {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var i = range.lowerBound
        let end = range.upperBound
        while i + 64 <= end {
            a0 += f(load(x, i), load(y, i))
            a1 += f(load(x, i + 16), load(y, i + 16))
            a2 += f(load(x, i + 32), load(y, i + 32))
            a3 += f(load(x, i + 48), load(y, i + 48))
            i += 64
        }
        while i + 16 <= end {
            a0 += f(load(x, i), load(y, i))
            i += 16
        }
        if i < end {
            let n = end - i
            let t = f(loadPartial(x, i, n), loadPartial(y, i, n))
            a1 += t.replacing(with: 0, where: .!laneMask(n))
        }
        return widenSum((a0 + a1) + (a2 + a3))
    }

    /// out[i] = f(x[i], y[i]) over `range`.
    @inlinable @inline(__always)
    package static func map(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           _ range: Range<Int>, _ f: (V, V) -> V) {
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            store(f(load(x, i), load(y, i)), out, i)
            i += 16
        }
        if i < end {
            let n = end - i
            storePartial(f(loadPartial(x, i, n), loadPartial(y, i, n)), out, i, n)
        }
    }

    /// One pass over x, y (and g, when per-element): `out0[i], out1[i] = f(x[i], y[i], g[i])`
    /// and returns Σ of f's third result — the fused forward+backward of a binary loss.
    @inlinable @inline(__always)
    package static func fused(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>?,
                             _ out0: UnsafeMutablePointer<Float>?, _ out1: UnsafeMutablePointer<Float>?,
                             _ range: Range<Int>, _ f: (V, V, V) -> (V, V, V)) -> Double {
        var a0 = V(), a1 = V()
        var i = range.lowerBound
        let end = range.upperBound
        let one = V(repeating: 1)
        while i + 16 <= end {
            let (r0, r1, s) = f(load(x, i), load(y, i), g.map { load($0, i) } ?? one)
            if let out0 { store(r0, out0, i) }
            if let out1 { store(r1, out1, i) }
            if (i & 16) == 0 { a0 += s } else { a1 += s }
            i += 16
        }
        if i < end {
            let n = end - i
            let (r0, r1, s) = f(loadPartial(x, i, n), loadPartial(y, i, n), g.map { loadPartial($0, i, n) } ?? one)
            if let out0 { storePartial(r0, out0, i, n) }
            if let out1 { storePartial(r1, out1, i, n) }
            a0 += s.replacing(with: 0, where: .!laneMask(n))
        }
        return widenSum(a0 + a1)
    }

    /// Whether any element is below zero (−0 and NaN are not), in SIMD16 compares over the
    /// worker threads: the argument check of a loss that rejects negative values, at the cost of
    /// one read of the argument (which the loss then finds in cache).
    package static func anyNegative(_ a: [Float], threads: Int) -> Bool {
        a.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            let p = UncheckedSendable(base)
            return Parallel.mapChunks(count: b.count, chunk: Parallel.elementChunk, threads: threads, initial: false) { r in
                var negative = SIMDMask<SIMD16<Int32>>(repeating: false)
                var i = r.lowerBound
                while i + 16 <= r.upperBound {
                    negative .|= load(p.value, i) .< 0
                    i += 16
                }
                var found = any(negative)
                while i < r.upperBound { found = found || p.value[i] < 0; i += 1 }
                return found
            }.contains(true)
        }
    }
}
