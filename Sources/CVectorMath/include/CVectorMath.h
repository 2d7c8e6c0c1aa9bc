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

#endif
