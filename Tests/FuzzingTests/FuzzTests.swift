import Foundation
import Testing
import LossSpec
import GoldenStore
import Generator
import Reference
@testable import Fuzzing
import Conformance
import Implementations

/// A Float32-tolerance candidate that is the Reference with one deliberate bug: `alter` may
/// rewrite the case before evaluation and the result after it. `threads` is passed through so a
/// bug can depend on the thread count.
func buggy(_ name: String, threads: Int = 1,
           before: @escaping @Sendable (LossCase) -> LossCase = { $0 },
           after: @escaping @Sendable (LossCase, Int, inout LossResult) throws -> Void = { _, _, _ in }) -> any Implementation {
    ClosureImplementation(name: "\(name)@\(threads)", computeType: .float32) { c in
        let altered = before(c)
        var r = try Reference.evaluate(altered)
        try after(altered, threads, &r)
        return r
    }
}

func targets(_ name: String,
             before: @escaping @Sendable (LossCase) -> LossCase = { $0 },
             after: @escaping @Sendable (LossCase, Int, inout LossResult) throws -> Void = { _, _, _ in }) -> FuzzTargets {
    FuzzTargets { t in buggy(name, threads: t, before: before, after: after) }
}

func reduction(_ c: LossCase) -> String {
    if case .string(let s)? = c.options["reduction"] { return s }
    return "mean"
}

/// Runs a small fuzz budget against `targets` and returns the report.
func fuzz(_ losses: [LossKind], _ targets: FuzzTargets, cases: Int = 150, seed: UInt64 = 7,
          properties: Set<FuzzProperty> = Set(FuzzProperty.allCases)) -> Fuzzer.Report {
    var config = Fuzzer.Configuration()
    config.seed = seed
    config.cases = cases
    config.losses = losses
    config.properties = properties
    config.maxElements = 2000
    config.maxShrinkEvaluations = 1500
    return Fuzzer(config, targets: targets).run()
}

/// The finding for `property`, printed for the test log.
func finding(_ r: Fuzzer.Report, _ property: FuzzProperty) -> Fuzzer.Finding? {
    let f = r.findings.first { $0.property == property }
    if let f {
        print("\(property.rawValue) at case \(f.caseIndex) of \(r.casesRun): \(f.message)\n  shrunk: \(f.shrunk.inputs.mapValues(\.shape)) \(f.shrunk.options)")
    }
    return f
}

@Suite(.serialized) struct FuzzBugTests {
    /// Weighted MSE 'mean' divided by numel instead of Σw (Docs/Losses/mse_loss.md).
    @Test func wrongDivisorForOneReduction() throws {
        let t = targets("wrong-divisor", after: { c, _, r in
            guard c.loss == .mseLoss, c.inputs["weight"] != nil, reduction(c) == "mean" else { return }
            var s = c
            s.options["reduction"] = .string("none")
            s.inputs["grad_output"] = nil
            let none = try Reference.evaluate(s).output!
            r.outputs["output"] = Tensor(scalar: none.scalars.reduce(0, +) / Double(none.count))
        })
        let report = fuzz([.mseLoss], t)
        let f = try #require(finding(report, .differential) ?? finding(report, .meanDivisor))
        #expect(Shrinker.largestArgument(f.shrunk) <= 2)
        #expect(f.shrunk.inputs["weight"] != nil)
        #expect(report.findings.contains { $0.property == FuzzProperty.meanDivisor })
    }

    /// nll_loss ignoring its ignore_index option.
    @Test func droppedIgnoreIndex() throws {
        let t = targets("dropped-ignore-index", before: { c in
            var c = c
            if c.loss == .nllLoss { c.options["ignore_index"] = nil }
            return c
        })
        let report = fuzz([.nllLoss], t)
        let f = try #require(report.findings.first)
        print("found \(f.property.rawValue): \(f.message)")
        #expect(Shrinker.largestArgument(f.shrunk) <= 2)
        #expect(f.shrunk.options["ignore_index"] != nil)
    }

