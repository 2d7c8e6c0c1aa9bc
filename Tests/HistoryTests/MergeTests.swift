import Foundation
import GRDB
import Testing
@testable import History
@testable import lossbench

/// `history merge`: runs keep their identity across files, merging is idempotent and atomic, and
/// the merged history gates like the one the runs were recorded in.
@Suite(.serialized) struct MergeTests {
    let target = scratchHistory()

    /// A history file holding the given runs (seed, day of January 2025, slowdown).
    func history(_ runs: [(seed: UInt64, day: Int, slowdown: Double)]) throws -> String {
        let path = scratchHistory()
        let db = try HistoryDatabase.openForWriting(path)
        for r in runs {
            try db.record(runRecord(commit: String(format: "%08x", r.seed), at: String(format: "2025-01-%02dT10:00:00Z", r.day)),
                          syntheticRun(seed: r.seed, slowdown: r.slowdown))
        }
        return path
    }

    /// Every row of the three tables, without this file's integer keys: what merging must keep.
    func content(_ path: String) throws -> [String] {
        let db = try HistoryDatabase.openExisting(path)
        return try db.rows("""
            SELECT r.uuid, r.started_at, r.machine_key, r.git_commit, r.command, m.suite, m.loss, m.impl, m.pass, m.shape,
                   m.sample_count, m.median_ns, m.calibration_median_ns, s.seq, s.ns, s.calibration_ns
            FROM runs r JOIN measurements m ON m.run_id = r.id JOIN samples s ON s.measurement_id = m.id
            """).map { "\($0)" }.sorted()
    }

    func counts(_ path: String) throws -> [Int] {
        let db = try HistoryDatabase.openExisting(path)
        return try ["runs", "measurements", "samples"].map { try db.rows("SELECT count(*) AS n FROM \($0)")[0]["n"] as Int }
    }

    @Test func everyRunHasAUUIDAndMergingTwiceChangesNothing() throws {
        let a = try history([(1, 1, 1), (2, 2, 1)]), b = try history([(3, 3, 1)])
        let uuids = try HistoryDatabase.openExisting(a).runs().map(\.uuid)
        #expect(uuids.allSatisfy { $0.map { UUID(uuidString: $0) != nil } == true } && Set(uuids).count == 2, "\(uuids)")

        #expect(lossbench(["history", "merge", "--history", target, a, b]) == 0)
        #expect(try counts(target) == [3, 12, 240])
        #expect(Set(try content(target)) == Set(try content(a) + content(b)))
        let once = try content(target)
        // The same files again, and a copy of one under another name: nothing new.
        let copy = scratchHistory()
        try FileManager.default.copyItem(atPath: a, toPath: copy)
        #expect(lossbench(["history", "merge", "--history", target, b, copy, a]) == 0)
        #expect(try content(target) == once && counts(target) == [3, 12, 240])
        // Runs are added oldest first whatever the order of the files.
        let merged = scratchHistory()
        #expect(lossbench(["history", "merge", "--history", merged, b, a]) == 0)
        #expect(try HistoryDatabase.openExisting(merged).runs().map(\.startedAt).map { $0.prefix(10) }
                == ["2025-01-01", "2025-01-02", "2025-01-03"])
    }

    /// A bad source anywhere in the list leaves the target exactly as it was.
    @Test(arguments: ["missing", "wrong-version", "corrupt", "not-sqlite"])
    func aBadSourceWritesNothing(kind: String) throws {
        let good = try history([(1, 1, 1)]), other = try history([(2, 2, 1)])
        #expect(lossbench(["history", "merge", "--history", target, good]) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        var bad = scratchHistory()
        switch kind {
        case "missing": bad += ".absent"
        case "wrong-version":
            bad = try history([(5, 5, 1)])
            try DatabaseQueue(path: bad).write { try $0.execute(sql: "UPDATE meta SET value = '2' WHERE key = 'format_version'") }
        case "corrupt":
            bad = try history([(5, 5, 1)])
            try DatabaseQueue(path: bad).write { try $0.execute(sql: "DELETE FROM samples WHERE seq = 3") }
        default: try Data("not a database".utf8).write(to: URL(fileURLWithPath: bad))
        }
        #expect(lossbench(["history", "merge", "--history", target, other, bad]) == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
        #expect(try counts(target) == [1, 4, 80])
    }

    @Test func noFilesIsAUsageError() {
        #expect(lossbench(["history", "merge", "--history", target]) == 64)
    }

    /// A file recorded before runs had a uuid: its runs get a content-derived identity when read,
    /// and the same one when the file is migrated, so an old file and its migrated copy merge once.
    @Test func oldFilesMergeOnceBeforeAndAfterMigration() throws {
        let old = try history([(1, 1, 1), (2, 2, 1)])
        try DatabaseQueue(path: old).write { d in
            try d.execute(sql: """
                DROP INDEX runs_by_uuid; DROP VIEW measurement_runs;
                \(HistoryMigrations.Views.measurementRunsV1)
                ALTER TABLE runs DROP COLUMN uuid;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%';
                """)
        }
        #expect(lossbench(["history", "merge", "--history", target, old]) == 0)
        #expect(try counts(target) == [2, 8, 160])
        let migrated = scratchHistory()
        try FileManager.default.copyItem(atPath: old, toPath: migrated)
        _ = try HistoryDatabase.openForWriting(migrated)  // applies v2, deriving the uuids
        #expect(try HistoryDatabase.openExisting(migrated).runs().map(\.uuid) == HistoryDatabase.openExisting(target).runs().map(\.uuid))
        #expect(lossbench(["history", "merge", "--history", target, migrated, old]) == 0)
        #expect(try counts(target) == [2, 8, 160])
        // The view of the migrated file names the run's uuid.
        #expect(try HistoryDatabase.openExisting(migrated).rows("SELECT DISTINCT run_uuid FROM measurement_runs").count == 2)
    }

    /// The CI workflow: two jobs bench into their own files, a last job merges and gates. The
    /// verdicts are those of the same runs recorded in one file.
    @Test func theMergedHistoryGatesLikeTheOriginal() throws {
        let base = try history([(1, 1, 1)]), slower = try history([(2, 2, 1.5)]), same = try history([(3, 3, 1)])
        #expect(lossbench(["history", "merge", "--history", target, slower, base]) == 0)
        #expect(lossbench(["gate", "--history", target]) == 2)
        let single = try history([(1, 1, 1), (2, 2, 1.5)])
        #expect(lossbench(["gate", "--history", single]) == 2)
        #expect(lossbench(["history", "merge", "--history", target, same]) == 0)
        #expect(lossbench(["gate", "--history", target, "--baseline", "run:1"]) == 0)
    }
}
