// Vector math for the Fast kernels, AVX2 (the package builds for x86-64-v3).
//
// 1. glibc's libmvec: the 8-lane single-precision log family (and expm1), out-of-line calls.
// 2. Inline helpers (static inline, always_inline, so Swift code that calls them gets the
//    instructions in place): masked tail loads and stores, exp, a prefetch hint.
//
// libmvec: glibc documents these with a maximum error of 4 ulp (logf measured here at 3.9 ulp worst,
// near 0.88; most results within 1 ulp); they handle the full range (overflow to +inf, underflow to 0, NaN propagation, log of 0 = -inf, log of a
// negative = NaN). Swift imports __m256 as SIMD8<Float>.
#ifndef LOSSBENCH_CVECTORMATH_H
#define LOSSBENCH_CVECTORMATH_H
#include <immintrin.h>

__m256 _ZGVdN8v_logf(__m256 x);
__m256 _ZGVdN8v_log1pf(__m256 x);
__m256 _ZGVdN8v_expm1f(__m256 x);

// Partial loads and stores of the first `n` of 8 lanes (AVX2 vmaskmovps), for row and chunk tails.
//
// A lane-by-lane insert into a vector on the stack, which is what Swift makes of `v[k] = p[k]`,
// ends in a vector reload of freshly written scalars: a store-forwarding stall of about 20 cycles
// per row, which was 40% of cross_entropy's forward at C = 1000. Masked-off lanes are never
// touched, so `p` may point at the end of a buffer; `n` <= 0 loads nothing and `n` >= 8 all lanes.
static inline __attribute__((always_inline)) __m256i lb_first_lanes8(long n) {
    long c = n < 0 ? 0 : (n > 8 ? 8 : n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)c), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Lanes `0..<n` from `p`, the others `pad`.
static inline __attribute__((always_inline)) __m256 lb_load_first8(const float *p, long n, float pad) {
    __m256i m = lb_first_lanes8(n);
    return _mm256_blendv_ps(_mm256_set1_ps(pad), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}

/// Stores lanes `0..<n` of `v` to `p`.
static inline __attribute__((always_inline)) void lb_store_first8(float *p, long n, __m256 v) {
    _mm256_maskstore_ps(p, lb_first_lanes8(n), v);
}

// Inline exp. A call into libmvec clobbers every ymm register (the vector ABI saves none), which
// spilled a softmax row loop to the stack and cost as much as the exp itself; these are inline
// and more accurate (below 1 ulp; libmvec's _ZGVdN8v_expf reaches 2.5 ulp, measured here at
// x = −5.89).
//
// Method: e^x = 2^k · 2^(j/8) · e^r with N = 8k + j = rint(8·x·log2 e), r = x − N·ln2/8.
//   t = 8·x·log2(e) + 1.5·2^23, rounded once by the FMA, so t − 1.5·2^23 = N and the low bits of
//     t's pattern are N: its low 3 bits pick 2^(j/8) from an 8-entry register table (vpermps),
//     and (pattern << 20) masked to the exponent field is k << 23;
//   r in two FMA steps with ln2/8 split as (0.693359375 − 2.12194440e-4)/8 (the first part has
//     9 significant bits, so N·hi is exact for |N| <= 1202); |r| <= ln2/16 ≈ 0.0433;
//   e^r − 1 = r·(1 + r/2 + r²/6 + r³/24), truncation error r^5/120 <= 1.3e-9 relative
//     (degree 4 on a table of 8 needs 9 operations on the FMA/multiply ports per 8 lanes, a
//     Cephes-style degree-6 polynomial 12: 20% faster on a 1000-class softmax row);
//   s = 2^(j/8) with k + b added to its exponent field, then (s + s·(e^r − 1)) · 2^−b: the FMA
//     rounds the sum once, the table entry's own rounding (<= 0.5 ulp) is the rest of the error,
//     and the bias b keeps the field in range: b = +64 for x < 0 (field >= 41 down to k = −150,
//     and the product by 2^−64 rounds once into the subnormal range, x down to −103.3, below
//     which results round to 0), b = −64 for x >= 0 (field <= 191 up to k = 128, and the product
//     by 2^64 overflows to +inf above 88.7228, rounded right at the boundary).
// Error: below 1 ulp (0.92 ulp worst over every 61st Float of [−104, 89], measured against a
// Double exp in the Fast tests).
// Special values: exp(±0) = 1 exactly (N = 0, r = 0); −inf → +0 and +inf → +inf (through the
// clamps to [−104, 88.8]); NaN → NaN (the clamps are max(−104, x) and min(88.8, x), which return
// their second operand x when it is NaN, and NaN propagates through r).

// The shared core: x already clamped; `bias` holds b << 23 in every lane, `unbias` is 2^−b.
static inline __attribute__((always_inline)) __m256 lb_exp_core8(__m256 x, __m256i bias, __m256 unbias) {
    const __m256 magic = _mm256_set1_ps(12582912.0f);  // 1.5·2^23
    // 2^(j/8), j = 0…7, each rounded to nearest Float.
    const __m256 table = _mm256_setr_ps(0x1p0f, 0x1.172b84p0f, 0x1.306fep0f, 0x1.4bfdaep0f,
                                        0x1.6a09e6p0f, 0x1.8ace54p0f, 0x1.ae89fap0f, 0x1.d5818ep0f);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(11.5415603271117f), magic);  // 8·log2(e)
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f / 8), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f / 8), r);
    __m256i ti = _mm256_castps_si256(t);
    __m256 tj = _mm256_permutevar8x32_ps(table, ti);  // index = low 3 bits = N mod 8
    __m256i k = _mm256_and_si256(_mm256_slli_epi32(ti, 20), _mm256_set1_epi32((int)0xFF800000));
    __m256 scale = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(tj), _mm256_add_epi32(k, bias)));
    __m256 p = _mm256_set1_ps(1.0f / 24);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256 q = _mm256_mul_ps(p, r);  // e^r − 1
    return _mm256_mul_ps(_mm256_fmadd_ps(scale, q, scale), unbias);
}

