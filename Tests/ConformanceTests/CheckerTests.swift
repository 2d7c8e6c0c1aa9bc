import Testing
import LossSpec
import GoldenStore
import Generator
import Reference
@testable import Conformance
import Implementations

@Suite struct ToleranceTests {
    @Test func normalizedErrorFollowsDesign() {
        let eps = 0x1p-24, f32 = ComputeType.float32
        #expect(Tolerance.normalizedError(got: 1, expected: 1, scale: 1, computeType: f32) == 0)
        #expect(Tolerance.normalizedError(got: .nan, expected: .nan, scale: 1, computeType: f32) == 0)
        #expect(Tolerance.normalizedError(got: .infinity, expected: .infinity, scale: 1, computeType: f32) == 0)
        #expect(Tolerance.normalizedError(got: -.infinity, expected: .infinity, scale: 1, computeType: f32) == .infinity)
        #expect(Tolerance.normalizedError(got: 1, expected: .nan, scale: 1, computeType: f32) == .infinity)
        // One eps32 off a value of scale 2 is half a unit.
        #expect(Tolerance.normalizedError(got: 1 + eps, expected: 1, scale: 2, computeType: f32) == 0.5)
        // The scale widens the denominator when the result cancelled.
        #expect(Tolerance.normalizedError(got: 1e-6 + 1e-10, expected: 1e-6, scale: 1, computeType: f32) < 0.002)
    }

    /// An exact value beyond Float32's overflow threshold must come out as ±inf in Float32; one just
    /// below it rounds to the largest finite Float, so ±inf there is an error. The same rule holds
    /// for the checker and the fuzzer because both go through `normalizedError`.
    @Test func overflowToInfinityIsCorrectRoundingOnlyBeyondTheThreshold() {
        let f32 = ComputeType.float32
        let threshold = f32.overflowThreshold
        #expect(Float(threshold).isInfinite && !Float(threshold.nextDown).isInfinite)
        #expect(Tolerance.normalizedError(got: .infinity, expected: threshold, scale: 0, computeType: f32) == 0)
        #expect(Tolerance.normalizedError(got: -.infinity, expected: -1e39, scale: 0, computeType: f32) == 0)
        #expect(Tolerance.normalizedError(got: .infinity, expected: -1e39, scale: 0, computeType: f32) == .infinity)
        #expect(Tolerance.normalizedError(got: .infinity, expected: threshold.nextDown, scale: 0, computeType: f32) == .infinity)
        // Double never overflows a finite Double.
        #expect(Tolerance.normalizedError(got: .infinity, expected: 1e308, scale: 0, computeType: .float64) == .infinity)
        for type in ComputeType.allCases where type != .float64 {
            #expect(type.overflowThreshold.isFinite && type.unitRoundoff > ComputeType.float64.unitRoundoff)
        }
        #expect(ComputeType.float16.overflowThreshold == 65520)
    }

    @Test func compareReportsStructuralMismatchesFirstThenWorstElements() {
        let expected = ["output": Tensor(shape: [3], scalars: [1.0, 2, 3]), "grad_input": Tensor(shape: [2], scalars: [1.0, 1])]
        let got = ["output": Tensor(shape: [3], scalars: [1.0, 2 + 1e-3, 3 + 1e-2])]
        let c = Tolerance.compare(expected: expected, scales: [:], got: got, computeType: .float32, budget: 32)
        #expect(!c.passed)
        #expect(c.mismatches.map(\.role) == ["grad_input", "output", "output"])
        #expect(c.mismatches[0].got == "missing" && c.mismatches[0].element == nil)
        #expect(c.mismatches[1].element == 2 && c.mismatches[2].element == 1)
        #expect(c.maxError == .infinity)
        #expect(c.errors.count == 3)
        let ok = Tolerance.compare(expected: ["output": expected["output"]!], scales: [:], got: ["output": expected["output"]!],
                                   computeType: .float32, budget: 32)
        #expect(ok.passed && ok.maxError == 0 && ok.worst?.element == 0)
    }
}

/// The MSE catalogue without its large size sweep, generated once for all tests.
let mseDatabase = GoldenFile(meta: [:], cases: try! Generator.generate(
    seed: 11, losses: [.mseLoss], include: { !$0.contains("/sizes/") || $0.hasSuffix("/000") }))

func database() throws -> GoldenFile { mseDatabase }

/// An implementation that wraps the Reference and corrupts one thing.
func broken(_ name: String, _ f: @escaping @Sendable (LossCase, inout LossResult) -> Void) -> any Implementation {
    ClosureImplementation(name: name, computeType: .float32) { c in
        var r = try Reference.evaluate(c)
        f(c, &r)
        return r
    }
}

@Suite struct CheckerTests {
    @Test func intactDatabasePassesTheReference() throws {
        let report = Checker.run(try database(), database: "mem", implementations: [ReferenceImplementation()])
        #expect(!report.failed)
        #expect(report.summaries.count == 1 && report.summaries[0].failed == 0)
    }

