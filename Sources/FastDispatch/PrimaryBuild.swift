import Fast
import FastABI

// The `Fast` module: the AVX2 build on x86-64 Linux, the portable build elsewhere (and with
// LOSSBENCH_PORTABLE=1). Each build is reached from a file of its own, which imports that build
// alone: the builds declare the same names, and a file sees only the modules it imports.
extension FastDispatch {
    static var primaryBuild: FastKernels { Fast.kernels }
}
