// swift-tools-version:6.1
import PackageDescription

/// AVX2 + FMA for Swift's own code generation: without it `addingProduct`/`fma` lower to
/// `fmaf` library calls (measured 30x slower on this machine). Every target gets the same flag:
/// modules compiled for different vector ISAs disagree on how SIMD values are passed.
let vectorISA: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]

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
        .target(name: "LossSpec", swiftSettings: vectorISA),
        .target(name: "Reference", dependencies: ["LossSpec"], swiftSettings: vectorISA),
        .target(
            name: "CVectorMath",
            cSettings: [.unsafeFlags(["-march=x86-64-v3"])],
            linkerSettings: [.linkedLibrary("mvec")]),
        .target(name: "CAllocator"),
        .target(name: "Fast", dependencies: ["LossSpec", "CVectorMath"], swiftSettings: vectorISA),
        .target(name: "GoldenStore", dependencies: ["LossSpec", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: vectorISA),
        .target(name: "Markup", swiftSettings: vectorISA),
        .target(name: "Conformance", dependencies: ["LossSpec", "Reference", "GoldenStore", "Markup"], swiftSettings: vectorISA),
        .target(name: "Implementations", dependencies: ["LossSpec", "Conformance", "Fast"], swiftSettings: vectorISA),
        .target(name: "Generator", dependencies: ["LossSpec", "Reference"], swiftSettings: vectorISA),
        .target(name: "Fuzzing", dependencies: ["LossSpec", "Reference", "Fast", "Conformance", "Implementations", "Generator", "GoldenStore"], swiftSettings: vectorISA),
        .target(name: "History", dependencies: ["LossSpec", "Markup", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: vectorISA),
        .target(name: "Benchmarking", dependencies: ["LossSpec", "Reference", "Fast", "Generator", "History"], swiftSettings: vectorISA),
        .target(name: "Reporting", dependencies: ["LossSpec", "Conformance", "History", "Markup"], swiftSettings: vectorISA),
        .executableTarget(
            name: "lossbench",
            dependencies: [
                "LossSpec", "Reference", "Fast", "GoldenStore", "Generator", "Conformance", "Implementations",
                "Fuzzing", "Benchmarking", "History", "Reporting", "Markup", "CAllocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: vectorISA),
        .testTarget(name: "LossSpecTests", dependencies: ["LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "FastTests", dependencies: ["Fast", "LossSpec", "Reference", "Generator"], swiftSettings: vectorISA),
        .testTarget(name: "GoldenStoreTests", dependencies: ["GoldenStore", "LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "GoldenStore", "LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "MarkupTests", dependencies: ["Markup"], swiftSettings: vectorISA),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance", "Implementations", "Markup", "Generator", "GoldenStore", "LossSpec", "Reference"], swiftSettings: vectorISA),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing", "Conformance", "Implementations", "Generator", "LossSpec", "Reference"], swiftSettings: vectorISA),
        .testTarget(name: "BenchmarkingTests", dependencies: ["Benchmarking", "History", "LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "History", "Conformance", "Implementations", "Generator", "GoldenStore", "LossSpec"], swiftSettings: vectorISA),
        .testTarget(name: "HistoryTests", dependencies: ["History", "Reporting", "lossbench", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: vectorISA),
        .testTarget(name: "lossbenchTests", dependencies: ["lossbench", "GoldenStore", "LossSpec", "Conformance", "Implementations", "Fuzzing", "CAllocator"], swiftSettings: vectorISA),
    ]
)