    /// MSE whose vector loop stops one element early when there is a tail (count > 8, count % 8 ≠ 0).
    @Test func offByOneAtSIMDTail() throws {
        let t = targets("simd-tail", before: { c in
            guard c.loss == .mseLoss, case .float64(var x)? = c.inputs["input"], case .float64(let y)? = c.inputs["target"],
                  x.shape == y.shape, x.count > 8, x.count % 8 != 0 else { return c }
            var c = c
            x[x.count - 1] = y[y.count - 1]  // the last element's loss (and gradient) is lost
            c.inputs["input"] = .float64(x)
            return c
        })
        let report = fuzz([.mseLoss], t)
        let f = try #require(finding(report, .differential))
        // 9 elements is the smallest case with a tail.
        #expect(Shrinker.largestArgument(f.shrunk) <= 10)
        #expect(Shrinker.largestArgument(f.shrunk) > 8)
    }

    /// kl_div with log_target=True returning the input gradient with the wrong sign.
    @Test func wrongGradientSignUnderOneOption() throws {
        let flip: @Sendable (LossCase, Int, inout LossResult) throws -> Void = { c, _, r in
            guard c.loss == .klDiv, c.options["log_target"] == .bool(true), let g = r.outputs["grad_input"] else { return }
            r.outputs["grad_input"] = g.map { -$0 }
        }
        let report = fuzz([.klDiv], targets("gradient-sign", after: flip))
        let f = try #require(finding(report, .differential))
        #expect(Shrinker.largestArgument(f.shrunk) <= 2)
        #expect(f.shrunk.options["log_target"] == .bool(true))

        // The same bug in the oracle itself is caught by finite differences.
        let badReference = buggy("reference-gradient-sign", after: flip)
        let oracle = FuzzTargets(reference: ClosureImplementation(name: "bad-reference", computeType: .float64, evaluate: badReference.evaluate))
        let fd = fuzz([.klDiv], oracle, properties: [.finiteDifference])
        let g = try #require(finding(fd, .finiteDifference))
        #expect(Shrinker.largestArgument(g.shrunk) <= 2)
    }

    /// A 'sum' accumulated in Float32 in one partial per thread: results depend on the thread count.
    @Test func threadCountDependentSum() throws {
        let t = targets("thread-sum", after: { c, threads, r in
            guard c.loss == .l1Loss, reduction(c) == "sum" else { return }
            var s = c
            s.options["reduction"] = .string("none")
            s.inputs["grad_output"] = nil
            let none = try Reference.evaluate(s).output!.scalars
            var partials = [Float](repeating: 0, count: max(1, threads))
            for (i, x) in none.enumerated() { partials[i % partials.count] += Float(x) }
            r.outputs["output"] = Tensor(scalar: Double(partials.reduce(0, +)))
        })
        let report = fuzz([.l1Loss], t, properties: [.threadDeterminism])
        let f = try #require(finding(report, .threadDeterminism))
        #expect(Shrinker.largestArgument(f.shrunk) <= 4)
        #expect(report.findings.allSatisfy { $0.property == .threadDeterminism })
    }
}

@Suite struct FuzzMachineryTests {
    @Test func drawingIsDeterministicForASeed() {
        var config = Fuzzer.Configuration()
        config.seed = 42
        config.maxElements = 2000
        let a = Fuzzer(config), b = Fuzzer(config)
        config.seed = 43
        let c = Fuzzer(config)
        var differs = 0
        // Compared through the replay token: exact values, NaN included.
        for i in 0..<63 {
            #expect(ReplayToken.encode(a.drawCase(i)) == ReplayToken.encode(b.drawCase(i)))
            if ReplayToken.encode(a.drawCase(i)) != ReplayToken.encode(c.drawCase(i)) { differs += 1 }
        }
        #expect(differs > 50)
        // Every loss is drawn, round-robin.
        #expect(Set((0..<21).map { a.drawCase($0).loss }) == Set(LossKind.allCases))
    }

    @Test func runsAreDeterministicForASeed() {
        let r1 = fuzz([.mseLoss, .multiMarginLoss], .standard, cases: 30, seed: 5)
        let r2 = fuzz([.mseLoss, .multiMarginLoss], .standard, cases: 30, seed: 5)
        #expect(r1.casesRun == 30 && r2.casesRun == 30)
        #expect(r1.perLoss.mapValues { [$0.cases, $0.invalid, $0.failing] } == r2.perLoss.mapValues { [$0.cases, $0.invalid, $0.failing] })
        #expect(r1.findings.map(\.token) == r2.findings.map(\.token))
    }

