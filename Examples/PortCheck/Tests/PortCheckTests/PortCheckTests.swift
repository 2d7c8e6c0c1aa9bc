import Conformance
import Foundation
import GoldenStore
import LossSpec
import MyLosses
import Testing

/// The port `MyL1` as a LossBench `Implementation`: golden cases in, roles out.
struct MyL1Implementation: Implementation {
    var name = "my-l1"
    var computeType: ComputeType { .float32 }
    var plantBug = false

    func evaluate(_ c: LossCase) throws -> LossResult {
        guard c.loss == .l1Loss else { throw Unsupported("only l1_loss") }
        guard case .string(let reduction)? = c.options["reduction"] else { throw Unsupported("reduction not a string") }
        guard ["none", "mean", "sum"].contains(reduction) else {
            throw LossError(.invalidReduction, argument: "reduction", "\(reduction) is not a valid value for reduction")
        }
        guard c.inputs["weight"] == nil, c.inputs["grad_output"] == nil,
              case .float64(let input)? = c.inputs["input"], case .float64(let target)? = c.inputs["target"],
              input.shape == target.shape, !input.isEmpty else {
            throw Unsupported("weights, gradients, broadcasting and empty inputs")
        }
        let out = try MyL1.l1(input: input.scalars.map(Float.init), target: target.scalars.map(Float.init),
                              reduction: reduction, sumInsteadOfMean: plantBug)
        let shape = reduction == "none" ? input.shape : []
        return LossResult(outputs: ["output": Tensor(shape: shape, scalars: out.map(Double.init))])
    }
}

/// The golden database: LOSSBENCH_GOLDEN, as LossBench's CI sets it.
func golden() throws -> GoldenFile {
    let path = try #require(ProcessInfo.processInfo.environment["LOSSBENCH_GOLDEN"],
                            "set LOSSBENCH_GOLDEN to the path of LossBench's Vectors/golden.sqlite")
    return try GoldenDatabase.read(path)
}

@Test func myL1ConformsWhereItIsImplemented() throws {
    let report = Checker.run(try golden(), database: "golden.sqlite", implementations: [MyL1Implementation()],
                             losses: ["l1_loss"])
    let summary = try #require(report.summaries.first { $0.loss == "l1_loss" })
    #expect(summary.failed == 0, "\(report.outcomes.filter { $0.status == .failed }.map(\.caseName))")
    #expect(summary.passed >= 10)
    #expect(summary.unsupported > 0)
    #expect(summary.passed + summary.unsupported == summary.cases)
    #expect(!report.failed)
}

@Test func aPlantedBugFails() throws {
    let report = Checker.run(try golden(), database: "golden.sqlite",
                             implementations: [MyL1Implementation(name: "my-l1-buggy", plantBug: true)],
                             losses: ["l1_loss"])
    #expect(report.failed)
    let failed = report.outcomes.filter { $0.status == .failed }
    #expect(!failed.isEmpty && failed.allSatisfy { $0.caseName.contains("mean") || $0.mismatches.first?.role == "output" })
}
