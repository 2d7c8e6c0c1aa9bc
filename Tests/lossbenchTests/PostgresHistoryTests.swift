import Foundation
import Testing
@testable import History

/// The server the PostgreSQL tests may create and drop databases on, e.g.
/// `postgres://lossbench@127.0.0.1:54329/postgres` (`.ci/run` starts a throwaway cluster and sets it).
let testPostgres = ProcessInfo.processInfo.environment["LOSSBENCH_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

/// A fresh database on the test server for one test: its URI, dropped by `drop()`.
struct ScratchPostgres {
    let admin: PostgresConnection
    let name = "lossbench_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let uri: String

    init() throws {
        let server = try #require(testPostgres)
        admin = try PostgresConnection(uri: server)
        try admin.execute("CREATE DATABASE \(name)")
        // Same server and credentials, another database: replace the path of the URI.
        var parts = URLComponents(string: server)!
        parts.path = "/" + name
        uri = parts.string!
    }

    func drop() { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
}

/// Timings for one run: two losses, fast and reference, `n` samples each, from a seed.
func syntheticMeasurements(seed: UInt64, slowdown: Double = 1, n: Int = 12) -> [MeasurementInput] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1p-53
    }
    var out: [MeasurementInput] = []
    for (loss, base) in [("mse_loss", 2e6), ("cross_entropy", 9e6)] {
        for (impl, factor) in [("fast", 1.0), ("reference", 12.0)] {
            var samples: [Double] = [], calibration: [Double] = []
            for _ in 0..<n {
                let jitter: Double = 0.95 + 0.1 * uniform()
                samples.append(base * factor * slowdown * jitter)
                calibration.append(4e5 * (0.98 + 0.04 * uniform()))
            }
            out.append(MeasurementInput(suite: "standard", loss: loss, impl: impl, pass: "forward", shape: "[\(Int(base))]",
                                        elements: Int(base), threads: 2, samples: samples, calibration: calibration))
        }
    }
    return out
}

func syntheticRun(_ day: Int, label: String? = nil) -> RunRecord {
    RunRecord(machine: MachineKey(cpuModel: "Test CPU", cores: 2, memoryGib: 24, os: "Linux", arch: "x86_64"),
              variant: RunVariant(threads: 2, gitCommit: String(format: "%08x", day), gitDirty: false, label: label),
              startedAt: String(format: "2025-05-%02dT10:00:00Z", day))
}

