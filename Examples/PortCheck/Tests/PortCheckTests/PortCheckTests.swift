import Conformance
import Foundation
import GoldenStore
import LossSpec
import MyLosses
import Testing

/// The port `MyL1` as a LossBench `Implementation`: a golden case in, the roles it expects out.
struct MyL1Implementation: Implementation {
    var name = "my-l1"
    var computeType: ComputeType { .float32 }
    var plantBug = false

    func evaluate(_ c: LossCase) throws -> LossResult {
        guard c.loss == .l1Loss else { throw Unsupported("only l1_loss") }
        guard case .string(let reduction)? = c.options["reduction"] else { throw Unsupported("a non-string reduction") }
        guard ["none", "mean", "sum"].contains(reduction) else {
            // The error kind the golden case expects, as PyTorch raises it.
            throw LossError(.invalidReduction, argument: "reduction", "\(reduction) is not a valid value for reduction")
        }
        guard c.inputs["weight"] == nil, case .float64(let input)? = c.inputs["input"],
              case .float64(let target)? = c.inputs["target"], input.shape == target.shape, !input.isEmpty else {
            throw Unsupported("weights, broadcasting and empty inputs")
        }
        var gradOutput: [Float]?
        if case .float64(let g)? = c.inputs["grad_output"] { gradOutput = g.scalars.map(Float.init) }
        let r = MyL1.l1(input: input.scalars.map(Float.init), target: target.scalars.map(Float.init),
                        reduction: reduction, gradOutput: gradOutput, sumInsteadOfMean: plantBug)
        func tensor(_ values: [Float], _ shape: [Int]) -> Tensor<Double> { Tensor(shape: shape, scalars: values.map(Double.init)) }
        var outputs = ["output": tensor(r.loss, reduction == "none" ? input.shape : [])]
        if let gi = r.gradInput, let gt = r.gradTarget {
            outputs["grad_input"] = tensor(gi, input.shape)
            outputs["grad_target"] = tensor(gt, target.shape)
        }
        return LossResult(outputs: outputs)
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
    let failed = report.outcomes.filter { $0.status == .failed }
    #expect(failed.isEmpty, "\(failed.prefix(3).map { "\($0.caseName): \($0.mismatches.first?.description ?? "")" })")
    #expect(summary.passed >= 20, "passed \(summary.passed) of \(summary.cases)")
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
    #expect(!failed.isEmpty)
    // Only 'mean' cases can fail: the planted bug changes nothing else.
    let mean = Set(try golden().cases.filter { $0.options["reduction"] == .string("mean") }.map(\.name))
    #expect(failed.allSatisfy { mean.contains($0.caseName) })
}
