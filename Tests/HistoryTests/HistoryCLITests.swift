import Foundation
import GRDB
import Testing
@testable import History
import LossSpec
import Reporting
@testable import lossbench

@Suite(.serialized) struct HistoryCLITests {
    let path = scratchHistory()

    func record(_ seed: UInt64, slowdown: Double = 1, machine: MachineKey = thisMachine, label: String? = nil) throws {
        let db = try HistoryDatabase.openForWriting(path)
        try db.record(runRecord(machine, commit: String(format: "%08x", seed), label: label,
                                at: String(format: "2025-03-%02dT12:00:00Z", Int(seed % 28) + 1)),
                      syntheticRun(seed: seed, slowdown: slowdown))
    }

    /// The size-grid table buckets element counts by the nearest power of two: a row-wise loss's
    /// 16 000-element problem and an elementwise 16 384-element one share the 2^14 column.
    @Test func gridColumnsAreNominalSizes() throws {
        let db = try HistoryDatabase.openForWriting(path)
        func grid(_ loss: String, _ elements: Int, _ ns: Double) -> MeasurementInput {
            MeasurementInput(suite: "grid", loss: loss, impl: "fast", pass: "forward", shape: "[\(elements)]",
                             elements: elements, threads: 2, samples: [ns, ns, ns], calibration: [1, 1, 1])
        }
        try db.record(runRecord(thisMachine, commit: "0000aaaa", label: "grid", at: "2025-04-01T12:00:00Z"),
                      [grid("l1_loss", 16384, 2000), grid("cross_entropy", 16000, 7000),
                       grid("l1_loss", 65536, 8000), grid("cross_entropy", 65000, 29000)])
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        let section = md.components(separatedBy: "## Size grid").last ?? ""
        #expect(section.contains("| loss | impl | pass | 2^14 | 2^16 | exponent |"))
        #expect(section.contains("| cross_entropy | fast | forward | 0.0070 | 0.0290 |"))
        #expect(section.contains("| l1_loss | fast | forward | 0.0020 | 0.0080 |"))
    }

    @Test func gateExitCodes() throws {
        #expect(lossbench(["gate", "--history", path]) == 3)  // no database yet
        try record(1)
        #expect(lossbench(["gate", "--history", path]) == 3)  // no baseline yet
        // Ten runs of the same code: never a false alarm.
        for seed in 2...11 as ClosedRange<UInt64> {
            try record(seed)
            #expect(lossbench(["gate", "--history", path]) == 0, "false alarm at run \(seed)")
        }
        try record(12, slowdown: 1.3)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(lossbench(["gate", "--history", path, "--summary", dir + "/gate.md", "--junit", dir + "/gate.xml"]) == 2)
        let md = try String(contentsOfFile: dir + "/gate.md", encoding: .utf8)
        #expect(md.contains("4 regression(s)") && md.contains("| regression | mse_loss fast forward"))
        // With the dashboard's URL, each benchmark links to its chart there.
        #expect(lossbench(["gate", "--history", path, "--summary", dir + "/gate-linked.md", "--dashboard", "https://team.example/bench/"]) == 2)
        let linked = try String(contentsOfFile: dir + "/gate-linked.md", encoding: .utf8)
        #expect(linked.contains("| regression | [mse_loss fast forward [2000000]](https://team.example/bench/#chart-mse_loss-forward) |"), "\(linked)")
        let xml = try String(contentsOfFile: dir + "/gate.xml", encoding: .utf8)
        #expect(xml.contains("failures=\"4\"") && xml.contains("<failure message=\"+3"))
        // A threshold above the slowdown passes it.
        #expect(lossbench(["gate", "--history", path, "--threshold", "50"]) == 0)
        // Against a named baseline.
        #expect(lossbench(["gate", "--history", path, "--baseline", "commit:00000003"]) == 2)
        #expect(lossbench(["gate", "--history", path, "--baseline", "commit:ffffffff"]) == 3)
        // Foreign machine keys are refused unless asked.
        try record(13, machine: otherMachine)
        #expect(lossbench(["gate", "--history", path, "--run", "12", "--baseline", "run:13"]) == 3)
        #expect(lossbench(["gate", "--history", path, "--run", "12", "--baseline", "run:13", "--allow-foreign-machine"]) == 2)
        #expect(lossbench(["gate", "--history", path, "--baseline", "nonsense"]) == 64)
    }

    @Test func unusableHistoryDatabasesExitWith3() throws {
        let junk = path + ".junk"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(lossbench(["gate", "--history", junk]) == 3)
        #expect(lossbench(["history", "--history", junk]) == 3)
        #expect(lossbench(["history", "--history", path + ".none"]) == 3)
        #expect(lossbench(["report", "--history", junk, "--no-conformance", "--out", path + ".out"]) == 3)
        #expect(lossbench(["report", "--db", path + ".no-golden", "--history", path, "--out", path + ".out"]) == 3)
    }

