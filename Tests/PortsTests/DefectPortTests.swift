import Foundation
import Testing
import Conformance
import GoldenStore
import LossSpec
import Reference
@testable import Ports

/// A port with planted defects (Fixtures/defect_port.py, standard library only): every defect is
/// reported with its own status, the run goes on past a crash, a hang and a malformed reply, and
/// it ends in bounded time.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct DefectPortTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/defect_port.py").path

    /// An mse_loss case whose target starts with `trigger` (the port's defect switch).
    static func mse(_ name: String, trigger: Double, reduction: String = "mean", loss: String = "mse_loss",
                    expectError: ErrorKind? = nil, targetShape: [Int] = [3]) -> GoldenCase {
        let input = Tensor<Double>(shape: [3], scalars: [0.5, -1.25, 2])
        let target = Tensor<Double>(shape: targetShape, scalars: [trigger] + [Double](repeating: 0.25, count: targetShape.reduce(1, *) - 1))
        let inputs: [String: TensorValue] = ["input": .float64(input), "target": .float64(target)]
        let options: [String: JSONValue] = ["reduction": .string(reduction)]
        var g = GoldenCase(name: name, loss: loss, options: options, family: expectError == nil ? .random : .error, seed: nil,
                           expectError: expectError, note: nil, inputs: inputs)
        if expectError == nil, let r = try? Reference.evaluate(LossCase(loss: LossKind(name: loss), options: options, inputs: inputs)) {
            g.expected = r.outputs
            g.scales = r.scales
        }
        return g
    }

    static let cases: [GoldenCase] = [
        mse("good", trigger: 0),
        mse("crash", trigger: 1),
        mse("hang", trigger: 2),
        mse("malformed", trigger: 3),
        mse("wrong-value", trigger: 4),
        mse("wrong-value-known", trigger: 4),
        mse("good-but-declared-failing", trigger: 0, reduction: "sum"),
        mse("good-after-trouble", trigger: 0, reduction: "none"),
        mse("error-right-kind", trigger: 0, reduction: "bogus", expectError: .invalidReduction),
        mse("error-wrong-kind", trigger: 7, reduction: "bogus", expectError: .invalidReduction),
        mse("silently-accepts-bad-shapes", trigger: 0, expectError: .shapeMismatch, targetShape: [2]),
        mse("l1-unsupported", trigger: 0, reduction: "sum", loss: "l1_loss"),
        mse("l1-wrong", trigger: 0, loss: "l1_loss"),
    ]

    @Test func everyDefectHasItsStatus() throws {
        let port = try PortImplementation(
            name: "defects", command: ["python3", Self.script], timeout: 2,
            expectedFailures: [ExpectedFailure(pattern: "wrong-value-k*", reason: "known"),
                               ExpectedFailure(pattern: "good-but-*", reason: "stale")])
        let start = Date()
        let report = Checker.run(GoldenFile(meta: [:], cases: Self.cases), database: "defects", implementations: [port])
        let status = Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.caseName, $0.status) })
        #expect(status["good"] == .passed)
        #expect(status["crash"] == .portError)
        #expect(status["hang"] == .portError)
        #expect(status["malformed"] == .portError)
        #expect(status["wrong-value"] == .failed)
        #expect(status["wrong-value-known"] == .expectedFailure)
        #expect(status["good-but-declared-failing"] == .unexpectedPass)
        #expect(status["good-after-trouble"] == .passed)
        #expect(status["error-right-kind"] == .passed)
        #expect(status["error-wrong-kind"] == .failed)
        #expect(status["silently-accepts-bad-shapes"] == .failed)
        #expect(status["l1-unsupported"] == .unsupported)
        #expect(status["l1-wrong"] == .failed)
        #expect(report.failed)
        // Two timeouts of 2 s (the batch, then the hanging case alone) and restarts: bounded.
        #expect(Date().timeIntervalSince(start) < 30)
        let crash = report.outcomes.first { $0.caseName == "crash" }!
        #expect(crash.mismatches.first?.got.contains("exit") == true, "\(crash.mismatches)")
    }

    @Test func handshakeFailuresAreStartFailures() {
        for command in [["python3", "-c", "print('hello')"], ["python3", "-c", "import sys; sys.exit(3)"],
                        ["python3", "-c", "print('{\"op\": \"hello\", \"protocol\": 2, \"dtype\": \"float64\", \"losses\": []}')"],
                        ["/nonexistent/port"]] {
            #expect(throws: PortImplementation.StartFailure.self, "\(command)") {
                try PortImplementation(name: "bad", command: command, timeout: 5)
            }
        }
    }


    /// The options reach the port as the golden case stores them: a deprecated spelling is not
    /// canonicalized away (the framework's own rejection of it is what the case checks), and
    /// every option the case leaves out is filled in with PyTorch's default.
    @Test func optionsTravelAsGivenWithDefaultsFilledIn() throws {
        let port = try PortImplementation(name: "defects", command: ["python3", Self.script], timeout: 5)
        let x = TensorValue.float64(Tensor(shape: [2], scalars: [1, 2]))
        let mean = LossCase(loss: .mseLoss, options: ["reduction": .string("elementwise_mean")], inputs: ["input": x, "target": x])
        #expect(port.explicitOptions(mean) == ["reduction": .string("elementwise_mean")])
        let smooth = port.explicitOptions(LossCase(loss: .smoothL1Loss, options: [:], inputs: ["input": x, "target": x]))
        #expect(smooth["reduction"] == .string("mean") && smooth["beta"] == .number(1), "\(smooth)")
        let triplet = port.explicitOptions(LossCase(loss: .tripletMarginLoss, options: ["p": .number(3)], inputs: [:]))
        #expect(triplet["p"] == .number(3) && triplet["swap"] == .bool(false) && triplet["margin"] == .number(1), "\(triplet)")
    }
    @Test func wireTensorsAreBitExact() throws {
        let xs: [Double] = [.nan, -.infinity, -0.0, .leastNonzeroMagnitude, 1.5]
        let back = try TensorWire.decode(TensorWire.encode(.float64(Tensor(shape: [5], scalars: xs))), role: "x")
        #expect(back.scalars.map(\.bitPattern) == xs.map(\.bitPattern))
        // float32 and bfloat16 replies widen exactly.
        let f: [Float] = [1.5, -.infinity, .leastNonzeroMagnitude]
        let f32 = JSONValue.object(["dtype": .string("float32"), "shape": .array([.number(3)]),
                                    "data": .string(f.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())])
        #expect(try TensorWire.decode(f32, role: "y").scalars == f.map(Double.init))
        #expect(TensorWire.halfToDouble(0x3C00) == 1 && TensorWire.halfToDouble(0x0001) == 0x1p-24 && TensorWire.halfToDouble(0xFC00) == -.infinity)
    }

    @Test(arguments: [("a*", "abmz", true), ("*z", "abmz", true), ("a*z", "abmz", true), ("*", "", true),
                      ("a*m*z", "a-m-z", true), ("a*m*z", "a-z", false), ("abc", "abc", true), ("abc", "abcd", false),
                      ("nll_loss/edge/*", "nll_loss/edge/empty/001", true), ("nll_loss/edge/*", "nll_loss/random/000", false),
                      ("a*a", "a", false)])
    func patterns(pattern: String, name: String, matches: Bool) {
        #expect(ExpectedFailure(pattern: pattern, reason: "").matches(name) == matches)
    }
}

