#if LOSSBENCH_MULTI_ISA
import FastAVX512
#endif
import FastABI

// The x86-64-v4 build of the Fast sources, present on x86-64 Linux (see PrimaryBuild.swift).
extension FastDispatch {
    static var avx512Build: FastKernels? {
        #if LOSSBENCH_MULTI_ISA
        Fast.kernels
        #else
        nil
        #endif
    }
}
