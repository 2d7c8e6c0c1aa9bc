// swift-tools-version:6.1
import PackageDescription

// The builds of Fast's vector kernels in one binary.
//
// x86-64 Linux (the default there): the same Fast sources are compiled three times, each build a
// module of its own, and `FastDispatch` chooses one per process by CPU feature detection
// (`LOSSBENCH_ISA=avx512|avx2|portable` overrides it):
// - `Fast`, the AVX2 build: x86-64-v3 (AVX2 + FMA; without it `addingProduct`/`fma` lower to
//   `fmaf` library calls, measured 30x slower), glibc's libmvec and an inline AVX2 shim
//   (CVectorMath);
// - `FastAVX512`: x86-64-v4, the same shim and libmvec; Sources/FastAVX512 is a symbolic link to
//   Sources/Fast (SwiftPM rejects two targets with one path, not two paths to one directory);
// - `FastPortable`: no architecture flag, no shim; the kernels use plain Swift SIMD
//   (`PortableMath`). Sources/FastPortable is a link to Sources/Fast too.
// Only the builds, the shim and Fast's own tests get an architecture flag: the tests call Fast's
// SIMD functions across the module boundary, and modules compiled for different vector ISAs
// disagree on how SIMD values are passed, so nothing else may see a build's SIMD signatures
// (FastDispatch reaches each build through `FastKernels`, whose signatures carry none). The
// products a port depends on (LossSpec, Reference, GoldenStore, Conformance) carry no unsafe
// flag on either platform.
//
// Portable (every other platform, or LOSSBENCH_PORTABLE=1): `Fast` is the portable build and the
// only one. Switching in one scratch path recompiles Fast and what depends on it.
//
// Fast (and its tests) are optimized in debug builds too: the tests then exercise the code that
// ships, and sweeping millions of Floats through unoptimized SIMD code took over a minute.
#if arch(x86_64) && os(Linux)
let multiISA = Context.environment["LOSSBENCH_PORTABLE"] != "1"
#else
let multiISA = false
#endif

let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
func fastBuild(march: String, defines: [String]) -> [SwiftSetting] {
    [.unsafeFlags(["-Xcc", "-march=\(march)"])] + defines.map { .define($0) } + optimizedInDebug
}
let avx2Settings = fastBuild(march: "x86-64-v3", defines: ["LOSSBENCH_AVX2"])
let fastSwiftSettings: [SwiftSetting] = multiISA ? avx2Settings : optimizedInDebug
let fastDependencies: [Target.Dependency] = multiISA ? ["LossSpec", "FastABI", "CVectorMath"] : ["LossSpec", "FastABI"]
let isaTargets: [Target] = multiISA
    ? [.target(name: "CVectorMath", cSettings: [.unsafeFlags(["-march=x86-64-v3"])],
               linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux]))]),
       .target(name: "FastAVX512", dependencies: fastDependencies,
               swiftSettings: fastBuild(march: "x86-64-v4", defines: ["LOSSBENCH_AVX2", "LOSSBENCH_AVX512"])),
       .target(name: "FastPortable", dependencies: ["LossSpec", "FastABI"], swiftSettings: optimizedInDebug)]
    : []
let dispatchDependencies: [Target.Dependency] = ["LossSpec", "FastABI", "Fast", "CCPUFeatures"]
    + (multiISA ? ["FastAVX512", "FastPortable"] : [])

let package = Package(
    name: "LossBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lossbench", targets: ["lossbench"]),
        // What a Swift port depends on by version: the vocabulary, the Double oracle, the golden
        // database and the checker. None of them carries an unsafe flag.
        .library(name: "LossSpec", targets: ["LossSpec"]),
        .library(name: "Reference", targets: ["Reference"]),
        .library(name: "GoldenStore", targets: ["GoldenStore"]),
        .library(name: "Conformance", targets: ["Conformance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "LossSpec"),
        .target(name: "Reference", dependencies: ["LossSpec"]),
        .target(name: "CAllocator"),
        .target(name: "FastABI", dependencies: ["LossSpec"]),
        .target(name: "CCPUFeatures"),
        .target(name: "Fast", dependencies: fastDependencies, swiftSettings: fastSwiftSettings),
        .target(name: "FastDispatch", dependencies: dispatchDependencies,
                swiftSettings: multiISA ? [.define("LOSSBENCH_MULTI_ISA")] : []),
        .target(name: "GoldenStore", dependencies: ["LossSpec", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Markup"),
        .target(name: "Conformance", dependencies: ["LossSpec", "Reference", "GoldenStore", "Markup"]),
        .target(name: "Implementations", dependencies: ["LossSpec", "Conformance", "FastABI", "FastDispatch"]),
        .target(name: "Ports", dependencies: ["LossSpec", "Conformance"]),
        .target(name: "Generator", dependencies: ["LossSpec", "Reference"]),
        .target(name: "Fuzzing", dependencies: ["LossSpec", "Reference", "FastABI", "FastDispatch", "Conformance", "Implementations", "Generator", "GoldenStore"]),
        .target(name: "History", dependencies: ["LossSpec", "Markup", "GoldenStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Benchmarking", dependencies: ["LossSpec", "Reference", "FastABI", "FastDispatch", "Generator", "History", "Ports"]),
        .target(name: "Reporting", dependencies: ["LossSpec", "Conformance", "GoldenStore", "History", "Markup", "Benchmarking", "FastABI"]),
        .executableTarget(
            name: "lossbench",
            dependencies: [
                "LossSpec", "Reference", "FastABI", "FastDispatch", "GoldenStore", "Generator", "Conformance", "Implementations",
                "Fuzzing", "Benchmarking", "History", "Reporting", "Markup", "CAllocator", "Ports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
        ),
        .testTarget(name: "LossSpecTests", dependencies: ["LossSpec"]),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "LossSpec"]),
        .testTarget(name: "FastTests", dependencies: ["Fast", "LossSpec", "Reference", "Generator"], swiftSettings: fastSwiftSettings),
        .testTarget(name: "FastDispatchTests", dependencies: ["FastDispatch", "FastABI", "Conformance", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "GoldenStoreTests", dependencies: ["GoldenStore", "LossSpec"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "GoldenStore", "LossSpec"]),
        .testTarget(name: "MarkupTests", dependencies: ["Markup"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "Implementations", "Markup", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing", "Conformance", "Implementations", "Generator", "LossSpec", "Reference"]),
        .testTarget(name: "BenchmarkingTests", dependencies: ["Benchmarking", "History", "LossSpec", "FastABI", "FastDispatch"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "FastABI", "History", "Conformance", "Implementations", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "Reporting", "lossbench", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PortsTests", dependencies: ["Ports", "Conformance", "GoldenStore", "LossSpec", "Reference"], exclude: ["Fixtures"]),
        .testTarget(name: "lossbenchTests", dependencies: ["lossbench", "GoldenStore", "LossSpec", "Conformance", "Implementations", "Fuzzing", "History", "CAllocator", "Ports", .product(name: "GRDB", package: "GRDB.swift")]),
    ] + isaTargets
)