/// A case marked as a documented deviation: an implementation that follows PyTorch there is
/// reported as a deviation, not a failure; one that implements LossBench's choices (the
/// built-ins, a port saying `"deviations": true`) still fails on it.
@Suite struct DeviationTests {
    @Test func deviationsAreReportedAsSuch() throws {
        var c = DefectPortTests.mse("dev", trigger: 0)
        c.deviation = "some-deviation"
        struct Strict: Implementation {
            var name: String { "strict" }
            var computeType: ComputeType { .float64 }
            func evaluate(_ c: LossCase) throws -> LossResult { LossResult(outputs: ["output": Tensor(scalar: 42)]) }
            var followsDeviations: Bool { true }
        }
        struct Follower: Implementation {
            var name: String { "follower" }
            var computeType: ComputeType { .float64 }
            func evaluate(_ c: LossCase) throws -> LossResult { LossResult(outputs: ["output": Tensor(scalar: 42)]) }
            var followsDeviations: Bool { false }
        }
        let report = Checker.run(GoldenFile(meta: [:], cases: [c]), database: "d", implementations: [Strict(), Follower()])
        #expect(report.outcomes.map(\.status) == [.failed, .deviation])
        #expect(report.outcomes[1].mismatches.first?.got == "some-deviation")
        let followerOnly = Checker.run(GoldenFile(meta: [:], cases: [c]), database: "d", implementations: [Follower()])
        #expect(!followerOnly.failed)
        #expect(followerOnly.summaries.first?.deviations == 1 && followerOnly.summaries.first?.failed == 0)
    }

    @Test func theColumnRoundTripsAndLeavesOtherDigestsAlone() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dev-\(UUID().uuidString).sqlite").path
        var c = DefectPortTests.mse("dev", trigger: 0)
        let plain = GoldenDatabase.contentDigest([c])
        c.deviation = "some-deviation"
        #expect(GoldenDatabase.contentDigest([c]) != plain)
        try GoldenDatabase.write([c, DefectPortTests.mse("plain", trigger: 0)], meta: [:], to: path)
        let back = try GoldenDatabase.read(path)
        #expect(back.cases.first { $0.name == "dev" }?.deviation == "some-deviation")
        #expect(back.cases.first { $0.name == "plain" }?.deviation == nil)
    }
}
