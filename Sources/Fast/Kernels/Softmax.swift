#if LOSSBENCH_AVX2
import CVectorMath
#endif
import Foundation

/// Log-softmax building blocks for one row of C class scores.
///
/// `SoftmaxRow` is the hot path for a contiguous row (stride 1): SIMD16 passes with four
/// accumulators, the inline exp of `VectorMath.expNonPositive` (no call, so no spills). `StridedSoftmaxRow` is the scalar general path for a
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
        return horizontalMax(pointwiseMax(pointwiseMax(m0, m1), pointwiseMax(m2, m3)))
    }

    /// The largest non-NaN lane (`−inf` if none) by halving, compare-and-select in registers;
    /// `SIMD.max()` walked the lanes one by one through the stack, 5% of a 1000-class row.
    @inline(__always)
    static func horizontalMax(_ v: V) -> Float {
        let h8 = v.lowHalf.replacing(with: v.highHalf, where: (v.highHalf .> v.lowHalf) .| (v.lowHalf .!= v.lowHalf))
        let h4 = h8.lowHalf.replacing(with: h8.highHalf, where: (h8.highHalf .> h8.lowHalf) .| (h8.lowHalf .!= h8.lowHalf))
        let h2 = h4.lowHalf.replacing(with: h4.highHalf, where: (h4.highHalf .> h4.lowHalf) .| (h4.lowHalf .!= h4.lowHalf))
        let m = h2[1] > h2[0] || h2[0].isNaN ? h2[1] : h2[0]
        return m.isNaN ? -.infinity : m
    }

    /// Σ lanes by halving, in registers (the generic `sum()` is an out-of-line call).
    @inline(__always)
    static func horizontalSum(_ v: V) -> Float {
        let h8 = v.lowHalf + v.highHalf
        let h4 = h8.lowHalf + h8.highHalf
        let h2 = h4.lowHalf + h4.highHalf
        return h2[0] + h2[1]
    }

    /// `exp(x − m)` on 16 lanes, inline (`d` ≤ 0 or NaN; see `VectorMath.expNonPositive`).
    @inline(__always)
    static func exp(_ d: V) -> V {
        V(lowHalf: VectorMath.expNonPositive(d.lowHalf), highHalf: VectorMath.expNonPositive(d.highHalf))
    }

    /// One pass: `S = Σ exp(x_c − m)` and, when `shifted` is requested, `T = Σ w_c·(x_c − m)`
    /// (`w ≡ 1` without a weight); stores `exp(x_c − m)` into `e` when given (the softmax
    /// numerators that the backward pass scales in place).
    @inline(__always)
    static func expSum(_ x: UnsafePointer<Float>, _ n: Int, max m: Float, weight w: UnsafePointer<Float>?,
                       shifted: Bool, store e: UnsafeMutablePointer<Float>?) -> (s: Float, t: Float) {
        if !shifted { return (expSum(x, n, max: m, store: e), 0) }
        let mv = V(repeating: m)
        var s0 = V(), s1 = V(), t0 = V(), t1 = V()
        var i = 0
        while i + 16 <= n {
            let d = Streams.load(x, i) - mv
            let ev = exp(d)
            if let e { Streams.store(ev, e, i) }
            if (i & 16) == 0 { s0 += ev } else { s1 += ev }
            let wd = w.map { Streams.load($0, i) * d } ?? d
            if (i & 16) == 0 { t0 += wd } else { t1 += wd }
            i += 16
        }
        if i < n {
            let k = n - i
            let mask = Streams.laneMask(k)
            let d = Streams.loadPartial(x, i, k) - mv
            let ev = exp(d).replacing(with: 0, where: .!mask)
            if let e { Streams.storePartial(ev, e, i, k) }
            s0 += ev
            let wd = w.map { Streams.loadPartial($0, i, k) * d } ?? d
            t0 += wd.replacing(with: 0, where: .!mask)
        }
        return (horizontalSum(s0 + s1), horizontalSum(t0 + t1))
    }

    /// `S = Σ exp(x_c − m)` alone (no smoothing term), storing the numerators into `e` when given:
    /// the cross-entropy forward without label smoothing. 32 classes a step, two accumulators and
    /// no branch in the loop, so everything stays in the 16 ymm registers.
    ///
    /// The tail is loaded with `−inf` padding, whose `exp(−inf − m)` is 0 for any finite or `+inf`
    /// `m`; for `m = −inf` or NaN every real lane is NaN already, so the padding changes nothing.
    @inline(__always)
    static func expSum(_ x: UnsafePointer<Float>, _ n: Int, max m: Float,
                       store e: UnsafeMutablePointer<Float>?) -> Float {
        let mv = V(repeating: m)
        var s0 = V(), s1 = V()
        var i = 0
        if let e {
            while i + 32 <= n {
                let e0 = exp(Streams.load(x, i) - mv), e1 = exp(Streams.load(x, i + 16) - mv)
                Streams.store(e0, e, i)
                Streams.store(e1, e, i + 16)
                s0 += e0
                s1 += e1
                i += 32
            }
        } else {
            while i + 32 <= n {
                #if LOSSBENCH_AVX2
                lb_prefetch(x + n + i)
                lb_prefetch(x + n + i + 16)
                #endif
                s0 += exp(Streams.load(x, i) - mv)
                s1 += exp(Streams.load(x, i + 16) - mv)
                i += 32
            }
        }
        while i < n {
            let k = Swift.min(16, n - i)
            let ev = exp(Streams.loadPartial(x, i, k, pad: -.infinity) - mv)
            if let e { Streams.storePartial(ev, e, i, k) }
            s0 += ev
            i += k
        }
        return horizontalSum(s0 + s1)
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
        // The strided (slow) path sums in Double: a sequential Float sum over C terms would carry
        // up to C·eps32 of error, beyond the budget for C in the hundreds.
        var s = 0.0
        for c in 0..<classes { s += Double(Foundation.exp(x[base + c * stride] - m)) }
        self.m = m
        logS = Float(Foundation.log(s))
    }

    @inline(__always) func index(_ c: Int) -> Int { base + c * stride }
    @inline(__always) func logp(_ c: Int) -> Float { (x[base + c * stride] - m) - logS }
    @inline(__always) func p(_ c: Int) -> Float { Foundation.exp(logp(c)) }
}
