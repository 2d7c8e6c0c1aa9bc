// swift-tools-version:6.1
import PackageDescription

// Which build of Fast's vector kernels this is.
//
// AVX2 (the default on x86-64 Linux): Fast is compiled for x86-64-v3 (AVX2 + FMA; without it
// `addingProduct`/`fma` lower to `fmaf` library calls, measured 30x slower), calls glibc's libmvec
// and an inline AVX2 shim (CVectorMath). Only Fast, the shim and Fast's own tests get the flag:
// the tests call Fast's SIMD functions across the module boundary, and modules compiled for
// different vector ISAs disagree on how SIMD values are passed. The products a port depends on
// (LossSpec, Reference, GoldenStore, Conformance) carry no unsafe flag on either build.
//
// Portable (every other platform, or LOSSBENCH_PORTABLE=1): no architecture flag, no C shim, no
// libmvec; Fast's kernels use plain Swift SIMD (`PortableMath`). Switching builds in one scratch
// path recompiles Fast and what depends on it; a scratch path per build
// (`--scratch-path .build-portable`) keeps both ready.
//
// Fast (and its tests) are optimized in debug builds too: the tests then exercise the code that
// ships, and sweeping millions of Floats through unoptimized SIMD code took over a minute.
#if arch(x86_64) && os(Linux)
let avx2 = Context.environment["LOSSBENCH_PORTABLE"] != "1"
#else
let avx2 = false
#endif

let fastSwiftSettings: [SwiftSetting] = (avx2
    ? [.unsafeFlags(["-Xcc", "-march=x86-64-v3"]), .define("LOSSBENCH_AVX2")]
    : []) + [.unsafeFlags(["-O"], .when(configuration: .debug))]
let fastDependencies: [Target.Dependency] = avx2 ? ["LossSpec", "CVectorMath"] : ["LossSpec"]
let vectorMathTargets: [Target] = avx2
    ? [.target(name: "CVectorMath", cSettings: [.unsafeFlags(["-march=x86-64-v3"])],
               linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux]))])]
    : []

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
        .target(name: "Fast", dependencies: fastDependencies, swiftSettings: fastSwiftSettings),
        .target(name: "GoldenStore", dependencies: ["LossSpec", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Markup"),
        .target(name: "Conformance", dependencies: ["LossSpec", "Reference", "GoldenStore", "Markup"]),
        .target(name: "Implementations", dependencies: ["LossSpec", "Conformance", "Fast"]),
        .target(name: "Ports", dependencies: ["LossSpec", "Conformance"]),
        .target(name: "Generator", dependencies: ["LossSpec", "Reference"]),
        .target(name: "Fuzzing", dependencies: ["LossSpec", "Reference", "Fast", "Conformance", "Implementations", "Generator", "GoldenStore"]),
        .target(name: "History", dependencies: ["LossSpec", "Markup", "GoldenStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Benchmarking", dependencies: ["LossSpec", "Reference", "Fast", "Generator", "History", "Ports"]),
        .target(name: "Reporting", dependencies: ["LossSpec", "Conformance", "GoldenStore", "History", "Markup", "Benchmarking"]),
        .executableTarget(
            name: "lossbench",
            dependencies: [
                "LossSpec", "Reference", "Fast", "GoldenStore", "Generator", "Conformance", "Implementations",
                "Fuzzing", "Benchmarking", "History", "Reporting", "Markup", "CAllocator", "Ports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
        ),
        .testTarget(name: "LossSpecTests", dependencies: ["LossSpec"]),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "LossSpec"]),
        .testTarget(name: "FastTests", dependencies: ["Fast", "LossSpec", "Reference", "Generator"], swiftSettings: fastSwiftSettings),
        .testTarget(name: "GoldenStoreTests", dependencies: ["GoldenStore", "LossSpec"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "GoldenStore", "LossSpec"]),
        .testTarget(name: "MarkupTests", dependencies: ["Markup"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "Implementations", "Markup", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing", "Conformance", "Implementations", "Generator", "LossSpec", "Reference"]),
        .testTarget(name: "BenchmarkingTests", dependencies: ["Benchmarking", "History", "LossSpec", "Fast"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "History", "Conformance", "Implementations", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "Reporting", "lossbench", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PortsTests", dependencies: ["Ports", "Conformance", "GoldenStore", "LossSpec", "Reference"], exclude: ["Fixtures"]),
        .testTarget(name: "lossbenchTests", dependencies: ["lossbench", "GoldenStore", "LossSpec", "Conformance", "Implementations", "Fuzzing", "History", "CAllocator", "Ports", .product(name: "GRDB", package: "GRDB.swift")]),
    ] + vectorMathTargets
)
