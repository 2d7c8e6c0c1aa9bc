/// The portable half of Fast's vector primitives: plain Swift SIMD, no intrinsics, no C.
///
/// `VectorMath`, `Streams` and `Lanes8` call these on the portable build (any architecture other
/// than x86-64 Linux, or `LOSSBENCH_PORTABLE=1` there) and the AVX2 shim in CVectorMath otherwise.
/// They are compiled on both builds, so the tests hold them to their error bounds on every
/// machine, not only where they are selected.
///
/// Method (exp and log are Cephes' single-precision polynomials, evaluated in SIMD):
/// - `exp`: `x = n·ln2 + r` with `n = rint(x·log2 e)` (rounded by adding and subtracting 1.5·2^23)
///   and `r` in two steps with ln2 split as 0.693359375 − 2.12194440e-4 (the first part has 9
///   significant bits, so `n·hi` is exact for |n| ≤ 150), `|r| ≤ ln2/2`; `e^r` by a degree-6
///   polynomial `r + r²·P(r)` for `e^r − 1`; then `2^n` applied as two powers of two,
///   `2^⌊n/2⌋·2^(n−⌊n/2⌋)`, each a normal number: `s·(1 + q)` is one FMA, and a subnormal result
///   is rounded once more, by the second product.
/// - `log`: `x = m·2^e` with `m` in [√½, √2), `log x = log1p(m − 1) + e·ln2`; `log1p(f)` as
///   `f − f²/2 + f³·P(f)` with a degree-8 `P`, and `e·ln2` added in two parts as above.
///   Subnormal inputs are scaled by 2^23 first.
/// - `log1p(x)`: `u = 1 + x` rounded, then `log(u) + c/u` with `c = x − (u − 1)`, the rounding
///   error of `u` (exact by Sterbenz), to first order; `x` itself where `u` rounds to 1.
/// - `expm1(x)`: exp's reduction, then `(2^n − 1) + 2^n·(e^r − 1)` in one FMA on [−17, 20] (exact
///   `2^n − 1`, and `e^r − 1` itself near 0), plain `e^x − 1` outside, where nothing cancels.
///
/// Errors, measured by the Fast tests over every 61st to 251st Float of each domain against a
/// Double reference: exp 1.004 ulp (r's own rounding on the wide interval ±ln2/2; the AVX2 exp's
/// table of 2^(j/8) narrows it 8-fold), log 0.79 ulp, log1p 1.44 ulp, expm1 1.41 ulp worst.
/// Special values as IEEE and glibc:
/// exp(−inf) = +0, exp(+inf) = +inf, overflow to +inf above 88.7228; log(0) = −inf, log of a
/// negative = NaN, log(+inf) = +inf; log1p(−1) = −inf; expm1(−inf) = −1; NaN in, NaN out.
package enum PortableMath {
    package typealias V = SIMD8<Float>

    @inlinable @inline(__always)
    static func bits(_ x: V) -> SIMD8<UInt32> { unsafeBitCast(x, to: SIMD8<UInt32>.self) }

    @inlinable @inline(__always)
    static func float(_ b: SIMD8<UInt32>) -> V { unsafeBitCast(b, to: V.self) }

    /// 2^k for integral `k` in [−126, 127], built in the exponent field.
    @inlinable @inline(__always)
    static func powerOfTwo(_ k: SIMD8<Int32>) -> V {
        float(SIMD8<UInt32>(truncatingIfNeeded: (k &+ 127) &<< 23))
    }

    /// `x = n·ln2 + r` with `n = rint(x·log2 e)` and |r| ≤ ln2/2 (for x clamped to [−104, 88.8]).
    @inlinable @inline(__always)
    static func reduce(_ v: V) -> (n: SIMD8<Int32>, r: V) {
        let magic = V(repeating: 12582912)  // 1.5·2^23
        let t = magic.addingProduct(v, V(repeating: 1.44269504088896341))
        let n = t - magic
        var r = v.addingProduct(n, V(repeating: -0.693359375))
        r = r.addingProduct(n, V(repeating: 2.12194440e-4))
        // n from t's low bits (t = 1.5·2^23 + n exactly), no float-to-int conversion.
        return (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000, r)
    }

    /// e^x for every Float.
    @inlinable @inline(__always)
    package static func exp(_ x: V) -> V {
        let isNaN = x .!= x
        var v = x.replacing(with: 0, where: isNaN)
        v = v.replacing(with: -104, where: v .< -104)
        v = v.replacing(with: 88.8, where: v .> 88.8)
        let (k, r) = reduce(v)
        // 2^k1·(1 + q) with q = e^r − 1 in one FMA (q is small, so r keeps every bit, and the sum
        // rounds once in the normal range); the second power of two rounds again only where the
        // result is subnormal.
        let k1 = k &>> 1
        let s1 = powerOfTwo(k1)
        let result = s1.addingProduct(s1, expm1Reduced(r)) * powerOfTwo(k &- k1)
        return result.replacing(with: x, where: isNaN)
    }

    /// e^r − 1 for |r| ≤ ln2/2: `r + r²·P(r)`, Cephes' degree-5 `P`.
    @inlinable @inline(__always)
    static func expm1Reduced(_ r: V) -> V {
        var p = V(repeating: 1.3981999507e-3).addingProduct(V(repeating: 1.9875691500e-4), r)
        p = V(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201e-1).addingProduct(p, r)
        return r.addingProduct(p, r * r)
    }

    /// e^x for `x` ≤ 0 (softmax rows): the general `exp`, which is exact to the same bound there.
    @inlinable @inline(__always)
    package static func expNonPositive(_ x: V) -> V { exp(x) }

    /// log x for every Float.
    @inlinable @inline(__always)
    package static func log(_ x: V) -> V {
        // Subnormals: scale into the normal range and correct the exponent.
        let subnormal = (x .> 0) .& (x .< V(repeating: .leastNormalMagnitude))
        let xs = x.replacing(with: x * 0x1p23, where: subnormal)
        let b = bits(xs)
        var e = SIMD8<Int32>(truncatingIfNeeded: (b &>> 23) & 0xFF) &- 126
        e = e.replacing(with: e &- 23, where: subnormal)
        // m in [0.5, 1); moved to [√½, √2) by doubling the small ones.
        var m = float((b & 0x807F_FFFF) | 0x3F00_0000)
        let small = m .< V(repeating: 0.707106781186547524)
        e = e.replacing(with: e &- 1, where: small)
        m = m.replacing(with: m + m, where: small)
        let f = m - 1
        let z = f * f
        var p = V(repeating: 7.0376836292e-2)
        p = V(repeating: -1.1514610310e-1).addingProduct(p, f)
        p = V(repeating: 1.1676998740e-1).addingProduct(p, f)
        p = V(repeating: -1.2420140846e-1).addingProduct(p, f)
        p = V(repeating: 1.4249322787e-1).addingProduct(p, f)
        p = V(repeating: -1.6668057665e-1).addingProduct(p, f)
        p = V(repeating: 2.0000714765e-1).addingProduct(p, f)
        p = V(repeating: -2.4999993993e-1).addingProduct(p, f)
        p = V(repeating: 3.3333331174e-1).addingProduct(p, f)
        let ef = V(e)
        var y = (f * z) * p
        y = y.addingProduct(ef, V(repeating: -2.12194440e-4))
        y = y.addingProduct(z, V(repeating: -0.5))
        var result = (f + y).addingProduct(ef, V(repeating: 0.693359375))
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .nan, where: x .< 0)
        result = result.replacing(with: x, where: (x .== .infinity) .| (x .!= x))
        return result
    }

    /// log(1 + x) for every Float.
    @inlinable @inline(__always)
    package static func log1p(_ x: V) -> V {
        let u = 1 + x
        // log(u) plus the first-order effect of u's rounding error c = x − (u − 1): log(u + c) ≈ log u + c/u.
        let corrected = log(u) + (x - (u - 1)) / u
        var result = corrected.replacing(with: x, where: u .== 1)
        result = result.replacing(with: log(u), where: (u .== 0) .| (u .< 0) .| (x .== .infinity))
        return result.replacing(with: x, where: x .!= x)
    }

    /// e^x − 1 for every Float.
    @inlinable @inline(__always)
    package static func expm1(_ x: V) -> V {
        // On [−17, 20]: e^x − 1 = 2^n·(1 + q) − 1 = (2^n − 1) + 2^n·q with q = e^r − 1, where
        // 2^n − 1 is exact (|n| ≤ 29) and the FMA rounds once; n = 0 gives q itself, so no
        // cancellation near 0. Outside, e^x − 1 is e^x or −1 to within rounding.
        let inRange = (x .>= -17) .& (x .<= 20)
        let v = x.replacing(with: 0, where: .!inRange)
        let (n, r) = reduce(v)
        let s = powerOfTwo(n)
        var result = (s - 1).addingProduct(s, expm1Reduced(r))
        result = result.replacing(with: exp(x) - 1, where: .!inRange)
        result = result.replacing(with: x, where: x .== 0)  // keeps −0
        return result.replacing(with: x, where: x .!= x)
    }

    /// Lanes `0..<n` from `p`, the others `pad`; never touches memory past lane `n − 1`.
    @inlinable @inline(__always)
    package static func loadFirst8(_ p: UnsafePointer<Float>, _ n: Int, _ pad: Float) -> V {
        var v = V(repeating: pad)
        for k in 0..<Swift.max(0, Swift.min(n, 8)) { v[k] = p[k] }
        return v
    }

    /// Stores lanes `0..<n` of `v` to `p`.
    @inlinable @inline(__always)
    package static func storeFirst8(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ v: V) {
        for k in 0..<Swift.max(0, Swift.min(n, 8)) { p[k] = v[k] }
    }
}
