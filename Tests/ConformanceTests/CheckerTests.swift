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
}
