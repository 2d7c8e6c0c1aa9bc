// glibc's libmvec: 8-lane AVX2 single-precision exp/log family.
//
// glibc documents these with a maximum error of 4 ulp (most results within 1 ulp); they handle
// the full range (overflow to +inf, underflow to 0, NaN propagation, log of 0 = -inf, log of a
// negative = NaN). Swift imports __m256 as SIMD8<Float>.
#ifndef LOSSBENCH_CVECTORMATH_H
#define LOSSBENCH_CVECTORMATH_H
#include <immintrin.h>

__m256 _ZGVdN8v_expf(__m256 x);
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

// exp(x) for x in [-inf, 0] or NaN: the shifted logits x - max(x) of a softmax row.
//
// Inline, so a row loop keeps its accumulators in registers: a call into libmvec clobbers every
// ymm register (the vector ABI saves none), which spilled the softmax loop to the stack and cost
// as much as the exp itself. 16 vector operations per 8 lanes.
//
// Method (Cephes expf, with the rounding done by a magic-number add):
//   t = x·log2(e) + M with M = 1.5·2^23 + 191, rounded once by the FMA: t − M = n = rint(x·log2 e),
//     and the low bits of t hold n + 191, so t's bit pattern shifted left by 23 is 2^(n+64);
//   r = x − n·ln 2 in two FMA steps (ln 2 = 0.693359375 − 2.12194440e-4, the first part exact in
//     9 bits, so n·ln2_hi is exact for |n| <= 150); |r| <= ln2/2 (plus rounding);
//   e^r = 1 + r + r²·P(r), Cephes' degree-5 minimax P (relative error 2.3e-7 on |r| <= ln2/2);
//   e^x = (e^r · 2^(n+64)) · 2^−64: the first product is an exact rescaling of a normal number,
//     the second rounds once, so subnormal results (x down to −103.3) are correctly rounded
//     results of e^r·2^n, and below that they round to 0.
// Error: below 1 ulp over [−104, 0] (0.99 ulp worst over every 61st Float, measured against a
// Double exp in the Fast tests);
// subnormal results carry the same relative error before their final rounding.
// Special values: exp(0) = 1 exactly (n = 0, r = 0); −inf → 0 (clamped to −104, where e^x is
// below half the smallest subnormal); NaN → NaN (the clamp is max(−104, x), which returns its
// second operand x when x is NaN, and NaN propagates through r).
static inline __attribute__((always_inline)) __m256 lb_exp_nonpositive8(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12583103.0f);  // 1.5·2^23 + 191
    x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
    __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));  // 2^(n+64)
    return _mm256_mul_ps(_mm256_mul_ps(y, scale), _mm256_set1_ps(5.42101086242752217e-20f));  // 2^-64
}

// Asks for the cache line at `p` in L1 ahead of use (a hint: never faults, any address).
static inline __attribute__((always_inline)) void lb_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