    @Test func historyFormats() throws {
        try record(1)
        try record(2)
        try record(3, slowdown: 1.2)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let db = try HistoryDatabase.openExisting(path)
        var filter = TrendFilter()
        filter.losses = ["mse_loss"]
        let points = try Trend.points(db, filter)
        #expect(points.count == 6)
        let table = Trend.table(points)
        #expect(table.contains("vs previous") && table.contains("machine: \(thisMachine.key)"))
        let csv = Trend.csv(points).split(separator: "\n")
        #expect(csv.count == 7 && csv[0].hasPrefix("machine_key,run,started_at,commit"))
        let text = HistoryJSON.lines(points)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 6 && text.hasSuffix("}\n"))
        let keys: Set<String> = ["run", "started_at", "machine_key", "commit", "dirty", "label", "loss", "impl", "pass",
                                 "shape", "median_ns", "normalized_median", "vs_previous", "vs_best"]
        for (line, point) in zip(lines, points) {
            // The key set, nulls included, read back with JSONDecoder.
            let object = try JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8))
            #expect(Set(object.keys) == keys)
            #expect(object["loss"] == .string("mse_loss") && object["median_ns"] == .number(point.measurement.medianNs.rounded()))
            #expect(object["run"] == .number(Double(point.run.id!)) && object["machine_key"] == .string(thisMachine.key))
            #expect(object["label"] == .null && object["dirty"] == .bool(false))
            #expect(object["commit"] == .string(String(format: "%08x", point.run.id!)))
            let decoded = try JSONDecoder().decode(HistoryJSON.self, from: Data(line.utf8))
            #expect(decoded == HistoryJSON(point))
            #expect(decoded.vsPrevious == point.changeVsPrevious && decoded.vsBest == point.changeVsBest)
        }
        // The first run of each series has no previous run: null, not a missing key.
        #expect(lines.first.map { $0.contains(#""vs_previous":null"#) } == true)
        // Run 3 is 20% slower than run 2.
        let third = try #require(points.first { $0.run.id == 3 && $0.measurement.impl == "fast" })
        #expect(abs((HistoryJSON(third).vsPrevious ?? 0) - 0.2) < 0.1)
        #expect(lossbench(["history", "--history", path, "--loss", "mse_loss", "--impl", "fast", "--format", "csv"]) == 0)
        #expect(lossbench(["history", "--history", path, "--machine", "this", "--format", "json"]) == 0)
        #expect(lossbench(["history", "--history", path, "--since", "yesterday"]) == 64)
        // Typed filters: nonsense is an argument error, not an empty table.
        for bad in [["--pass", "sideways"], ["--pass", ""], ["--pass", "forward,forward"], ["--impl", "nope"], ["--impl", ""],
                    ["--impl", "fast,"], ["--suite", "nope"], ["--loss", "nope"], ["--format", "yaml"]] {
            #expect(lossbench(["history", "--history", path] + bad) == 64, "\(bad)")
        }
        #expect(lossbench(["history", "--history", path, "--pass", "forward", "--impl", "fast,reference,baseline",
                           "--suite", "grid", "--loss", "mse_loss,cross_entropy"]) == 0)
        // The report from the same history: markdown plus one SVG per chart, each with a title and axis labels.
        #expect(lossbench(["report", "--history", path, "--no-conformance", "--out", dir + "/reports"]) == 0)
        let md = try String(contentsOfFile: dir + "/reports/performance.md", encoding: .utf8)
        #expect(md.contains("Geometric-mean speedup") && md.contains("charts/speedup.svg"))
        let trend = try String(contentsOfFile: dir + "/reports/charts/trend-mse_loss.svg", encoding: .utf8)
        #expect(trend.hasPrefix("<svg") && trend.contains("median time per call (ms") && trend.contains("fast, forward"))
    }
}

/// Edited histories whose times cannot be real made the gate pass vacuously: a zero calibration
/// (every normalized time infinite, all "unchanged"), deleted samples (nothing to test), negative
/// times ("84 improvements"). Each is a corrupt history now, exit 3, naming the measurement.
@Suite(.serialized) struct ImplausibleHistoryTests {
    @Test(arguments: [
        ("UPDATE measurements SET calibration_median_ns = 0 WHERE run_id = 2", "calibration_median_ns is 0"),
        ("DELETE FROM samples WHERE measurement_id IN (SELECT id FROM measurements WHERE run_id = 2)", "samples are stored"),
        ("UPDATE samples SET ns = -5 WHERE measurement_id IN (SELECT id FROM measurements WHERE run_id = 2)", "must be positive"),
        ("UPDATE samples SET calibration_ns = 0 WHERE measurement_id IN (SELECT id FROM measurements WHERE run_id = 2)", "must be positive"),
        ("UPDATE measurements SET median_ns = 'nan' WHERE run_id = 2", "median_ns"),
        ("UPDATE measurements SET sample_count = 0 WHERE run_id = 2", "no samples"),
    ])
    func implausibleTimesAreCorrupt(edit: String, message: String) throws {
        let path = scratchHistory()
        let db = try HistoryDatabase.openForWriting(path)
        for seed: UInt64 in [1, 2] {
            try db.record(runRecord(thisMachine, commit: String(format: "%08x", seed), label: nil,
                                    at: String(format: "2025-03-%02dT12:00:00Z", Int(seed))),
                          syntheticRun(seed: seed, slowdown: 1))
        }
        #expect(lossbench(["gate", "--history", path]) == 0)
        try DatabaseQueue(path: path).write { try $0.execute(sql: edit) }
        #expect(lossbench(["gate", "--history", path]) == 3, "\(edit)")
        #expect(throws: HistoryError.self) { try HistoryDatabase.openExisting(path).storedMeasurements(runID: 2) }
        do {
            _ = try HistoryDatabase.openExisting(path).storedMeasurements(runID: 2)
        } catch {
            #expect("\(error)".contains(message) && "\(error)".contains("of run 2"), "\(error)")
        }
    }
}
