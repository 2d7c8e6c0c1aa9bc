import Foundation
import GRDB
import Testing
@testable import History

@Suite struct HistoryDatabaseTests {
    let path = scratchHistory()

    /// Runs 1–3 on this machine, 4 on another, 5 on this machine again.
    func fiveRuns() throws -> HistoryDatabase {
        let db = try HistoryDatabase.openForWriting(path)
        try db.record(runRecord(commit: "aaaa1111", label: "base", at: "2025-01-01T10:00:00Z"), syntheticRun(seed: 1))
        try db.record(runRecord(commit: "bbbb2222", at: "2025-01-02T10:00:00Z"), syntheticRun(seed: 2))
        try db.record(runRecord(commit: "cccc3333", label: "base", at: "2025-01-03T10:00:00Z"), syntheticRun(seed: 3))
        try db.record(runRecord(otherMachine, commit: "dddd4444", at: "2025-01-04T10:00:00Z"), syntheticRun(seed: 4))
        try db.record(runRecord(commit: "eeee5555", at: "2025-01-05T10:00:00Z"), syntheticRun(seed: 5, slowdown: 0.5))
        return db
    }

    @Test func recordsRunsMeasurementsAndRawSamples() throws {
        let db = try fiveRuns()
        #expect(try db.runs().count == 5)
        #expect(try db.runs(machineKey: otherMachine.key).map(\.id) == [4])
        let ms = try db.storedMeasurements(runID: 2)
        #expect(ms.count == 4 && ms.allSatisfy { $0.samples.count == 20 })
        #expect(ms[0].samples.map(\.seq) == Array(0..<20))
        #expect(ms[0].record.calibrationMedianNs == Stats.median(ms[0].samples.map(\.calibrationNs)))
        let reopened = try HistoryDatabase.openExisting(path)
        #expect(try reopened.runs().last?.gitCommit == "eeee5555")
    }

    @Test func aFailedRecordingLeavesNothing() throws {
        let db = try fiveRuns()
        var broken = syntheticRun(seed: 9)
        broken[3].pass = "sideways"  // violates the CHECK constraint after three measurements went in
        #expect(throws: HistoryError.self) { try db.record(runRecord(at: "2025-02-01T00:00:00Z"), broken) }
        #expect(try db.runs().count == 5)
        #expect(try db.rows("SELECT count(*) AS n FROM measurements")[0]["n"] as Int == 20)
        #expect(try db.rows("SELECT count(*) AS n FROM samples")[0]["n"] as Int == 400)
    }

    @Test func baselineSelection() throws {
        let db = try fiveRuns()
        let latest = try Gate.currentRun(db)
        #expect(latest.id == 5)
        // previous: the run before on the same machine, skipping run 4 from another machine.
        #expect(try Gate.baselineRun(db, for: latest, .previous).id == 3)
        #expect(try Gate.baselineRun(db, for: latest, .commit("bbbb")).id == 2)
        #expect(try Gate.baselineRun(db, for: latest, .label("base")).id == 3)
        #expect(try Gate.baselineRun(db, for: try db.run(id: 3), .label("base")).id == 1)
        #expect(try Gate.baselineRun(db, for: latest, .run(1)).id == 1)
        #expect(throws: HistoryError.self) { try Gate.baselineRun(db, for: latest, .commit("ffff")) }
        #expect(throws: HistoryError.self) { try Gate.baselineRun(db, for: latest, .run(5)) }
        #expect(throws: HistoryError.self) { try Gate.baselineRun(db, for: try db.run(id: 1), .previous) }
        #expect(try Baseline(parsing: "commit:abc") == .commit("abc"))
        #expect(try Baseline(parsing: "run:12") == .run(12))
        #expect(throws: HistoryError.self) { try Baseline(parsing: "run:x") }
        #expect(throws: HistoryError.self) { try Baseline(parsing: "yesterday") }
    }

    /// `previous` skips runs of another build of Fast's kernels on the same machine; a run from
    /// before builds were recorded matches any; naming a baseline of another build is allowed and
    /// said in the gate's header.
    @Test func previousMeansTheSameBuild() throws {
        let db = try HistoryDatabase.openForWriting(path)
        try db.record(runRecord(commit: "aaaa1111", at: "2025-01-01T10:00:00Z"), syntheticRun(seed: 1))
        try db.record(runRecord(commit: "bbbb2222", isa: "avx2", at: "2025-01-02T10:00:00Z"), syntheticRun(seed: 2))
        try db.record(runRecord(commit: "cccc3333", isa: "portable", at: "2025-01-03T10:00:00Z"), syntheticRun(seed: 3))
        try db.record(runRecord(commit: "dddd4444", isa: "avx2", at: "2025-01-04T10:00:00Z"), syntheticRun(seed: 4))
        #expect(try Gate.baselineRun(db, for: try db.run(id: 4), .previous).id == 2)
        #expect(try Gate.baselineRun(db, for: try db.run(id: 3), .previous).id == 1)
        let first = try db.run(id: 2)
        #expect(try Gate.baselineRun(db, for: first, .previous).id == 1)
        // A portable run whose only predecessors are other builds: refused, naming them.
        try db.record(runRecord(otherMachine, commit: "eeee5555", isa: "avx2", at: "2025-01-05T10:00:00Z"), syntheticRun(seed: 5))
        try db.record(runRecord(otherMachine, commit: "ffff6666", isa: "portable", at: "2025-01-06T10:00:00Z"), syntheticRun(seed: 6))
        do {
            _ = try Gate.baselineRun(db, for: try db.run(id: 6), .previous)
            Issue.record("a run of another build was taken as the previous run")
        } catch {
            #expect("\(error)".contains("with Fast's portable build") && "\(error)".contains("runs of its avx2 build(s) exist"))
        }
        let crossed = try Gate.run(db, current: 4, baseline: .run(3))
        let header = Gate.header(crossed, markdown: false)
        #expect(header.contains("build:    avx2 vs portable (different builds"), "\(header)")
        #expect(Gate.header(try Gate.run(db, current: 4), markdown: false).contains("build:    avx2\n"))
        #expect(try db.run(id: 4).summary.contains("dddd4444, avx2)"))
    }

