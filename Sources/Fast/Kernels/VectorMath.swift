#if LOSSBENCH_AVX2
import CVectorMath
#endif

/// Vector transcendental functions on 8 Float lanes.
///
/// Two builds, chosen by the package manifest: the AVX2 build (x86-64 Linux, the default there)
/// uses the C shim described below; the portable build (every other platform, or
/// `LOSSBENCH_PORTABLE=1`) uses `PortableMath`'s Swift polynomials (exp 1.004, log 0.79, log1p
/// 1.44, expm1 1.41 ulp worst). Results differ between the builds by those errors, and are
/// bit-identical across thread counts on each.
///
/// AVX2 build: `exp` is inline (`lb_exp8` in CVectorMath): below 1 ulp over the whole range, no call. `log`,
/// `log1p` and `expm1` are glibc's libmvec AVX2 entry points: full IEEE range handling (log 0 →
/// −inf, log of a negative → NaN, NaN in → NaN out), at most 4 ulp by glibc's documentation (logf
/// measured here at 3.9 ulp worst, near 0.88). They are out-of-line calls (~1 ns per 8 lanes)
/// that clobber every vector register, which is why kernels call them once per 8 elements and
/// keep everything else inline.
///
/// An inline Cephes-style log (0.71 ulp worst over every 127th positive Float, with a Fast2Sum for
/// the exponent term) was measured 10–35% slower than libmvec's logf on the log-heavy losses even
/// with Estrin's scheme for its degree-8 polynomial, so `log` stays with libmvec. The same
/// polynomial as an inline log1p on the softplus domain [0, 1] (no exponent extraction, no special
/// cases) made multilabel_soft_margin_loss 15% faster and its worst error 4.6 → 3.7 eps32, but
/// binary_cross_entropy_with_logits' plain forward 60% slower: LLVM scalarized parts of the
/// unrolled loop around it. Not kept either; a next attempt should start from that loop's code.
package enum VectorMath {
    /// e^x for every Float, below 1 ulp; ±0 → 1, −inf → +0, +inf → +inf, NaN → NaN, overflow to
    /// +inf above 88.7228, subnormal results rounded once.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if LOSSBENCH_AVX2
        lb_exp8(x)
        #else
        PortableMath.exp(x)
        #endif
    }

    /// `exp(x)` for `x` in [−inf, 0] or NaN, inline (no call, so no register spills around it):
    /// below 1 ulp, subnormal results included, `exp(0) = 1` exactly. Outside that domain the
    /// result is wrong; it is meant for softmax rows, where `x = logit − row max`.
    /// See `lb_exp_nonpositive8` for the method.
    @inlinable @inline(__always)
    package static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if LOSSBENCH_AVX2
        lb_exp_nonpositive8(x)
        #else
        PortableMath.expNonPositive(x)
        #endif
    }

    @inlinable @inline(__always)
    package static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if LOSSBENCH_AVX2
        _ZGVdN8v_logf(x)
        #else
        PortableMath.log(x)
        #endif
    }

    @inlinable @inline(__always)
    package static func log1p(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if LOSSBENCH_AVX2
        _ZGVdN8v_log1pf(x)
        #else
        PortableMath.log1p(x)
        #endif
    }

    @inlinable @inline(__always)
    package static func expm1(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if LOSSBENCH_AVX2
        _ZGVdN8v_expm1f(x)
        #else
        PortableMath.expm1(x)
        #endif
    }

    #if LOSSBENCH_AVX512
    /// The AVX-512 build's 16-lane exp: `lb_exp16`, bit-identical to `exp` on 8 lanes.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> { lb_exp16(x) }

    /// The AVX-512 build's 16-lane log: libmvec's `_ZGVeN16v_logf` (glibc documents ≤ 4 ulp,
    /// with the same special values as the 8-lane entry point).
    @inlinable @inline(__always)
    package static func log(_ x: SIMD16<Float>) -> SIMD16<Float> { _ZGVeN16v_logf(x) }

    /// `log1pViaLog` on 16 lanes: the same correction around the 16-lane log.
    @inlinable @inline(__always)
    package static func log1pViaLog(_ t: SIMD16<Float>) -> SIMD16<Float> {
        let u = 1 + t
        let corrected = log(u) * (t / (u - 1))
        return corrected.replacing(with: t, where: (u .== 1) .| (t .== .infinity))
    }
    #endif

    /// log σ(t) = min(t, 0) − log1p(exp(−|t|)), the overflow-free form (Docs/Semantics.md#notation).
    @inlinable @inline(__always)
    package static func logSigmoid(_ t: SIMD8<Float>) -> SIMD8<Float> {
        let m = t.replacing(with: 0, where: t .> 0)
        return m - log1p(exp(-abs(t)))
    }

    /// σ(t) = 1/(1 + e^{−t}); e^{−t} overflows to +inf for t < −88.7, giving 1/inf = 0 as it should.
    @inlinable @inline(__always)
    package static func sigmoid(_ t: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-t))
    }

    /// Scalar versions for tails, through the same vector routines so tails and bodies agree.
    @inlinable @inline(__always)
    package static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }
    @inlinable @inline(__always)
    package static func log(_ x: Float) -> Float { log(SIMD8(repeating: x))[0] }
    @inlinable @inline(__always)
    package static func log1p(_ x: Float) -> Float { log1p(SIMD8(repeating: x))[0] }

    /// |x| lane by lane, by clearing the sign bit (one AND; `-0` → `0`, NaN stays NaN).
    @inlinable @inline(__always)
    package static func abs(_ x: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & SIMD8(repeating: 0x7fff_ffff), to: SIMD8<Float>.self)
    }

    /// |x| lane by lane, by clearing the sign bit.
    @inlinable @inline(__always)
    package static func abs(_ x: SIMD16<Float>) -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16(repeating: 0x7fff_ffff), to: SIMD16<Float>.self)
    }
}
