import Foundation
import Testing
import GRDB
import Benchmarking
import Conformance
import Fuzzing
import LossSpec
import Reference
@testable import lossbench

/// The built `lossbench` executable next to the test bundle (`swift build` / `swift test` build it).
func lossbenchExecutable() throws -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The runner may be inside LossBenchPackageTests.xctest/…; walk up to the build directory.
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("lossbench")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "lossbench next to \(CommandLine.arguments[0])"])
}

/// Runs `lossbench ARGS` as a process: its exit code and standard output.
func runLossbench(_ arguments: [String]) throws -> (code: Int32, stdout: String) {
    let process = Process()
    process.executableURL = try lossbenchExecutable()
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The keys and values of one JSON object, read with JSONDecoder.
func object(_ text: some StringProtocol) throws -> [String: JSONValue] {
    try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
}

extension JSONValue {
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}

/// `--json` outputs: the keys they had when they were hand-built JSONValue trees, values that match
/// the run, and bytes that decode back into the Codable output types.
@Suite(.serialized) struct JSONOutputTests {
    let dir = scratchDirectory()

    @Test func versionFromTheExecutable() throws {
        let run = try runLossbench(["--version"])
        #expect(run.code == 0)
        #expect(run.stdout == LossBench.version + "\n")
    }

    @Test func checkJSON() throws {
        let db = dir + "/check.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss", "--seed", "9"]) == 0)
        let good = try runLossbench(["check", "--db", db, "--impl", "reference,fast", "--json"])
        #expect(good.code == 0)
        #expect(good.stdout.hasSuffix("}\n") && good.stdout.split(separator: "\n").count == 1)
        let top = try object(good.stdout)
        #expect(Set(top.keys) == ["database", "passed", "cases", "failures", "losses", "warnings"])
        #expect(top["database"] == .string(db) && top["passed"] == .bool(true) && top["failures"] == .array([]))
        let losses = try #require(top["losses"]?.array)
        #expect(losses.count == 2)
        for s in losses.compactMap(\.object) {
            // The original keys, and the status counts added with ports (additive).
            #expect(Set(s.keys) == ["loss", "impl", "cases", "passed", "failed", "max_error", "p99_error", "budget",
                                    "unsupported", "expected_failures", "unexpected_passes", "port_errors", "deviations"])
            #expect(s["unsupported"] == .number(0) && s["deviations"] == .number(0) && s["port_errors"] == .number(0))
            #expect(s["loss"] == .string("mse_loss") && s["failed"] == .number(0) && s["cases"] == s["passed"])
        }
        #expect(Set(losses.compactMap { $0.object?["impl"] }) == [.string("reference"), .string("fast")])
        let typed = try JSONOutput.decoder.decode(CheckJSON.self, from: Data(good.stdout.utf8))
        #expect(typed.cases == 2 * typed.losses[0].cases && typed.passed)

        // A perturbed output: one failure per implementation, with its mismatch.
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: """
                UPDATE tensors SET data = X'0000000000002440' WHERE rowid =
                  (SELECT rowid FROM tensors WHERE role = 'output' AND length(data) = 8 LIMIT 1)
                """)
        }
        let bad = try runLossbench(["check", "--db", db, "--impl", "reference,fast", "--json"])
        #expect(bad.code == 1)
        let failed = try object(bad.stdout)
        #expect(failed["passed"] == .bool(false))
        #expect(failed["warnings"]?.array?.count == 1)
        let failures = (failed["failures"]?.array ?? []).compactMap { $0.object }
        #expect(failures.count == 2)
        for f in failures {
            #expect(Set(f.keys) == ["case", "loss", "impl", "mismatches"])
            let m = try #require(f["mismatches"]?.array?.first?.object)
            #expect(Set(m.keys) == ["role", "element", "expected", "got", "normalized_error"])
            #expect(m["role"] == .string("output") && m["expected"] == .string("10.0"))
            #expect((m["normalized_error"]?.doubleValue ?? 0) > 1000)
        }
    }

    /// A structural mismatch has `"element": null`, not a missing key.
    @Test func nullElementIsKept() throws {
        let m = CheckJSON.Mismatch(role: "grad_input", element: nil, expected: "present", got: "missing", normalizedError: .infinity)
        let text = JSONOutput.line(m)
        #expect(text == #"{"element":null,"expected":"present","got":"missing","normalized_error":"inf","role":"grad_input"}"#)
        #expect(try JSONOutput.decoder.decode(CheckJSON.Mismatch.self, from: Data(text.utf8)) == m)
    }

    /// bench --json lines, then history --format json on the history that run was recorded in.
    @Test func benchAndHistoryJSON() throws {
        let history = dir + "/history.sqlite"
        let bench = ["bench", "--loss", "l1_loss", "--impl", "fast", "--threads", "2", "--min-samples", "3",
                     "--max-samples", "3", "--min-time", "0", "--history", history, "--json"]
        let first = try runLossbench(bench + ["--label", "first"])
        #expect(first.code == 0)
        let lines = first.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for (line, pass) in zip(lines, ["forward", "backward"]) {
            let o = try object(line)
            #expect(Set(o.keys) == ["loss", "impl", "pass", "shape", "elements", "threads", "median_ns", "min_ns",
                                    "p25_ns", "p75_ns", "samples", "calibration_median_ns", "raw_ns"])
            #expect(o["loss"] == .string("l1_loss") && o["impl"] == .string("fast") && o["pass"] == .string(pass))
            #expect(o["threads"] == .number(2) && o["samples"] == .number(3) && o["raw_ns"]?.array?.count == 3)
            let problem = BenchSuite.standard(.l1Loss)
            #expect(o["shape"] == .string(problem.shape) && o["elements"] == .number(Double(problem.elements)))
            let b = try JSONOutput.decoder.decode(BenchJSON.self, from: Data(line.utf8))
            #expect(b.minNs <= b.p25Ns && b.p25Ns <= b.medianNs && b.medianNs <= b.p75Ns)
            #expect(b.minNs == b.rawNs.min() && b.rawNs.allSatisfy { $0 == $0.rounded() && $0 > 0 })
        }
        #expect(try runLossbench(bench).code == 0)

        let trend = try runLossbench(["history", "--history", history, "--pass", "forward", "--format", "json"])
        #expect(trend.code == 0)
        let points = try trend.stdout.split(separator: "\n").map(object)
        #expect(points.count == 2)
        for p in points {
            #expect(Set(p.keys) == ["run", "started_at", "machine_key", "commit", "dirty", "label", "loss", "impl", "pass",
                                    "shape", "median_ns", "normalized_median", "vs_previous", "vs_best"])
            #expect(p["loss"] == .string("l1_loss") && p["pass"] == .string("forward") && p["impl"] == .string("fast"))
        }
        #expect(points[0]["run"] == .number(1) && points[0]["label"] == .string("first") && points[0]["vs_previous"] == .null)
        #expect(points[1]["run"] == .number(2) && points[1]["label"] == .null && points[1]["vs_previous"]?.doubleValue != nil)
        #expect(points[0]["vs_best"] == .number(0))
        #expect(points[0]["median_ns"] == (try object(lines[0]))["median_ns"])
    }

    @Test func fuzzJSON() throws {
        let run = try runLossbench(["fuzz", "--seed", "3", "--cases", "30", "--loss", "mse_loss,l1_loss", "--max-elements", "200", "--json"])
        #expect(run.code == 0)
        let o = try object(run.stdout)
        #expect(Set(o.keys) == ["seed", "cases", "seconds", "passed", "repeat_failures", "losses", "findings"])
        #expect(o["seed"] == .string("3") && o["cases"] == .number(30) && o["passed"] == .bool(true) && o["findings"] == .array([]))
        let losses = (o["losses"]?.array ?? []).compactMap { $0.object }
        #expect(losses.map { $0["loss"] } == [.string("l1_loss"), .string("mse_loss")])
        for l in losses {
            #expect(Set(l.keys) == ["loss", "cases", "error_cases", "skipped_unsupported", "failing"])
        }
        #expect(losses.compactMap { $0["cases"]?.doubleValue }.reduce(0, +) == 30)
        let typed = try JSONOutput.decoder.decode(FuzzJSON.self, from: Data(run.stdout.utf8))
        #expect(typed.seed == "3" && typed.losses.count == 2)
    }

    /// Findings (from a deliberately wrong candidate) carry their replay token and reproduction.
    @Test func fuzzFindingsJSON() throws {
        var config = Fuzzer.Configuration()
        config.seed = 5
        config.cases = 20
        config.losses = [.mseLoss]
        config.properties = [.differential]
        config.maxElements = 50
        let wrong = FuzzTargets(threadCounts: [1], candidate: { _ in
            ClosureImplementation(name: "off-by-half", computeType: .float32) { c in
                var r = try Reference.evaluate(c)
                if let o = r.outputs["output"] { r.outputs["output"] = o.map { $0 + 0.5 } }
                return r
            }
        })
        let report = Fuzzer(config, targets: wrong).run { _, _ in }
        let text = FuzzJSON.encode(report)
        let o = try object(text)
        #expect(o["passed"] == .bool(false) && o["seed"] == .string("5"))
        let findings = (o["findings"]?.array ?? []).compactMap { $0.object }
        #expect(!findings.isEmpty)
        for f in findings {
            #expect(Set(f.keys) == ["property", "loss", "impl", "message", "case_index", "elements", "case", "token", "reproduce"])
            #expect(f["property"] == .string("differential") && f["loss"] == .string("mse_loss") && f["impl"] == .string("off-by-half"))
            guard case .string(let token)? = f["token"] else { Issue.record("no token"); continue }
            #expect(f["reproduce"] == .string("lossbench fuzz --replay \(token)"))
            #expect(token.hasPrefix("lbz1."))
        }
        let typed = try JSONOutput.decoder.decode(FuzzJSON.self, from: Data(text.utf8))
        #expect(typed == FuzzJSON(report))
    }
}

