import Foundation

/// The history on a PostgreSQL server: the schema of `HistoryMigrations.postgres`, the same
/// tables, columns and views as the SQLite file, and the same operations as `HistoryDatabase`
/// (which forwards to this when `--history` is a `postgres://` or `postgresql://` URI).
///
/// Many writers at once are the point: each `bench` records its run in one transaction, keys
/// come from sequences, migrations and merges take an advisory lock, so concurrent CI jobs
/// neither interleave a half-made schema nor lose a run.
final class PostgresHistory: Sendable {
    let connection: PostgresConnection
    /// The URI without its password: what messages show.
    let name: String

    static func isURI(_ s: String) -> Bool { s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") }

    /// `postgres://user:secret@host/db` → `postgres://user@host/db`.
    static func redacted(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://"), let at = uri[scheme.upperBound...].firstIndex(of: "@") else { return uri }
        let credentials = uri[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return uri }
        return String(uri[..<colon]) + String(uri[at...])
    }

    init(uri: String) throws {
        name = Self.redacted(uri)
        do { connection = try PostgresConnection(uri: uri) } catch let f as PostgresConnection.Failure {
            throw HistoryError.io(path: name, detail: f.description)
        }
    }

    /// Runs statements, turning server errors into `HistoryError.io` naming the database.
    func sql<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as HistoryError { throw e } catch {
            throw HistoryError.io(path: name, detail: "\(what): \(error)")
        }
    }

    // MARK: Schema

    /// The 64-bit advisory lock key that serialises LossBench's schema changes and merges.
    static let lockKey = "7369726f7462656e"  // any constant; hex of "sirotben"

