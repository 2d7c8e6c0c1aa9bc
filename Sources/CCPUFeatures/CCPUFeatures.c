#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>

// CPUID leaf 1 ECX, leaf 7 (subleaf 0) EBX, extended leaf 0x80000001 ECX.
#define LB_BIT(n) (1u << (n))
static const unsigned leaf1_v3 = LB_BIT(12) /* FMA */ | LB_BIT(22) /* MOVBE */ | LB_BIT(27) /* OSXSAVE */
    | LB_BIT(28) /* AVX */ | LB_BIT(29) /* F16C */;
static const unsigned leaf7_v3 = LB_BIT(3) /* BMI1 */ | LB_BIT(5) /* AVX2 */ | LB_BIT(8) /* BMI2 */;
static const unsigned leaf7_v4 = LB_BIT(16) /* AVX512F */ | LB_BIT(17) /* AVX512DQ */ | LB_BIT(28) /* AVX512CD */
    | LB_BIT(30) /* AVX512BW */ | LB_BIT(31) /* AVX512VL */;
static const unsigned ext1_v3 = LB_BIT(5) /* LZCNT (ABM) */;

// XCR0: x87 (bit 0), SSE (1) and AVX (2) state for ymm; opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7).
static const unsigned long long xcr0_ymm = 0x7ull;
static const unsigned long long xcr0_zmm = 0xe7ull;

static unsigned long long xcr0(void) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static int supports(int v4) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || (c & leaf1_v3) != leaf1_v3) return 0;
    unsigned long long state = xcr0();  // OSXSAVE is set, so XGETBV exists
    if ((state & xcr0_ymm) != xcr0_ymm) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || (b & leaf7_v3) != leaf7_v3) return 0;
    unsigned ext = 0, x;
    if (__get_cpuid(0x80000001, &x, &x, &ext, &x) == 0 || (ext & ext1_v3) != ext1_v3) return 0;
    if (!v4) return 1;
    return (b & leaf7_v4) == leaf7_v4 && (state & xcr0_zmm) == xcr0_zmm;
}

int lb_cpu_supports_x86_64_v3(void) { return supports(0); }
int lb_cpu_supports_x86_64_v4(void) { return supports(1); }
#else
int lb_cpu_supports_x86_64_v3(void) { return 0; }
int lb_cpu_supports_x86_64_v4(void) { return 0; }
#endif