/// Several CI jobs benchmark into one history at once, while someone queries it: every run is
/// recorded. (Four concurrent writers on a new file used to record one run; the others exited 3
/// with "database is locked" or "it has no meta table" after benchmarking for nothing.)
@Suite struct ConcurrentHistoryTests {
    @Test func concurrentWritersAndAReaderLoseNoRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lossbench-concurrent-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let history = dir + "/h.sqlite"
        let writers = 4
        func bench(_ label: String) throws -> Process {
            let p = Process()
            p.executableURL = try lossbenchExecutable()
            p.arguments = ["bench", "--loss", "l1_loss", "--impl", "fast", "--pass", "forward", "--threads", "1",
                           "--min-samples", "1", "--max-samples", "1", "--min-time", "0", "--history", history,
                           "--label", label]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // The first wave creates the file concurrently.
        var processes = try (0..<writers).map { try bench("w\($0)") }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        // The second wave records while a reader holds a read transaction for a while.
        let reader = try DatabaseQueue(path: history)
        let started = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM runs")
                started.signal()
                Thread.sleep(forTimeInterval: 2)
            }
            done.signal()
        }
        started.wait()
        processes = try (0..<writers).map { try bench("r\($0)") }
        for p in processes { p.waitUntilExit() }
        done.wait()
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let labels = try DatabaseQueue(path: history).read { db in
            try String.fetchAll(db, sql: "SELECT label FROM runs ORDER BY label")
        }
        #expect(labels == (0..<writers).map { "r\($0)" } + (0..<writers).map { "w\($0)" })
        let samples = try DatabaseQueue(path: history).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM samples") }
        #expect(samples == 2 * writers)
    }
}