// exp(x) for x in [−inf, 0] or NaN (the shifted logits x − max(x) of a softmax row): b = +64
// always, no upper clamp, 16 vector operations.
static inline __attribute__((always_inline)) __m256 lb_exp_nonpositive8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
    return lb_exp_core8(x, _mm256_set1_epi32(0x20000000), _mm256_set1_ps(0x1p-64f));  // 64 << 23
}

// exp(x) for every Float x: the bias chosen by sign, 20 vector operations.
static inline __attribute__((always_inline)) __m256 lb_exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
    x = _mm256_min_ps(_mm256_set1_ps(88.8f), x);
    __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    __m256i bias = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(_mm256_set1_epi32((int)0xE0000000)),
                                                         _mm256_castsi256_ps(_mm256_set1_epi32(0x20000000)), negative));  // ∓64 << 23
    __m256 unbias = _mm256_blendv_ps(_mm256_set1_ps(0x1p64f), _mm256_set1_ps(0x1p-64f), negative);
    return lb_exp_core8(x, bias, unbias);
}

#ifdef __AVX512F__
// The AVX-512 build (x86-64-v4) only: libmvec's 16-lane entry points and the exp above on 16
// lanes. Swift imports __m512 as SIMD16<Float>. Every module that imports this header compiles
// these static inline functions with its own flags, so the AVX2 build never sees them.
__m512 _ZGVeN16v_logf(__m512 x);
__m512 _ZGVeN16v_log1pf(__m512 x);

// lb_exp8's method and constants on 16 lanes: the 8-entry table is repeated, so vpermps's 4-bit
// index (N mod 16) picks 2^((N mod 8)/8); the sign's bias comes from a compare mask. Results
// are bit-identical to lb_exp8 lane for lane.
static inline __attribute__((always_inline)) __m512 lb_exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_set1_ps(-104.0f), x);
    x = _mm512_min_ps(_mm512_set1_ps(88.8f), x);
    __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512i bias = _mm512_mask_blend_epi32(negative, _mm512_set1_epi32((int)0xE0000000), _mm512_set1_epi32(0x20000000));
    __m512 unbias = _mm512_mask_blend_ps(negative, _mm512_set1_ps(0x1p64f), _mm512_set1_ps(0x1p-64f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);  // 1.5·2^23
    const __m512 table = _mm512_setr_ps(0x1p0f, 0x1.172b84p0f, 0x1.306fep0f, 0x1.4bfdaep0f,
                                        0x1.6a09e6p0f, 0x1.8ace54p0f, 0x1.ae89fap0f, 0x1.d5818ep0f,
                                        0x1p0f, 0x1.172b84p0f, 0x1.306fep0f, 0x1.4bfdaep0f,
                                        0x1.6a09e6p0f, 0x1.8ace54p0f, 0x1.ae89fap0f, 0x1.d5818ep0f);
    __m512 t = _mm512_fmadd_ps(x, _mm512_set1_ps(11.5415603271117f), magic);  // 8·log2(e)
    __m512 n = _mm512_sub_ps(t, magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f / 8), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f / 8), r);
    __m512i ti = _mm512_castps_si512(t);
    __m512 tj = _mm512_permutexvar_ps(ti, table);
    __m512i k = _mm512_and_si512(_mm512_slli_epi32(ti, 20), _mm512_set1_epi32((int)0xFF800000));
    __m512 scale = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(tj), _mm512_add_epi32(k, bias)));
    __m512 p = _mm512_set1_ps(1.0f / 24);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    __m512 q = _mm512_mul_ps(p, r);  // e^r − 1
    return _mm512_mul_ps(_mm512_fmadd_ps(scale, q, scale), unbias);
}
#endif

// Asks for the cache line at `p` in L1 ahead of use (a hint: never faults, any address).
static inline __attribute__((always_inline)) void lb_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
