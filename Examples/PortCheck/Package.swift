// swift-tools-version:6.1
import PackageDescription
import Foundation

// A port's own package, depending on LossBench by version, as any Swift user would. LossBench's
// CI builds it against a local tag of the checkout (LOSSBENCH_PACKAGE_URL=file:///…), which is how
// it proves the products a port uses carry no unsafe build flags. Point the URL at wherever you
// get LossBench from.
let lossBench = Context.environment["LOSSBENCH_PACKAGE_URL"] ?? "https://example.invalid/LossBench.git"

let package = Package(
    name: "PortCheck",
    dependencies: [
        .package(url: lossBench, from: "1.0.0"),
    ],
    targets: [
        // The port under test: here a deliberately small Swift l1_loss.
        .target(name: "MyLosses", dependencies: [.product(name: "LossSpec", package: "LossBench")]),
        .testTarget(name: "PortCheckTests", dependencies: [
            "MyLosses",
            .product(name: "Conformance", package: "LossBench"),
            .product(name: "GoldenStore", package: "LossBench"),
            .product(name: "LossSpec", package: "LossBench"),
        ]),
    ]
)
