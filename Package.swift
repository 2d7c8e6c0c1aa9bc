// swift-tools-version:6.1
import PackageDescription

/// AVX2 + FMA for Swift's own code generation: without it `addingProduct`/`fma` lower to
/// `fmaf` library calls (measured 30x slower on this machine). Applied to the numeric modules.
let vectorISA: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]

let package = Package(
    name: "LossBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lossbench", targets: ["lossbench"]),
        .library(name: "LossSpec", targets: ["LossSpec"]),
        .library(name: "Reference", targets: ["Reference"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "LossSpec"),
        .target(name: "Reference", dependencies: ["LossSpec"]),
        .target(name: "GoldenStore", dependencies: ["LossSpec", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Generator", dependencies: ["LossSpec", "Reference", "GoldenStore"]),
        .target(name: "Runner", dependencies: ["LossSpec", "Reference", "GoldenStore"]),
        .executableTarget(
            name: "lossbench",
            dependencies: [
                "LossSpec", "Reference", "GoldenStore", "Generator", "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "LossSpecTests", dependencies: ["LossSpec"]),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "LossSpec"]),
        .testTarget(name: "GoldenStoreTests", dependencies: ["GoldenStore", "LossSpec"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "GoldenStore", "LossSpec"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Generator", "GoldenStore", "LossSpec", "Reference"]),
        .testTarget(name: "lossbenchTests", dependencies: ["lossbench", "GoldenStore", "LossSpec"]),
    ]
)
