import Foundation

/// Log-softmax building blocks for one row of C class scores.
///
/// `SoftmaxRow` is the hot path for a contiguous row (stride 1): SIMD16 passes with four
/// accumulators, exp on SIMD8 from libmvec. `StridedSoftmaxRow` is the scalar general path for a
/// row whose classes are `stride` apart (K-dim inputs) and for rows whose gradient must follow
/// the Reference's exact operation order (non-finite upstream); it mirrors
/// `Reference.LogSoftmaxRows`: a NaN anywhere makes the row NaN, `+inf` or an all-`−inf` row too
/// (through `inf − inf`), and `−inf` logits get `logp = −inf`, `p = 0`.
enum SoftmaxRow {
    typealias V = SIMD16<Float>

    /// The row's maximum over finite and infinite values. NaN lanes are skipped, which is harmless:
    /// a NaN reaches every result through `exp(x − m)` in `expSum`.
    @inline(__always)
    static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        // A compare-and-select (vcmpps + vblendvps); the generic `pointwiseMax` runs lane by lane.
        @inline(__always) func pointwiseMax(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }
        let lowest = V(repeating: -.infinity)
        var m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest
        var i = 0
        while i + 64 <= n {
            m0 = pointwiseMax(m0, Streams.load(x, i))
            m1 = pointwiseMax(m1, Streams.load(x, i + 16))
            m2 = pointwiseMax(m2, Streams.load(x, i + 32))
            m3 = pointwiseMax(m3, Streams.load(x, i + 48))
            i += 64
        }
        while i + 16 <= n {
            m0 = pointwiseMax(m0, Streams.load(x, i))
            i += 16
        }
        if i < n { m1 = pointwiseMax(m1, Streams.loadPartial(x, i, n - i, pad: -.infinity)) }
        return pointwiseMax(pointwiseMax(m0, m1), pointwiseMax(m2, m3)).max()
    }

    /// `exp(x − m)` on 16 lanes through two libmvec calls.
    @inline(__always)
    static func exp(_ d: V) -> V {
        let lo = VectorMath.exp(d.lowHalf), hi = VectorMath.exp(d.highHalf)
        return V(lowHalf: lo, highHalf: hi)
    }

    /// One pass: `S = Σ exp(x_c − m)` and, when `shifted` is requested, `T = Σ w_c·(x_c − m)`
    /// (`w ≡ 1` without a weight); stores `exp(x_c − m)` into `e` when given (the softmax
    /// numerators that the backward pass scales in place).
    @inline(__always)
    static func expSum(_ x: UnsafePointer<Float>, _ n: Int, max m: Float, weight w: UnsafePointer<Float>?,
                       shifted: Bool, store e: UnsafeMutablePointer<Float>?) -> (s: Float, t: Float) {
        let mv = V(repeating: m)
        var s0 = V(), s1 = V(), t0 = V(), t1 = V()
        var i = 0
        while i + 16 <= n {
            let d = Streams.load(x, i) - mv
            let ev = exp(d)
            if let e { Streams.store(ev, e, i) }
            if (i & 16) == 0 { s0 += ev } else { s1 += ev }
            if shifted {
                let wd = w.map { Streams.load($0, i) * d } ?? d
                if (i & 16) == 0 { t0 += wd } else { t1 += wd }
            }
            i += 16
        }
        if i < n {
            let k = n - i
            let mask = Streams.laneMask(k)
            let d = Streams.loadPartial(x, i, k) - mv
            let ev = exp(d).replacing(with: 0, where: .!mask)
            if let e { Streams.storePartial(ev, e, i, k) }
            s0 += ev
            if shifted {
                let wd = w.map { Streams.loadPartial($0, i, k) * d } ?? d
                t0 += wd.replacing(with: 0, where: .!mask)
            }
        }
        return ((s0 + s1).sum(), (t0 + t1).sum())
    }

    /// Backward of one row in place: `e_c ← a·w_c − e_c·c` (`w ≡ 1` without a weight), where the
    /// caller passes `c = ΣG / S` so that `e_c·c = p_c·ΣG`.
    @inline(__always)
    static func scaleInPlace(_ e: UnsafeMutablePointer<Float>, _ n: Int, a: Float, weight w: UnsafePointer<Float>?,
                             c: Float) {
        let av = V(repeating: a), cv = V(repeating: c)
        var i = 0
        while i + 16 <= n {
            let g = w.map { av * Streams.load($0, i) } ?? av
            Streams.store(g - Streams.load(e, i) * cv, e, i)
            i += 16
        }
        if i < n {
            let k = n - i
            let g = w.map { av * Streams.loadPartial($0, i, k) } ?? av
            Streams.storePartial(g - Streams.loadPartial(UnsafePointer(e), i, k) * cv, e, i, k)
        }
    }

    /// Σ w_c (the class count without a weight).
    static func weightSum(_ w: [Float]?, classes: Int) -> Float {
        guard let w else { return Float(classes) }
        return Float(w.reduce(0.0) { $0 + Double($1) })
    }
}

/// The log-softmax of one row whose classes lie `stride` apart, scalar (see `SoftmaxRow`).
struct StridedSoftmaxRow {
    let x: UnsafePointer<Float>
    let base: Int
    let stride: Int
    let classes: Int
    /// The max shift `m` and `log Σ exp(x − m)`.
    let m: Float, logS: Float

    @inline(__always)
    init(_ x: UnsafePointer<Float>, base: Int, stride: Int, classes: Int) {
        self.x = x
        self.base = base
        self.stride = stride
        self.classes = classes
        var m: Float = classes == 0 ? 0 : -.infinity
        var hasNaN = false
        for c in 0..<classes {
            let v = x[base + c * stride]
            if v.isNaN { hasNaN = true }
            m = Swift.max(m, v)
        }
        if hasNaN { m = .nan }
        var s: Float = 0
        for c in 0..<classes { s += Foundation.exp(x[base + c * stride] - m) }
        self.m = m
        logS = Foundation.log(s)
    }

    @inline(__always) func index(_ c: Int) -> Int { base + c * stride }
    @inline(__always) func logp(_ c: Int) -> Float { (x[base + c * stride] - m) - logS }
    @inline(__always) func p(_ c: Int) -> Float { Foundation.exp(logp(c)) }
}
