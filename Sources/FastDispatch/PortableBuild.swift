#if LOSSBENCH_MULTI_ISA
import FastPortable
#endif
import FastABI

// The portable build of the Fast sources beside the AVX2 one, on x86-64 Linux: what runs on an
// x86-64 CPU without AVX2, and the build CI checks here for every other platform. Elsewhere the
// `Fast` module itself is the portable build (see PrimaryBuild.swift).
extension FastDispatch {
    static var portableBuild: FastKernels? {
        #if LOSSBENCH_MULTI_ISA
        Fast.kernels
        #else
        nil
        #endif
    }
}
