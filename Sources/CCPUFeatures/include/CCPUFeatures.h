// What the CPU this process runs on can execute, for choosing a build of Fast's kernels at run
// time (FastDispatch). Compiled with no architecture flag, so it runs on every x86-64 CPU.
//
// A feature counts only when both the CPU has it (CPUID) and the operating system saves its
// registers on a context switch (XGETBV's XCR0): a kernel that does not enable the AVX-512
// state leaves the CPUID bits set, and the first zmm instruction then faults.
#ifndef LOSSBENCH_CCPUFEATURES_H
#define LOSSBENCH_CCPUFEATURES_H

/// 1 when the CPU and the OS support x86-64-v3, the level Fast's AVX2 build is compiled for:
/// AVX, AVX2, FMA, F16C, BMI1, BMI2, LZCNT and MOVBE, with the ymm state enabled. 0 otherwise
/// and on every other architecture.
int lb_cpu_supports_x86_64_v3(void);

/// 1 when the CPU and the OS support x86-64-v4, the level of Fast's AVX-512 build: v3 plus
/// AVX512F, AVX512BW, AVX512CD, AVX512DQ and AVX512VL, with the opmask and zmm state enabled.
int lb_cpu_supports_x86_64_v4(void);

#endif