    func tables() throws -> Set<String> {
        try sql("reading the catalogue") {
            Set(try connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").values.compactMap { $0[0] })
        }
    }

    /// Checks that this is a LossBench history (or, when allowed, a database without one yet).
    func validate(allowEmpty: Bool) throws {
        let tables = try tables()
        if !tables.contains("meta") {
            if allowEmpty && !tables.contains("runs") { return }
            if tables.isEmpty { throw HistoryError.missing(path: name) }
            throw HistoryError.foreign(path: name, reason: "it has no meta table")
        }
        let meta = try sql("reading meta") {
            Dictionary(try connection.execute("SELECT key, value FROM meta").values.map { ($0[0] ?? "", $0[1] ?? "") },
                       uniquingKeysWith: { a, _ in a })
        }
        try HistoryDatabase.checkFormat(path: name, meta: meta, tables: tables)
    }

    /// Applies the migrations not yet applied, in one transaction under the advisory lock.
    func migrate() throws {
        try sql("migrating the schema") {
            try connection.transaction {
                try connection.execute("SELECT pg_advisory_xact_lock(x'\(Self.lockKey)'::bigint)")
                try connection.execute("CREATE TABLE IF NOT EXISTS lossbench_migrations (identifier TEXT PRIMARY KEY)")
                let applied = Set(try connection.execute("SELECT identifier FROM lossbench_migrations").values.compactMap { $0[0] })
                for (identifier, statements) in HistoryMigrations.postgres where !applied.contains(identifier) {
                    try connection.execute(statements)
                    try connection.execute("INSERT INTO lossbench_migrations (identifier) VALUES ($1)", [identifier])
                }
                try connection.execute("""
                    INSERT INTO meta (key, value) VALUES ('format', $1), ('format_version', $2)
                    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                    """, [HistoryDatabase.format, HistoryDatabase.formatVersion])
            }
        }
    }

    // MARK: Rows ↔ records

    static let runColumns = "id, started_at, machine_key, cpu_model, cores, memory_gib, os, arch, swift_version, build_config, "
        + "threads, git_commit, git_dirty, label, command, uuid, isa"
    static let measurementColumns = "id, run_id, suite, loss, impl, pass, shape, elements, threads, sample_count, median_ns, "
        + "min_ns, p25_ns, p75_ns, calibration_median_ns, normalized_median"

    func value<T>(_ text: String?, _ parse: (String) -> T?, _ what: String) throws -> T {
        guard let text, let v = parse(text) else {
            throw HistoryError.corrupt(path: name, detail: "\(what) is \(text.map { "'\($0)'" } ?? "NULL")")
        }
        return v
    }

    func run(_ r: [String?]) throws -> RunRecord {
        var run = RunRecord(
            machine: MachineKey(cpuModel: r[3] ?? "", cores: try value(r[4], { Int($0) }, "runs.cores"),
                                memoryGib: try value(r[5], { Int($0) }, "runs.memory_gib"), os: r[6] ?? "", arch: r[7] ?? ""),
            variant: RunVariant(swiftVersion: r[8] ?? "", buildConfig: r[9] ?? "", threads: try value(r[10], { Int($0) }, "runs.threads"),
                                gitCommit: r[11], gitDirty: r[12].map { $0 != "0" }, label: r[13], isa: r[16]),
            startedAt: r[1] ?? "", command: r[14])
        run.id = try value(r[0], { Int64($0) }, "runs.id")
        run.machineKey = r[2] ?? ""  // as stored, even if the key's format changes one day
        run.uuid = r[15]
        return run
    }

    func measurement(_ r: [String?]) throws -> MeasurementRecord {
        func d(_ i: Int, _ what: String) throws -> Double { try value(r[i], { Double($0) }, "measurements.\(what)") }
        return MeasurementRecord(
            id: try value(r[0], { Int64($0) }, "measurements.id"), runID: try value(r[1], { Int64($0) }, "measurements.run_id"),
            suite: r[2] ?? "", loss: r[3] ?? "", impl: r[4] ?? "", pass: r[5] ?? "", shape: r[6] ?? "",
            elements: try value(r[7], { Int($0) }, "measurements.elements"), threads: try value(r[8], { Int($0) }, "measurements.threads"),
            sampleCount: try value(r[9], { Int($0) }, "measurements.sample_count"),
            medianNs: try d(10, "median_ns"), minNs: try d(11, "min_ns"), p25Ns: try d(12, "p25_ns"), p75Ns: try d(13, "p75_ns"),
            calibrationMedianNs: try d(14, "calibration_median_ns"), normalizedMedian: try d(15, "normalized_median"))
    }

    // MARK: Queries

    func runs(machineKey: String?) throws -> [RunRecord] {
        try sql("reading runs") {
            let rows = if let machineKey {
                try connection.execute("SELECT \(Self.runColumns) FROM runs WHERE machine_key = $1 ORDER BY id", [machineKey])
            } else {
                try connection.execute("SELECT \(Self.runColumns) FROM runs ORDER BY id")
            }
            return try rows.values.map(run)
        }
    }

    func run(id: Int64) throws -> RunRecord? {
        try sql("reading run \(id)") {
            try connection.execute("SELECT \(Self.runColumns) FROM runs WHERE id = $1", [String(id)]).values.first.map(run)
        }
    }

    func measurements(runID: Int64?) throws -> [MeasurementRecord] {
        try sql("reading measurements") {
            let rows = if let runID {
                try connection.execute("SELECT \(Self.measurementColumns) FROM measurements WHERE run_id = $1 ORDER BY id", [String(runID)])
            } else {
                try connection.execute("SELECT \(Self.measurementColumns) FROM measurements ORDER BY run_id, id")
            }
            return try rows.values.map(measurement)
        }
    }

    func samples(runID: Int64) throws -> [SampleRecord] {
        try sql("reading samples") {
            try connection.execute("""
                SELECT s.measurement_id, s.seq, s.ns, s.calibration_ns FROM samples s JOIN measurements m ON m.id = s.measurement_id
                WHERE m.run_id = $1 ORDER BY s.measurement_id, s.seq
                """, [String(runID)]).values.map { r in
                SampleRecord(measurementID: try value(r[0], { Int64($0) }, "samples.measurement_id"),
                             seq: try value(r[1], { Int($0) }, "samples.seq"), ns: try value(r[2], { Double($0) }, "samples.ns"),
                             calibrationNs: try value(r[3], { Double($0) }, "samples.calibration_ns"))
            }
        }
    }

    // MARK: Writing

    /// Inserts a run and its measurements (with their samples) inside the caller's transaction.
    func insert(_ run: RunRecord, _ measurements: [(MeasurementRecord, [SampleRecord])]) throws -> Int64 {
        let dirty: String? = run.gitDirty.map { $0 ? "1" : "0" }
        let runID = try value(try connection.execute("""
            INSERT INTO runs (started_at, machine_key, cpu_model, cores, memory_gib, os, arch, swift_version, build_config,
                              threads, git_commit, git_dirty, label, command, uuid, isa)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id
            """, [run.startedAt, run.machineKey, run.cpuModel, String(run.cores), String(run.memoryGib), run.os, run.arch,
                  run.swiftVersion, run.buildConfig, String(run.threads), run.gitCommit, dirty, run.label, run.command,
                  run.uuid, run.isa]).values.first?[0], { Int64($0) }, "the new run's id")
        for (m, samples) in measurements {
            let mid = try value(try connection.execute("""
                INSERT INTO measurements (run_id, suite, loss, impl, pass, shape, elements, threads, sample_count, median_ns,
                                          min_ns, p25_ns, p75_ns, calibration_median_ns, normalized_median)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id
                """, [String(runID), m.suite, m.loss, m.impl, m.pass, m.shape, String(m.elements), String(m.threads),
                      String(m.sampleCount), String(m.medianNs), String(m.minNs), String(m.p25Ns), String(m.p75Ns),
                      String(m.calibrationMedianNs), String(m.normalizedMedian)]).values.first?[0], { Int64($0) }, "the new measurement's id")
            // Many rows per statement: a run's thousands of samples in a few round trips.
            for start in stride(from: 0, to: samples.count, by: 1000) {
                let chunk = samples[start..<min(start + 1000, samples.count)]
                let placeholders: String = chunk.indices.map { i -> String in
                    let k = (i - start) * 3
                    return "($1, $\(k + 2), $\(k + 3), $\(k + 4))"
                }.joined(separator: ", ")
                let parameters: [String?] = [String(mid)] + chunk.flatMap { [String($0.seq), String($0.ns), String($0.calibrationNs)] }
                try connection.execute("INSERT INTO samples (measurement_id, seq, ns, calibration_ns) VALUES \(placeholders)", parameters)
            }
        }
        return runID
    }

    func record(_ run: RunRecord, _ measurements: [(MeasurementRecord, [SampleRecord])]) throws -> Int64 {
        try sql("recording the run failed, nothing was written") {
            try connection.transaction { try insert(run, measurements) }
        }
    }

    /// The uuids held, read inside the merge's transaction after taking the advisory lock, so
    /// two merges of the same run at once add it once.
    func lockedUUIDs() throws -> Set<String> {
        try connection.execute("SELECT pg_advisory_xact_lock(x'\(Self.lockKey)'::bigint)")
        return Set(try connection.execute("SELECT uuid FROM runs WHERE uuid IS NOT NULL").values.compactMap { $0[0] })
    }
}