    @Test func replayTokenRoundTrip() throws {
        var config = Fuzzer.Configuration()
        config.maxElements = 500
        let fuzzer = Fuzzer(config)
        for i in 0..<84 {
            let c = fuzzer.drawCase(i)
            let back = try ReplayToken.decode(ReplayToken.encode(c))
            #expect(back.loss == c.loss && back.options == c.options)
            #expect(back.inputs.keys.sorted() == c.inputs.keys.sorted())
            for (name, v) in c.inputs {
                switch (v, back.inputs[name]!) {
                case (.float64(let x), .float64(let y)):
                    #expect(x.shape == y.shape && zip(x.scalars, y.scalars).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
                case (.int64(let x), .int64(let y)): #expect(x == y)
                default: Issue.record("dtype of \(name) changed")
                }
            }
        }
        let special = LossCase(loss: .mseLoss, options: ["reduction": .string("sum")],
                               inputs: ["input": .float64(Tensor(shape: [3], scalars: [.nan, .infinity, 0.1])),
                                        "target": .float64(Tensor(scalar: -.infinity))])
        #expect(try ReplayToken.decode(ReplayToken.encode(special)).inputs["target"] == special.inputs["target"])
        #expect(throws: ReplayToken.InvalidToken.self) { try ReplayToken.decode("lbz1.!!!") }
        #expect(throws: ReplayToken.InvalidToken.self) { try ReplayToken.decode("nope") }
    }

    @Test func meanRulesFollowTheSpec() throws {
        let none = Tensor<Double>(shape: [3], scalars: [1, 2, 3])
        let nll = LossCase(loss: .nllLoss, options: ["ignore_index": .number(1)],
                           inputs: ["input": .float64(Tensor(repeating: -1, shape: [3, 4])),
                                    "target": .int64(Tensor(shape: [3], scalars: [0, 1, 3])),
                                    "weight": .float64(Tensor(shape: [4], scalars: [0.5, 7, 1, 2]))])
        #expect(ReductionRules.meanRule(nll, none: none)?.divisor == 2.5)
        let ctc = LossCase(loss: .ctcLoss, inputs: ["target_lengths": .int64(Tensor(shape: [3], scalars: [0, 2, 4]))])
        #expect(ReductionRules.meanRule(ctc, none: none)?.coefficients == [1, 0.5, 0.25])
        #expect(ReductionRules.meanRule(ctc, none: none)?.divisor == 3)
        let kl = LossCase(loss: .klDiv, inputs: ["input": .float64(Tensor(repeating: 0, shape: [2, 5]))])
        #expect(ReductionRules.meanRule(kl, none: Tensor(repeating: 0, shape: [2, 5]), reduction: .batchmean)?.divisor == 2)
    }

    /// A shrunk finding saved as a regression case: the Reference passes it, the buggy
    /// implementation fails it.
    @Test func savedRegressionCasePassesCheckWithTheReference() throws {
        let bug: @Sendable (LossCase) -> LossCase = { c in
            var c = c
            if c.loss == .nllLoss { c.options["ignore_index"] = nil }
            return c
        }
        let report = fuzz([.nllLoss], targets("dropped-ignore-index", before: bug), cases: 60)
        let f = try #require(report.findings.first)
        let regression = try Fuzzer.regressionCase(f)
        #expect(regression.family == .regression)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/g.sqlite"
        try GoldenDatabase.write([], meta: [:], to: path)
        try GoldenDatabase.append([regression], to: path)
        let file = try GoldenDatabase.read(path)
        let saved = try #require(file.cases.first { $0.family == .regression })
        #expect(saved.name == regression.name)
        #expect(Checker.check(saved, with: ReferenceImplementation()).passed)
        #expect(!Checker.check(saved, with: buggy("dropped-ignore-index", before: bug)).passed)
    }

    /// The real Reference and Fast (for the losses Fast implements) pass a small budget.
    @Test func realImplementationsPassASmallBudget() {
        let report = fuzz(LossKind.allCases, .standard, cases: 126, seed: 3)
        for f in report.findings {
            Issue.record("\(f.property.rawValue) \(f.loss.rawValue) [\(f.implementation)]: \(f.message) — lossbench fuzz --replay \(f.token)")
        }
        #expect(report.casesRun == 126)
    }
}
