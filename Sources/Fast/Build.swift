import FastABI
@_spi(Kernels) import LossSpec

extension Fast {
    /// The instruction set this build of the sources is compiled for. The same files are built
    /// once per instruction set (Package.swift): `LOSSBENCH_AVX512` and `LOSSBENCH_AVX2` are
    /// the defines of the x86-64-v4 and x86-64-v3 builds, and a build with neither is portable.
    package static let isa: ISA = {
        #if LOSSBENCH_AVX512
        .avx512
        #elseif LOSSBENCH_AVX2
        .avx2
        #else
        .portable
        #endif
    }()

    /// This build's entry points, for `FastDispatch` to choose among the builds at run time.
    package static let kernels = FastKernels(
        isa: isa,
        yardsticks: FastYardsticks(
            calibrationSum: { Yardsticks.calibrationSum($0, repeats: $1) },
            plainSum: { Yardsticks.plainSum($0, $1, count: $2, threads: $3) },
            fill: { Yardsticks.fill($0, count: $1, value: $2, threads: $3) },
            copy: { Yardsticks.copy($0, $1, count: $2, threads: $3) },
            throughput: { Yardsticks.throughput($0, $1, repeats: $2, threads: $3) },
            allocate: { Yardsticks.allocate($0, value: $1, likeGradient: $2) },
            traffic: { Yardsticks.traffic(sources: $0, readCounts: $1, destinations: $2, writeCounts: $3, threads: $4) }),
        evaluate: { try evaluate($0, threads: $1) },
        prepare: { c in
            let prepared = try Prepared(c)
            return FastPreparedCase(loss: prepared.loss) { _ = try prepared.run(threads: $0) }
        },
        withGrain: { grain, body in Parallel.$grainOverride.withValue(grain, operation: body) })
}
