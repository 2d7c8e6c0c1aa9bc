#if LOSSBENCH_AVX2
import CVectorMath
#endif

/// 8-lane Float kernels: the width of `VectorMath`'s AVX2 exp and log, so losses with a
/// transcendental per element make one vector operation per 8 elements and never split registers.
package enum Lanes8 {
    package typealias V = SIMD8<Float>

    /// Elements summed in Float per lane before the block is widened to Double: 1024 elements are
    /// 32 adds per lane over 4 accumulators, so a chunk's sum error stays near 32·eps32·Σ|term|
    /// however long the range.
    package static let block = 1024

    /// `n` lanes (1...8) from `p + i`; the rest are `pad`, a value the caller's math is safe on.
    @inlinable @inline(__always)
    package static func load(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int, pad: Float = 0) -> V {
        if n == 8 { return UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }
        #if LOSSBENCH_AVX2
        return lb_load_first8(p + i, n, pad)  // masked: lane inserts stall on store forwarding
        #else
        return PortableMath.loadFirst8(p + i, n, pad)
        #endif
    }

    /// Stores the first `n` lanes (1...8) at `p + i`.
    @inlinable @inline(__always)
    package static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
        if n == 8 {
            UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
            return
        }
        #if LOSSBENCH_AVX2
        lb_store_first8(p + i, n, v)
        #else
        PortableMath.storeFirst8(p + i, n, v)
        #endif
    }

    /// Lanes `0..<n` true.
    @inlinable @inline(__always)
    package static func mask(_ n: Int) -> SIMDMask<SIMD8<Int32>> {
        // Compared as Float (vcmpps), as `Streams.laneMask`: the Int32 compare goes lane by lane.
        V(0, 1, 2, 3, 4, 5, 6, 7) .< V(repeating: Float(Swift.min(n, 8)))
    }

    /// Σ over `range` of `step(i, n)`, the values of elements `i..<i+n` (n = 8 except for the
    /// range's last partial vector, whose extra lanes are dropped here).
    ///
    /// Blocks of `block` elements from the range's start are summed in four Float accumulators
    /// and widened to Double, so the result depends only on the range, never on who runs it.
    ///
    /// A large step (two vector logs, outputs, gradients) should be a value of a `Lanes8Step`
    /// type: as a closure it was left a call per 8 elements at the five call sites here (36% of
    /// binary_cross_entropy's forward), where the step type's `@inline(__always)` method is
    /// inlined. A small closure may be inlined either way, but a step that calls libmvec should
    /// compute those calls for a window of elements first (`LogisticWindow`, `BCEStep.fill`):
    /// binary_cross_entropy_with_logits' plain forward as a closure with its log inside was left
    /// a call per 8 elements on AMD EPYC (Zen 5), 21% slower than the windowed step.
    @inlinable @inline(__always)
    package static func blockSum<S: Lanes8Step>(_ range: Range<Int>, _ step: inout S) -> Double {
        var total = SIMD8<Double>()
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let blockEnd = min(end, i + block)
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            while i + 32 <= blockEnd {
                a0 += step(i, 8)
                a1 += step(i + 8, 8)
                a2 += step(i + 16, 8)
                a3 += step(i + 24, 8)
                i += 32
            }
            while i + 8 <= blockEnd {
                a0 += step(i, 8)
                i += 8
            }
            if i < blockEnd {
                let n = blockEnd - i
                a1 += step(i, n).replacing(with: 0, where: .!mask(n))
                i = blockEnd
            }
            total += SIMD8<Double>((a0 + a1) + (a2 + a3))
        }
        return total.sum()
    }

    /// `blockSum` of a small closure step.
    @inlinable @inline(__always)
    package static func blockSum(_ range: Range<Int>, _ step: (Int, Int) -> V) -> Double {
        withoutActuallyEscaping(step) { step in
            var s = ClosureStep(step: step)
            return blockSum(range, &s)
        }
    }

    @usableFromInline
    struct ClosureStep: Lanes8Step {
        @usableFromInline let step: (Int, Int) -> V
        @inlinable init(step: @escaping (Int, Int) -> V) { self.step = step }
        @inlinable @inline(__always)
        func callAsFunction(_ i: Int, _ n: Int) -> V { step(i, n) }
    }
}

/// The logistic terms shared by binary_cross_entropy_with_logits and multilabel_soft_margin_loss,
/// from one exp and one log1p per 8 elements.
package struct LogisticTerms {
    /// `e^{−|x|}`, from the inline `VectorMath.expNonPositive` (below 1 ulp; −|x| is its domain).
    package var e: SIMD8<Float>
    /// `−logσ(x) = log1p(e) − min(x, 0) ≥ 0`.
    package var negLogSigmoid: SIMD8<Float>
    /// `−logσ(−x) = log1p(e) + max(x, 0) ≥ 0`.
    package var negLogSigmoidOfNegative: SIMD8<Float>

    /// NaN stays NaN in both terms (the selects keep it); x = ±inf gives 0 and +inf.
    @inlinable @inline(__always)
    package init(_ x: SIMD8<Float>) {
        let e = VectorMath.expNonPositive(-VectorMath.abs(x))
        self.init(x, e: e, logOfOnePlusE: VectorMath.log(1 + e))
    }

    /// The terms from `e = e^{−|x|}` and `log(1 + e)` computed beforehand (`LogisticWindow`):
    /// the same arithmetic as `init(_:)`, so the same bits. `@_transparent`: see
    /// `LogisticWindow.terms`.
    @_transparent
    package init(_ x: SIMD8<Float>, e: SIMD8<Float>, logOfOnePlusE: SIMD8<Float>) {
        self.e = e
        let softplus = VectorMath.log1pViaLog(e, logOfOnePlusT: logOfOnePlusE)
        negLogSigmoid = softplus - x.replacing(with: 0, where: x .> 0)
        negLogSigmoidOfNegative = softplus + x.replacing(with: 0, where: x .< 0)
    }

    /// σ(x) from the same e^{−|x|}: 1/(1 + e) for x ≥ 0, e/(1 + e) below, so it never overflows.
    @inlinable @inline(__always)
    package func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let r = 1 / (1 + e)
        return r.replacing(with: e * r, where: x .< 0)
    }
}

