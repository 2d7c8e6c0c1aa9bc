import Foundation
import GRDB
import GoldenStore
import LossSpec

/// Why a history database cannot be used (CLI exit code 3). Each says which file and what.
package enum HistoryError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notSQLite(path: String, detail: String)
    case foreign(path: String, reason: String)
    case wrongVersion(path: String, found: String)
    case corrupt(path: String, detail: String)
    case io(path: String, detail: String)
    /// A query the history cannot answer: no runs, an unknown baseline, a run id that does not exist.
    case notFound(String)
    /// Two runs from different machine keys: their times are not comparable.
    case foreignMachine(current: String, baseline: String)

    package var description: String {
        switch self {
        case .missing(let p): "\(p): no history database here; `lossbench bench` creates it (or pass --history PATH)"
        case .notSQLite(let p, let d): "\(p): not an SQLite database (\(d))"
        case .foreign(let p, let r): "\(p): not a LossBench history database: \(r)"
        case .wrongVersion(let p, let v):
            "\(p): history format_version \(v) is not supported; this lossbench reads format_version \(HistoryDatabase.formatVersion)"
        case .corrupt(let p, let d): "\(p): corrupt history database: \(d)"
        case .io(let p, let d): "\(p): \(d)"
        case .notFound(let what): what
        case .foreignMachine(let c, let b):
            "refusing to compare runs from different machines: the latest run is on '\(c)', the baseline on '\(b)'. "
                + "Times from different machines are not comparable; pass --allow-foreign-machine to compare anyway"
        }
    }
}

extension HistoryError {
    /// The error for a file SQLite could not open or query: not SQLite, or a true reason why not.
    static func unreadable(_ path: String, _ error: Error) -> HistoryError {
        switch SQLiteFile.diagnose(path, error: error) {
        case .notSQLite(let detail): .notSQLite(path: path, detail: detail)
        case .unusable(let reason): .io(path: path, detail: reason)
        }
    }
}

/// What `bench` hands over for one measurement.
package struct MeasurementInput: Sendable {
    package var suite: String
    package var loss: String
    package var impl: String
    package var pass: String
    package var shape: String
    package var elements: Int
    package var threads: Int
    /// Nanoseconds of each timed call, in order.
    package var samples: [Double]
    /// Nanoseconds of the calibration kernel timed right before each sample.
    package var calibration: [Double]

    package init(suite: String, loss: String, impl: String, pass: String, shape: String, elements: Int, threads: Int,
                samples: [Double], calibration: [Double]) {
        self.suite = suite
        self.loss = loss
        self.impl = impl
        self.pass = pass
        self.shape = shape
        self.elements = elements
        self.threads = threads
        self.samples = samples
        self.calibration = calibration
    }
}

/// A measurement with its raw samples, as read back.
package struct StoredMeasurement: Sendable {
    package var record: MeasurementRecord
    package var samples: [SampleRecord]

    /// Each sample divided by the measurement's calibration median: time in units of the
    /// calibration kernel, comparable across runs on one machine whose speed drifted.
    package var normalizedSamples: [Double] {
        let c = record.calibrationMedianNs
        return samples.map { $0.ns / c }
    }

    package var rawSamples: [Double] { samples.map(\.ns) }
}

