import Foundation
import Testing
import Conformance
import GoldenStore
import LossSpec
@testable import Ports

/// Manifests: what a malformed one says, and that a widened budget, a composed loss and the
/// batch timing reach the checker.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct ManifestTests {
    static func manifestDirectory(_ manifests: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)/Ports").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in manifests { try text.write(toFile: dir + "/" + name + ".json", atomically: true, encoding: .utf8) }
        return dir
    }

    @Test(arguments: [
        (#"{"name": "x", "command": ["p"], "budgets": [{"loss": "mse", "budget": 100, "reason": "r"}]}"#, "unknown loss 'mse'"),
        (#"{"name": "x", "command": ["p"], "budgets": [{"loss": "mse_loss", "budget": 0, "reason": "r"}]}"#, "positive finite number with a reason"),
        (#"{"name": "x", "command": ["p"], "budgets": [{"loss": "mse_loss", "budget": 100, "reason": ""}]}"#, "positive finite number with a reason"),
        (#"{"name": "x", "command": ["p"], "expected_failures": [{"pattern": "", "reason": "r"}]}"#, "non-empty pattern and reason"),
        (#"{"name": "x", "command": ["p"], "expected_failures": [{"pattern": "a*", "reason": "r", "triage": "bug"}]}"#, "not a port manifest"),
        (#"{"name": "x", "command": []}"#, "command is empty"),
    ])
    func malformedManifestsSayWhatIsWrong(text: String, message: String) throws {
        let dir = try Self.manifestDirectory(["x": text])
        do {
            _ = try PortManifest.load(name: "x", directory: dir)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    /// Every manifest committed under Ports/ loads, and each of its expected failures is triaged
    /// with a reproduction (what `report --ports` shows; an untriaged declaration hides a finding).
    @Test func theCommittedManifestsAreValidAndTriaged() throws {
        let ports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Ports").path
        let names = try FileManager.default.contentsOfDirectory(atPath: ports).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(Set(["minimal", "torch-f64", "torch-f32", "torch-f32-compiled", "mlx-f32", "paddle-f64", "paddle-f32"]).isSubset(of: Set(names)), "\(names)")
        for name in names {
            let m = try PortManifest.load(name: name, directory: ports)
            #expect(m.name == name)
            for e in m.expectedFailures ?? [] {
                #expect(e.triage != nil && !(e.reproduction ?? "").isEmpty, "\(name): \(e.pattern) has no triage or reproduction")
            }
        }
    }

    @Test func triageAndReproductionAreRead() throws {
        let dir = try Self.manifestDirectory(["t": #"""
            {"name": "t", "command": ["Ports/t/port.py"], "expected_failures": [{"pattern": "a*", "reason": "r",
             "triage": "semantic_difference", "reproduction": "print(1)"}]}
            """#])
        let m = try PortManifest.load(name: "t", directory: dir)
        #expect(m.expectedFailures?.first?.triage == .semanticDifference)
        #expect(m.expectedFailures?.first?.reproduction == "print(1)")
        #expect(m.command == [URL(fileURLWithPath: dir).deletingLastPathComponent().path + "/Ports/t/port.py"])
    }

    /// A port 180 units of roundoff off fails the float64 budget of 16 and passes a widened
    /// budget of 1000; a "widening" to 1 leaves the default budget.
    @Test func aWidenedBudgetIsAppliedAndANarrowerOneIgnored() throws {
        let c = DefectPortTests.mse("slightly-off", trigger: 5)
        let file = GoldenFile(meta: [:], cases: [c])
        func run(_ budgets: [PortManifest.BudgetOverride]) throws -> (CheckReport, PortImplementation) {
            let port = try PortImplementation(name: "defects", command: ["python3", DefectPortTests.script], timeout: 10, budgets: budgets)
            return (Checker.run(file, database: "d", implementations: [port]), port)
        }
        let (plain, p0) = try run([])
        #expect(plain.outcomes[0].status == .failed)
        #expect(plain.outcomes[0].maxError > 16 && plain.outcomes[0].maxError < 1000)
        #expect(p0.budgetReason(for: .mseLoss) == nil)
        let (widened, p1) = try run([.init(loss: "mse_loss", budget: 1000, reason: "measured")])
        #expect(widened.outcomes[0].status == .passed)
        #expect(widened.summaries[0].budget == 1000)
        #expect(p1.budgetReason(for: .mseLoss) == "measured" && p1.budgetReason(for: .l1Loss) == nil)
        let (narrowed, p2) = try run([.init(loss: "mse_loss", budget: 1, reason: "stricter")])
        #expect(narrowed.outcomes[0].status == .failed)
        #expect(p2.budget(for: .mseLoss) == 16 && p2.budgetReason(for: .mseLoss) == nil)
    }

    @Test func composedLossesAndBatchTimesReachTheReport() throws {
        let port = try PortImplementation(name: "defects", command: ["python3", DefectPortTests.script], timeout: 10)
        #expect(port.isComposed(.l1Loss) && !port.isComposed(.mseLoss))
        #expect(port.evaluatesInBatches)
        let report = Checker.run(GoldenFile(meta: [:], cases: [DefectPortTests.mse("a", trigger: 0), DefectPortTests.mse("b", trigger: 0)]),
                                 database: "d", implementations: [port])
        // Each case is charged its share of the batch: positive, equal, and less than a second here.
        #expect(report.outcomes.allSatisfy { $0.seconds > 0 && $0.seconds < 1 })
        #expect(report.outcomes[0].seconds == report.outcomes[1].seconds)
        #expect(!JUnit.xml(report, implementation: "defects").contains(#"time="0.000000""#))
    }

    @Test func aComposedListThatIsNotAListFailsTheHandshake() {
        let hello = #"{"op": "hello", "protocol": 1, "dtype": "float64", "losses": [], "composed": "l1_loss"}"#
        #expect(throws: PortImplementation.StartFailure.self) {
            try PortImplementation(name: "bad", command: ["python3", "-c", "print('\(hello.replacingOccurrences(of: "'", with: ""))')"], timeout: 5)
        }
    }
}