    @Test func refusesForeignMachineKeysUnlessAllowed() throws {
        let db = try fiveRuns()
        do {
            _ = try Gate.run(db, baseline: .run(4))
            Issue.record("a baseline from another machine was accepted")
        } catch let e as HistoryError {
            guard case .foreignMachine = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains("different machines") && e.description.contains("--allow-foreign-machine"))
        }
        // The latest run is the foreign one: there is no earlier run on its machine.
        #expect(throws: HistoryError.self) { try Gate.run(db, current: 4) }
        var settings = GateSettings()
        settings.allowForeignMachine = true
        let result = try Gate.run(db, baseline: .run(4), settings: settings)
        #expect(result.baseline.id == 4 && result.comparisons.count == 4)
    }

    @Test func viewsAnswerTheUsualQuestions() throws {
        let db = try fiveRuns()
        // Latest result per benchmark: run 5 on this machine, run 4 on the other.
        let latest = try db.rows("SELECT machine_key, run_id, count(*) AS n FROM latest_results GROUP BY machine_key ORDER BY run_id")
        #expect(latest.map { $0["run_id"] as Int64 } == [4, 5])
        #expect(latest.map { $0["n"] as Int } == [4, 4])
        // Trend: one row per run for a benchmark, oldest first.
        let trend = try db.rows("SELECT run_id, median_ms FROM trend WHERE machine_key = ? AND loss = 'mse_loss' AND impl = 'fast'",
                                [thisMachine.key])
        #expect(trend.map { $0["run_id"] as Int64 } == [1, 2, 3, 5])
        // Speedups: reference / fast per run and loss (the synthetic reference is 12× slower).
        let speedups = try db.rows("SELECT run_id, loss, speedup FROM speedups WHERE run_id = 2 ORDER BY loss")
        #expect(speedups.count == 2)
        #expect(speedups.allSatisfy { abs(($0["speedup"] as Double) / 12 - 1) < 0.1 })
        // Runs per machine.
        let machines = try db.rows("SELECT machine_key, runs, measurements FROM machine_runs ORDER BY runs")
        #expect(machines.map { $0["runs"] as Int } == [1, 4])
        #expect(machines.map { $0["measurements"] as Int } == [4, 16])
        // Raw samples with their calibration ratio.
        let samples = try db.rows("SELECT count(*) AS n, min(ratio) > 0 AS ok FROM sample_values WHERE run_id = 1")
        #expect(samples[0]["n"] as Int == 80 && samples[0]["ok"] as Bool)
    }

    @Test func trendsCompareWithPreviousAndBest() throws {
        let db = try fiveRuns()
        var filter = TrendFilter()
        filter.losses = ["mse_loss"]
        filter.impls = ["fast"]
        filter.machine = "test cpu"
        let points = try Trend.points(db, filter)
        #expect(points.map { $0.run.id } == [1, 2, 3, 5])
        #expect(points[0].changeVsPrevious == nil && points[0].changeVsBest == 0)
        #expect(points[3].changeVsPrevious! < -0.4)  // run 5 is twice as fast
        #expect(points[3].changeVsBest == 0)
        filter.since = "2025-01-03"
        #expect(try Trend.points(db, filter).map { $0.run.id } == [3, 5])
    }

    @Test func rejectsWhatIsNotAHistoryDatabase() throws {
        #expect(throws: HistoryError.self) { try HistoryDatabase.openExisting(path + ".missing") }
        let junk = path + ".junk"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(throws: HistoryError.self) { try HistoryDatabase.openExisting(junk) }
        #expect(throws: HistoryError.self) { try HistoryDatabase.openForWriting(junk) }
        let foreign = path + ".foreign"
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE meta (key TEXT, value TEXT)") }
        #expect(throws: HistoryError.self) { try HistoryDatabase.openExisting(foreign) }
        #expect(throws: HistoryError.self) { try HistoryDatabase.openForWriting(foreign) }
    }
}