extension VectorMath {
    /// log1p(t) from one vector `log` (libmvec's log1pf costs about three logf here), by Goldberg's
    /// correction: with `u = fl(1 + t)`, `log1p(t) = log(u)·t/(u − 1)`, exact in `u − 1`
    /// (Sterbenz), so the result keeps log's few-ulp relative accuracy even for tiny t; `u = 1`
    /// and t = +inf return t itself. t = −1 gives −inf and NaN stays NaN, as log1p does.
    @inlinable @inline(__always)
    package static func log1pViaLog(_ t: SIMD8<Float>) -> SIMD8<Float> {
        log1pViaLog(t, logOfOnePlusT: log(1 + t))
    }

    /// `log1pViaLog(t)` given `log(1 + t)` (`fl(1 + t)`'s log), computed apart.
    @inlinable @inline(__always)
    package static func log1pViaLog(_ t: SIMD8<Float>, logOfOnePlusT: SIMD8<Float>) -> SIMD8<Float> {
        let u = 1 + t
        let corrected = logOfOnePlusT * (t / (u - 1))
        return corrected.replacing(with: t, where: (u .== 1) .| (t .== .infinity))
    }
}

/// `LogisticTerms` a window of elements at a time, for the steps of
/// binary_cross_entropy_with_logits and multilabel_soft_margin_loss: e^{−|x|} of the window in
/// one loop, log(1 + e) in a second loop that does nothing else, and each step's terms from the
/// two stored values (`LogisticTerms(_:e:logOfOnePlusE:)`, the same bits as `LogisticTerms(x)`).
/// A libmvec call clobbers every vector register: made inside a step it spilled and reloaded
/// the step's accumulators and operands around it (as in `BCEStep`, whose `fill` this mirrors).
package struct LogisticWindow {
    /// Elements per window: 2 KiB of values, well inside L1.
    package static let size = 256
    /// `size` values of e, then `size` of log(1 + e), for elements `start..<end`.
    package let values: UnsafeMutablePointer<Float>
    package var start = 0, end = 0

    /// A window over `values`, which holds `2 * size` floats; the first step fills it.
    package init(values: UnsafeMutablePointer<Float>) { self.values = values }

    /// The terms of elements `i..<i+8` (those past the range are padding), from the window's
    /// values; the caller fills the window first when `i` is past it (`needsFill`), steps
    /// coming in increasing order, 8 elements apart.
    ///
    /// `@_transparent`, as the initializer it calls: marked `@inline(__always)` (and
    /// `@inlinable`), both were left a call per step in binary_cross_entropy_with_logits' loops,
    /// the terms passed through memory (forward 4.24 ms with the calls, 3.39 without, at one
    /// thread on AMD EPYC Zen 5). `@_transparent` makes the inlining mandatory.
    @_transparent
    package static func terms(_ xv: SIMD8<Float>, at i: Int, values: UnsafeMutablePointer<Float>, start: Int) -> LogisticTerms {
        LogisticTerms(xv, e: Lanes8.load(values, i - start, 8), logOfOnePlusE: Lanes8.load(values + size, i - start, 8))
    }

    /// Whether element `i` lies past the window, which must then be filled from it.
    @inline(__always)
    package func needsFill(_ i: Int) -> Bool { i >= end }

    /// e and log(1 + e) of elements `i..<min(limit, i + size)`; a partial last vector is padded
    /// with 0 (e = 1, log 2: finite, never used).
    @inline(never)
    package mutating func fill(_ x: UnsafePointer<Float>, from i: Int, limit: Int) {
        start = i
        end = min(limit, i + Self.size)
        let count = end - i
        var k = 0
        while k < count {
            let v = Lanes8.load(x, i + k, min(8, count - k))
            Lanes8.store(VectorMath.expNonPositive(-VectorMath.abs(v)), values, k, 8)
            k += 8
        }
        k = 0
        #if LOSSBENCH_AVX512
        // 16 lanes per libmvec call (`_ZGVeN16v_logf`) in the AVX-512 build, as `BCEStep.fill`;
        // the window is a multiple of 16, so the padding lanes stay inside `values`.
        while k < count {
            Streams.store(VectorMath.log(1 + Streams.load(values, k)), values + Self.size, k)
            k += 16
        }
        #else
        while k < count {
            Lanes8.store(VectorMath.log(1 + Lanes8.load(values, k, 8)), values + Self.size, k, 8)
            k += 8
        }
        #endif
    }
}

/// The per-vector function of a `Lanes8.blockSum`: the values of elements `i..<i+n` (n = 8 but
/// for a range's last vector), after writing whatever outputs it writes for them.
package protocol Lanes8Step {
    mutating func callAsFunction(_ i: Int, _ n: Int) -> SIMD8<Float>
}