/// Runs the lossbench executable with extra environment variables: exit code, stdout, stderr.
func runLossbench(_ arguments: [String], environment: [String: String]) throws -> (code: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try lossbenchExecutable()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Errors that need no server: an unreachable one and the password kept out of every message.
@Suite struct PostgresHistoryErrorTests {
    @Test func anUnreachableServerIsExit3WithoutThePassword() throws {
        let uri = "postgres://someone:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=5"
        for args in [["history", "--history", uri], ["gate", "--history", uri], ["report", "--no-conformance", "--history", uri, "--out", scratchDirectory()]] {
            let r = try runLossbench(args, environment: [:])
            #expect(r.code == 3, "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("s3cret"), "\(r.stderr)")
        }
        // The same through $LOSSBENCH_HISTORY, which --history overrides.
        let viaEnvironment = try runLossbench(["history"], environment: ["LOSSBENCH_HISTORY": uri])
        #expect(viaEnvironment.code == 3 && viaEnvironment.stderr.contains("postgres://someone@127.0.0.1:1/nowhere"), "\(viaEnvironment.stderr)")
        #expect(!viaEnvironment.stderr.contains("s3cret"))
        let overridden = try runLossbench(["history", "--history", "/nonexistent/h.sqlite"], environment: ["LOSSBENCH_HISTORY": uri])
        #expect(overridden.code == 3 && overridden.stderr.contains("/nonexistent/h.sqlite"), "\(overridden.stderr)")
    }

    @Test func redaction() {
        #expect(HistoryDatabase.redacted("postgres://u:pw@h:5432/db") == "postgres://u@h:5432/db")
        #expect(HistoryDatabase.redacted("postgresql://u@h/db") == "postgresql://u@h/db")
        #expect(HistoryDatabase.redacted("--history") == "--history")
    }
}

/// The history on a real PostgreSQL server (`LOSSBENCH_TEST_POSTGRES`; `.ci/run` provides one).
@Suite(.serialized, .enabled(if: testPostgres != nil,
                             "set LOSSBENCH_TEST_POSTGRES=postgres://USER@HOST:PORT/postgres to run the PostgreSQL tests (.ci/run starts a server)"))
struct PostgresHistoryTests {
    /// Everything written reads back bit for bit, the views answer as on SQLite, and a merge
    /// from SQLite and back is idempotent.
    @Test func sameRunsSameAnswersAsSQLite() throws {
        let pg = try ScratchPostgres()
        defer { pg.drop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).sqlite").path
        let sqlite = try HistoryDatabase.openForWriting(file)
        let server = try HistoryDatabase.openForWriting(pg.uri)
        for day in 1...3 {
            let run = syntheticRun(day, label: day == 1 ? "base" : nil), ms = syntheticMeasurements(seed: UInt64(day))
            try sqlite.record(run, ms)
            try server.record(run, ms)  // the same uuid: a later merge must recognise it
        }
        let a = try sqlite.runs(), b = try server.runs()
        #expect(a.map(\.uuid) == b.map(\.uuid) && a.map(\.startedAt) == b.map(\.startedAt) && a.map(\.label) == b.map(\.label))
        for (x, y) in zip(a, b) {
            let mx = try sqlite.storedMeasurements(runID: x.id!), my = try server.storedMeasurements(runID: y.id!)
            #expect(mx.map(\.record.medianNs.bitPattern) == my.map(\.record.medianNs.bitPattern))
            #expect(mx.flatMap(\.rawSamples).map(\.bitPattern) == my.flatMap(\.rawSamples).map(\.bitPattern))
            #expect(mx.flatMap { $0.samples.map(\.calibrationNs.bitPattern) } == my.flatMap { $0.samples.map(\.calibrationNs.bitPattern) })
        }
        // Every documented view exists and has as many rows as on SQLite.
        for view in ["measurement_runs", "latest_results", "trend", "speedups", "machine_runs", "sample_values"] {
            let n = try sqlite.rows("SELECT count(*) AS n FROM \(view)")[0]["n"] as Int
            let m = try server.postgres!.connection.execute("SELECT count(*) FROM \(view)").values[0][0]
            #expect(m == String(n), "\(view): \(m ?? "nil") rows on PostgreSQL, \(n) on SQLite")
        }
        // Merging either way adds nothing: the runs are the same runs.
        #expect(try server.merge([sqlite]).map(\.runsAdded) == [0])
        #expect(try sqlite.merge([HistoryDatabase.openExisting(pg.uri)]).map(\.runsAdded) == [0])
        // The gate's verdicts agree (the run ids of the header lines are each store's own).
        func verdicts(_ history: String) throws -> [String] {
            let r = try runLossbench(["gate", "--history", history, "--baseline", "label:base"], environment: [:])
            #expect(r.code == 0 || r.code == 2, "\(r.stderr)")
            return r.stdout.split(separator: "\n").filter { !$0.hasPrefix("latest:") && !$0.hasPrefix("baseline:") }.map(String.init)
        }
        try server.record(syntheticRun(4), syntheticMeasurements(seed: 4, slowdown: 1.4))
        #expect(try sqlite.merge([HistoryDatabase.openExisting(pg.uri)]).map(\.runsAdded) == [1])
        let onServer = try verdicts(pg.uri), inFile = try verdicts(file)
        #expect(onServer == inFile)
        #expect(onServer.contains { $0.hasPrefix("regression") }, "\(onServer)")
    }

    /// Eight `bench` processes at once against one server: every run and every sample arrives.
    @Test func eightConcurrentBenchesLoseNothing() throws {
        let pg = try ScratchPostgres()
        defer { pg.drop() }
        let jobs = 8, samples = 4
        let processes = try (0..<jobs).map { i -> Process in
            let p = Process()
            p.executableURL = try lossbenchExecutable()
            p.arguments = ["bench", "--impl", "fast", "--loss", "l1_loss,mse_loss", "--pass", "forward", "--threads", "1", "--elements", "4096",
                           "--min-samples", String(samples), "--max-samples", String(samples), "--min-time", "0", "--label", "job-\(i)"]
            p.environment = ProcessInfo.processInfo.environment.merging(["LOSSBENCH_HISTORY": pg.uri]) { _, new in new }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: jobs))
        let db = try HistoryDatabase.openExisting(pg.uri)
        let runs = try db.runs()
        #expect(Set(runs.compactMap(\.label)) == Set((0..<jobs).map { "job-\($0)" }) && runs.count == jobs)
        #expect(Set(runs.compactMap(\.uuid)).count == jobs)
        #expect(runs.allSatisfy { !($0.command ?? "").contains("postgres://") })
        for r in runs {
            let ms = try db.storedMeasurements(runID: r.id!)  // validates sample counts and times
            #expect(ms.count == 2 && ms.allSatisfy { $0.samples.count == samples }, "run \(r.id!): \(ms.map(\.samples.count))")
        }
        let gate = try runLossbench(["gate"], environment: ["LOSSBENCH_HISTORY": pg.uri])
        #expect(gate.code == 0 || gate.code == 2, "\(gate.stderr)")
        #expect(gate.stdout.contains("2 unchanged") || gate.stdout.contains("regression"), "\(gate.stdout)")
    }

    /// A database that is not a LossBench history, or of another format version, is exit 3.
    @Test func foreignAndNewerDatabasesAreRefused() throws {
        let pg = try ScratchPostgres()
        defer { pg.drop() }
        let empty = try runLossbench(["history", "--history", pg.uri], environment: [:])
        #expect(empty.code == 3 && empty.stderr.contains("no history database here"), "\(empty.stderr)")
        _ = try HistoryDatabase.openForWriting(pg.uri)
        try PostgresConnection(uri: pg.uri).execute("UPDATE meta SET value = '2' WHERE key = 'format_version'")
        for args in [["history"], ["gate"], ["bench", "--impl", "fast", "--loss", "l1_loss", "--pass", "forward", "--min-time", "0"]] {
            let r = try runLossbench(args + ["--history", pg.uri], environment: [:])
            #expect(r.code == 3 && r.stderr.contains("format_version 2"), "\(args): \(r.stderr)")
        }
        let other = try ScratchPostgres()
        defer { other.drop() }
        try PostgresConnection(uri: other.uri).execute("CREATE TABLE runs (id INTEGER)")
        let foreign = try runLossbench(["history", "--history", other.uri], environment: [:])
        #expect(foreign.code == 3 && foreign.stderr.contains("not a LossBench history"), "\(foreign.stderr)")
    }
}