    @Test func aPerturbedExpectedValueFails() throws {
        var file = try database()
        let i = try #require(file.cases.firstIndex { $0.expectError == nil && ($0.expected["output"]?.scalars.first ?? 0) > 1 })
        file.cases[i].expected["output"]![0] *= 1 + 1e-9
        let report = Checker.run(file, database: "mem", implementations: [ReferenceImplementation()])
        #expect(report.failed)
        let failures = report.outcomes.filter { !$0.passed }
        #expect(failures.map(\.caseName) == [file.cases[i].name])
        #expect(failures[0].mismatches.first?.role == "output")
    }

    @Test func aFloat32RoundedImplementationPassesWithinBudget() throws {
        let rounded = broken("rounded") { _, r in
            for k in r.outputs.keys { r.outputs[k] = r.outputs[k]!.map { Double(Float($0)) } }
        }
        let report = Checker.run(try database(), database: "mem", implementations: [rounded])
        #expect(!report.failed)
        #expect(report.summaries[0].maxError <= 1)
    }

    @Test(arguments: ["sign", "dropped-gradient", "wrong-error", "no-error"])
    func bugsAreCaught(bug: String) throws {
        let impl: any Implementation
        switch bug {
        case "sign": impl = broken(bug) { _, r in r.outputs["grad_target"] = r.outputs["grad_input"] }
        case "dropped-gradient": impl = broken(bug) { _, r in r.outputs["grad_target"] = nil }
        case "wrong-error":
            impl = ClosureImplementation(name: bug, computeType: .float32) { c in
                do { return try Reference.evaluate(c) } catch let e as LossError {
                    throw LossError(e.kind == .shapeMismatch ? .invalidValue : e.kind, argument: e.argument, e.message)
                }
            }
        default:
            impl = ClosureImplementation(name: bug, computeType: .float32) { c in
                (try? Reference.evaluate(c)) ?? LossResult(outputs: ["output": Tensor(scalar: 0)])
            }
        }
        let report = Checker.run(try database(), database: "mem", implementations: [impl])
        #expect(report.failed)
    }

    @Test func missingScalesAreDerived() throws {
        var file = try database()
        for i in file.cases.indices { file.cases[i].scales = [:] }
        #expect(!Checker.run(file, database: "mem", implementations: [ReferenceImplementation()]).failed)
    }

    @Test func editedContentIsWarnedAbout() throws {
        var file = try database()
        file.meta["content_sha256"] = GoldenDatabase.contentDigest(file.cases)
        #expect(Checker.run(file, database: "mem", implementations: [ReferenceImplementation()]).warnings.isEmpty)
        file.cases[0].note = "edited"
        #expect(!Checker.run(file, database: "mem", implementations: [ReferenceImplementation()]).warnings.isEmpty)
    }

    @Test func junitHasOneTestcasePerCaseAndReproductionCommand() throws {
        var file = try database()
        file.cases[0].expected["output"]?[0] += 1
        let xml = JUnit.xml(Checker.run(file, database: "g.sqlite", implementations: [ReferenceImplementation()]))
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == file.cases.count)
        #expect(xml.contains("classname=\"mse_loss\""))
        #expect(xml.contains("lossbench show \(file.cases[0].name) --db g.sqlite"))
    }

    /// A check that compared nothing fails: no case selected, or every case unsupported.
    @Test func aCheckThatComparedNothingFails() throws {
        let file = try database()
        let none = Checker.run(file, database: "g.sqlite", implementations: [ReferenceImplementation()], losses: ["l1_loss"])
        #expect(none.outcomes.isEmpty && none.comparedNothing && none.failed)
        let declining = ClosureImplementation(name: "declining", computeType: .float32) { _ in throw Unsupported("nothing") }
        let all = Checker.run(file, database: "g.sqlite", implementations: [declining])
        #expect(!all.outcomes.isEmpty && all.comparedNothing && all.failed)
        #expect(!Checker.run(file, database: "g.sqlite", implementations: [ReferenceImplementation()]).failed)
    }

    /// An implementation that throws `Unsupported` is neither passed nor failed, and does not fail
    /// the report; JUnit lists its cases as skipped.
    @Test func unsupportedCasesAreReportedApart() throws {
        let file = try database()
        let declining = ClosureImplementation(name: "declining", computeType: .float32) { c in
            if c.options["reduction"] == .string("sum") { throw Unsupported("no sum") }
            return try Reference.evaluate(c)
        }
        let report = Checker.run(file, database: "g.sqlite", implementations: [declining])
        let summary = try #require(report.summaries.first)
        let sums = file.cases.filter { $0.options["reduction"] == .string("sum") }.count
        #expect(sums > 0)
        #expect(summary.unsupported == sums && summary.failed == 0 && summary.passed == file.cases.count - sums)
        #expect(!report.failed)
        let xml = JUnit.xml(report)
        #expect(xml.components(separatedBy: "<skipped message=\"no sum\"/>").count - 1 == sums)
    }
}