/// The timing history (SQLite via GRDB): open or create, record a run atomically, query.
package final class HistoryDatabase: Sendable {
    package static let format = "lossbench-history"
    package static let formatVersion = "1"
    package static let defaultPath = "Reports/history.sqlite"

    /// The file, or the PostgreSQL URI without its password.
    package let path: String
    private let sqlite: DatabaseQueue?
    /// Set when the history is on a PostgreSQL server (`postgres://…`); every operation then
    /// goes there instead of to SQLite.
    let postgres: PostgresHistory?

    /// The SQLite connection; only used on the paths where `postgres` is nil.
    var queue: DatabaseQueue { sqlite! }

    private init(path: String, queue: DatabaseQueue) {
        self.path = path
        sqlite = queue
        postgres = nil
    }

    private init(postgres: PostgresHistory) {
        path = postgres.name
        sqlite = nil
        self.postgres = postgres
    }

    /// Whether `location` names a PostgreSQL database rather than a file.
    package static func isPostgres(_ location: String) -> Bool { PostgresHistory.isURI(location) }

    /// The text with the password of a PostgreSQL URI taken out (for printed and recorded commands).
    package static func redacted(_ text: String) -> String { isPostgres(text) ? PostgresHistory.redacted(text) : text }

    /// How long a connection waits for another process's lock (a writer recording its run, a
    /// reader in the middle of a query) before it gives up. Several CI jobs share one history, and
    /// a benchmark run is minutes of work: waiting is always better than discarding it.
    package static let busyTimeout: TimeInterval = 120

    static func configuration(readonly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readonly
        config.busyMode = .timeout(busyTimeout)
        return config
    }

    /// Opens an existing history database read-only, validating that it is one.
    package static func openExisting(_ path: String) throws -> HistoryDatabase {
        if isPostgres(path) {
            let pg = try PostgresHistory(uri: path)
            try pg.validate(allowEmpty: false)
            return HistoryDatabase(postgres: pg)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw HistoryError.missing(path: path) }
        let config = configuration(readonly: true)
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch {
            throw HistoryError.unreadable(path, error)
        }
        let db = HistoryDatabase(path: path, queue: queue)
        try db.validate(allowEmpty: false)
        return db
    }

    /// Opens the history database for recording, creating it (and its directory) if needed.
    package static func openForWriting(_ path: String) throws -> HistoryDatabase {
        if isPostgres(path) {
            let pg = try PostgresHistory(uri: path)
            try pg.validate(allowEmpty: true)
            try pg.migrate()
            return HistoryDatabase(postgres: pg)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HistoryError.io(path: path, detail: "cannot create directory \(directory): \(error.localizedDescription)")
        }
        // Processes creating or migrating the same new file at once would each see the other's
        // half-made schema ("it has no meta table"); an advisory lock on the file itself, apart
        // from SQLite's own locks, lets one finish first. The others then find a complete database.
        let lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else {
            throw HistoryError.io(path: path, detail: "cannot open for writing: \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw HistoryError.io(path: path, detail: "cannot lock: \(String(cString: strerror(errno)))") }
        }
        defer { flock(lock, LOCK_UN) }
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false)) } catch {
            throw HistoryError.unreadable(path, error)
        }
        let db = HistoryDatabase(path: path, queue: queue)
        try db.validate(allowEmpty: true)
        do {
            try HistoryMigrations.migrator.migrate(queue)
            try queue.write { d in
                try HistoryMetaRecord(key: "format", value: format).save(d)
                try HistoryMetaRecord(key: "format_version", value: formatVersion).save(d)
            }
        } catch {
            throw HistoryError.io(path: path, detail: "\(error)")
        }
        return db
    }

    /// Checks the file is a history database of our format (or, when allowed, an empty SQLite file).
    func validate(allowEmpty: Bool) throws {
        do {
            try queue.read { d in
                let tables: Set<String>
                do {
                    tables = Set(try String.fetchAll(d, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                } catch {
                    throw HistoryError.unreadable(path, error)
                }
                if tables.isEmpty && allowEmpty { return }
                guard tables.contains("meta") else {
                    throw HistoryError.foreign(path: path, reason: "it has no meta table")
                }
                let meta = Dictionary(try HistoryMetaRecord.fetchAll(d).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                try Self.checkFormat(path: path, meta: meta, tables: tables)
            }
        } catch let e as HistoryError {
            throw e
        } catch {
            throw HistoryError.corrupt(path: path, detail: "\(error)")
        }
    }

    /// The checks every store makes once it has found a meta table: LossBench's format, this
    /// format version, and the three tables of a run.
    static func checkFormat(path: String, meta: [String: String], tables: Set<String>) throws {
        guard meta["format"] == format else {
            throw HistoryError.foreign(path: path, reason: "meta.format is \(meta["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)'")
        }
        guard meta["format_version"] == formatVersion else {
            throw HistoryError.wrongVersion(path: path, found: meta["format_version"] ?? "(missing)")
        }
        for t in ["runs", "measurements", "samples"] where !tables.contains(t) {
            throw HistoryError.corrupt(path: path, detail: "table \(t) is missing")
        }
    }

    /// Runs a read, turning SQLite errors into `HistoryError.corrupt`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let e as HistoryError { throw e } catch {
            throw HistoryError.corrupt(path: path, detail: "\(error)")
        }
    }

    // MARK: Recording

    /// Records one run with all its measurements and samples in a single transaction: a crash or
    /// error leaves either the whole run or nothing.
    @discardableResult
    package func record(_ run: RunRecord, _ measurements: [MeasurementInput]) throws -> RunRecord {
        var run = run
        if run.uuid == nil { run.uuid = UUID().uuidString.lowercased() }
        // Keys are the store's to give: the records carry placeholders until inserted.
        let rows = measurements.map { m -> (MeasurementRecord, [SampleRecord]) in
            let record = Self.measurementRecord(m, runID: 0)
            return (record, Self.sampleRecords(m, measurementID: 0, calibrationMedian: record.calibrationMedianNs))
        }
        if let postgres {
            run.id = try postgres.record(run, rows)
            return run
        }
        do {
            run.id = try queue.write { try insert(run, rows, into: $0) }
        } catch {
            throw HistoryError.io(path: path, detail: "recording the run failed, nothing was written: \(error)")
        }
        return run
    }

    /// Inserts a run and its measurements with their samples, inside the caller's transaction,
    /// each under a new key of this file (the records' own keys are ignored); returns the run's key.
    /// `PostgresHistory.insert` is its twin on a server.
    func insert(_ run: RunRecord, _ measurements: [(MeasurementRecord, [SampleRecord])], into d: Database) throws -> Int64 {
        var run = run
        run.id = nil
        try run.insert(d)
        guard let runID = run.id else { throw HistoryError.io(path: path, detail: "the new run got no key") }
        for (m, samples) in measurements {
            var record = m
            record.id = nil
            record.runID = runID
            try record.insert(d)
            guard let mid = record.id else { continue }
            for var sample in samples {
                sample.measurementID = mid
                try sample.insert(d)
            }
        }
        return runID
    }

    /// A measurement's summary statistics, as stored.
    static func measurementRecord(_ m: MeasurementInput, runID: Int64) -> MeasurementRecord {
        let calibrationMedian = Stats.median(m.calibration)
        let med = Stats.median(m.samples)
        return MeasurementRecord(
            id: nil, runID: runID, suite: m.suite, loss: m.loss, impl: m.impl, pass: m.pass, shape: m.shape,
            elements: m.elements, threads: m.threads, sampleCount: m.samples.count,
            medianNs: med, minNs: m.samples.min() ?? .nan,
            p25Ns: Stats.quantile(m.samples, 0.25), p75Ns: Stats.quantile(m.samples, 0.75),
            calibrationMedianNs: calibrationMedian, normalizedMedian: med / calibrationMedian)
    }

    /// A measurement's samples, each with the calibration time taken right before it.
    static func sampleRecords(_ m: MeasurementInput, measurementID: Int64, calibrationMedian: Double) -> [SampleRecord] {
        m.samples.enumerated().map { i, ns in
            SampleRecord(measurementID: measurementID, seq: i, ns: ns, calibrationNs: i < m.calibration.count ? m.calibration[i] : calibrationMedian)
        }
    }

    // MARK: Queries

    /// All runs, oldest first; optionally only those of one machine key.
    package func runs(machineKey: String? = nil) throws -> [RunRecord] {
        if let postgres { return try postgres.runs(machineKey: machineKey) }
        return try read { d in
            var request = RunRecord.order(Column("id"))
            if let machineKey { request = request.filter(Column("machine_key") == machineKey) }
            return try request.fetchAll(d)
        }
    }

    package func run(id: Int64) throws -> RunRecord {
        let found = try postgres.map { try $0.run(id: id) } ?? read({ try RunRecord.fetchOne($0, key: id) })
        guard let r = found else {
            throw HistoryError.notFound("\(path): there is no run \(id)")
        }
        return r
    }

    /// The measurements of a run, without samples.
    package func measurements(runID: Int64) throws -> [MeasurementRecord] {
        if let postgres { return try postgres.measurements(runID: runID) }
        return try read { d in
            try MeasurementRecord.filter(Column("run_id") == runID).order(Column("id")).fetchAll(d)
        }
    }

    /// The measurements of a run with their raw samples.
    package func storedMeasurements(runID: Int64) throws -> [StoredMeasurement] {
        let (records, samples) = try postgres.map { (try $0.measurements(runID: runID), try $0.samples(runID: runID)) } ?? read { d in
            (try MeasurementRecord.filter(Column("run_id") == runID).order(Column("id")).fetchAll(d),
             try SampleRecord.fetchAll(
                d, sql: "SELECT s.* FROM samples s JOIN measurements m ON m.id = s.measurement_id WHERE m.run_id = ? ORDER BY s.measurement_id, s.seq",
                arguments: [runID]))
        }
        let byMeasurement = Dictionary(grouping: samples, by: \.measurementID)
        return try records.map { r in
            let stored = StoredMeasurement(record: r, samples: byMeasurement[r.id ?? -1] ?? [])
            try checkPlausible(r)
            if stored.samples.count != r.sampleCount {
                throw corruptMeasurement(r, "sample_count is \(r.sampleCount) but \(stored.samples.count) samples are stored")
            }
            if let bad = stored.samples.first(where: { !($0.ns > 0 && $0.ns.isFinite && $0.calibrationNs > 0 && $0.calibrationNs.isFinite) }) {
                throw corruptMeasurement(r, "sample \(bad.seq) has ns \(bad.ns) and calibration_ns \(bad.calibrationNs); both must be positive and finite")
            }
            return stored
        }
    }

    /// Every measurement of the given runs (all runs when nil), joined with nothing: cheap for trends.
    package func allMeasurements() throws -> [MeasurementRecord] {
        let records = try postgres.map { try $0.measurements(runID: nil) }
            ?? read { try MeasurementRecord.order(Column("run_id"), Column("id")).fetchAll($0) }
        for r in records { try checkPlausible(r) }
        return records
    }

    /// A measurement whose times cannot be real: no samples, or a time or calibration that is
    /// zero, negative or not finite. Compared as they are, they made the gate pass vacuously (a
    /// zero calibration made every normalized time infinite and "unchanged"; deleted samples left
    /// nothing to test), so they are a corrupt history (exit 3), not a result.
    func checkPlausible(_ r: MeasurementRecord) throws {
        if r.sampleCount < 1 { throw corruptMeasurement(r, "it has no samples (sample_count \(r.sampleCount))") }
        for (name, value) in [("median_ns", r.medianNs), ("min_ns", r.minNs), ("calibration_median_ns", r.calibrationMedianNs),
                              ("normalized_median", r.normalizedMedian)] where !(value > 0 && value.isFinite) {
            throw corruptMeasurement(r, "\(name) is \(value); times must be positive and finite")
        }
    }

    func corruptMeasurement(_ r: MeasurementRecord, _ why: String) -> HistoryError {
        .corrupt(path: path, detail: "measurement \(r.id.map(String.init) ?? "?") of run \(r.runID) (\(r.loss) \(r.impl) \(r.pass) \(r.shape)): \(why)")
    }

    /// Rows of any SQL (for the views and tests).
    package func rows(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        if postgres != nil { throw HistoryError.notFound("\(path): row queries are answered by SQLite files only; use psql") }
        return try read { try Row.fetchAll($0, sql: sql, arguments: arguments) }
    }
}

/// Sample statistics shared by the bench command, the history and the gate.
package enum Stats {
    package static func median(_ xs: [Double]) -> Double { quantile(xs, 0.5) }

    /// Linear-interpolated quantile of the samples.
    package static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        let pos = q * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// exp(mean(log x)): the average of ratios.
    package static func geometricMean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        return exp(xs.map { log($0) }.reduce(0, +) / Double(xs.count))
    }
}
