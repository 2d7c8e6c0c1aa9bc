import Foundation
import GRDB
import LossSpec

#if canImport(Glibc)
import Glibc
#endif

/// Why a golden database cannot be used at all (CLI exit code 3). Each says which file and what.
public enum GoldenStoreError: Error, Sendable, CustomStringConvertible {
    case missing(path: String)
    case notSQLite(path: String, detail: String)
    case foreign(path: String, reason: String)
    case wrongVersion(path: String, found: String)
    case corrupt(path: String, detail: String)
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case .missing(let p): "\(p): no such file"
        case .notSQLite(let p, let d): "\(p): not an SQLite database (\(d))"
        case .foreign(let p, let r): "\(p): not a LossBench golden database: \(r)"
        case .wrongVersion(let p, let v):
            "\(p): golden format_version \(v) is not supported; this lossbench reads format_version \(GoldenDatabase.formatVersion)"
        case .corrupt(let p, let d): "\(p): corrupt golden database: \(d)"
        case .io(let p, let d): "\(p): \(d)"
        }
    }
}

/// A golden database read into memory.
public struct GoldenFile: Sendable {
    public var meta: [String: String]
    public var cases: [GoldenCase]

    public init(meta: [String: String], cases: [GoldenCase]) {
        self.meta = meta
        self.cases = cases
    }
}

/// Reading, writing and digesting golden databases (Docs/GoldenDatabase.md).
public enum GoldenDatabase {
    public static let format = "lossbench-golden"
    public static let formatVersion = "1"

    // MARK: Writing

    /// Writes `cases` and `meta` (plus format, format_version and content_sha256) to `path`
    /// atomically: everything goes to a temporary file in the same directory, which is renamed over
    /// `path` only once complete, so a crash or error never leaves a half-written database.
    ///
    /// - Returns: the content digest written to meta.
    @discardableResult
    public static func write(_ cases: [GoldenCase], meta: [String: String], to path: String) throws -> String {
        let digest = contentDigest(cases)
        var allMeta = meta
        allMeta["format"] = format
        allMeta["format_version"] = formatVersion
        allMeta["content_sha256"] = digest
        if let refusal = OutputFile.refusal(path) { throw GoldenStoreError.io(path: path, detail: refusal) }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GoldenStoreError.io(path: path, detail: "directory \(directory) does not exist")
        }
        // SQLite would say only "unable to open database file" for the temporary beside the target.
        guard access(directory, W_OK) == 0 else {
            throw GoldenStoreError.io(
                path: path, detail: "cannot create files in directory \(directory): \(String(cString: strerror(errno)))")
        }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        removeStaleTemporaries(directory: directory, name: url.lastPathComponent)
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let queue = try DatabaseQueue(path: temporary)
            try GoldenMigrations.migrator.migrate(queue)
            try queue.write { db in
                for (key, value) in allMeta.sorted(by: { $0.key < $1.key }) {
                    try MetaRecord(key: key, value: value).insert(db)
                }
                for c in cases { try insert(c, db) }
            }
            try queue.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw GoldenStoreError.io(path: path, detail: "\(error)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw GoldenStoreError.io(path: path, detail: "cannot move the new database into place: \(reason)")
        }
        return digest
    }

    /// Deletes what a killed writer left beside `name`: `.NAME.tmp-PID` (and its `-journal`) for
    /// every PID that no longer runs. A live writer's temporary is left alone.
    static func removeStaleTemporaries(directory: String, name: String) {
        let prefix = "." + name + ".tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            var digits = entry.dropFirst(prefix.count)
            if digits.hasSuffix("-journal") { digits = digits.dropLast("-journal".count) }
            guard let pid = Int32(digits), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: directory + "/" + entry)
            }
        }
    }

    /// Adds `cases` to an existing database (for `fuzz --save`), atomically: the file is copied,
    /// extended, its content digest recomputed, and renamed over the original.
    public static func append(_ cases: [GoldenCase], to path: String) throws {
        let existing = try read(path)
        let names = Set(existing.cases.map(\.name))
        if let clash = cases.first(where: { names.contains($0.name) }) {
            throw GoldenStoreError.io(path: path, detail: "a case named \(clash.name) already exists")
        }
        var meta = existing.meta
        meta["content_sha256"] = nil
        try write(existing.cases + cases, meta: meta, to: path)
    }

    private static func insert(_ c: GoldenCase, _ db: Database) throws {
        var record = CaseRecord(
            id: nil, name: c.name, loss: c.loss, options: c.optionsJSON,
            family: c.family.rawValue, seed: c.seed, expectError: c.expectError?.rawValue, note: c.note,
            deviation: c.deviation)
        try record.insert(db)
        guard let id = record.id else { return }
        for (role, value) in c.inputs.sorted(by: { $0.key < $1.key }) {
            try TensorRecord(caseID: id, role: role, io: "in", dtype: value.dtype.rawValue,
                             shape: shapeJSON(value.shape), data: TensorCoding.bytes(value), scale: nil).insert(db)
        }
        for (role, value) in c.expected.sorted(by: { $0.key < $1.key }) {
            try TensorRecord(caseID: id, role: role, io: "out", dtype: DType.float64.rawValue,
                             shape: shapeJSON(value.shape), data: TensorCoding.bytes(.float64(value)),
                             scale: c.scales[role].map { TensorCoding.bytes(.float64($0)) }).insert(db)
        }
    }

    static func shapeJSON(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }

    // MARK: Reading

    /// Reads and validates a whole golden database.
    ///
    /// - Throws: `GoldenStoreError` naming the file and what is wrong: missing, not SQLite, foreign
    ///   (no `meta` or another `format`), wrong `format_version`, or corrupt content (bad shape,
    ///   data length, dtype, options JSON, or a float input not representable in Float32).
    public static func read(_ path: String) throws -> GoldenFile {
        guard FileManager.default.fileExists(atPath: path) else { throw GoldenStoreError.missing(path: path) }
        var config = Configuration()
        config.readonly = true
        // A writer (`generate --append`, a sqlite3 session) holds its lock for moments; wait them out.
        config.busyMode = .timeout(30)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw unreadable(path, error)
        }
        do {
            return try queue.read { db in
                let tables: Set<String>
                do {
                    tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                } catch {
                    throw unreadable(path, error)
                }
                guard tables.contains("meta") else {
                    throw GoldenStoreError.foreign(path: path, reason: "it has no meta table")
                }
                let meta = Dictionary(try MetaRecord.fetchAll(db).map { ($0.key, $0.value) },
                                      uniquingKeysWith: { a, _ in a })
                guard meta["format"] == format else {
                    throw GoldenStoreError.foreign(
                        path: path, reason: "meta.format is \(meta["format"].map { "'\($0)'" } ?? "missing"), expected '\(format)'")
                }
                guard meta["format_version"] == formatVersion else {
                    throw GoldenStoreError.wrongVersion(path: path, found: meta["format_version"] ?? "(missing)")
                }
                guard tables.contains("cases"), tables.contains("tensors") else {
                    throw GoldenStoreError.corrupt(path: path, detail: "the cases or tensors table is missing")
                }
                return GoldenFile(meta: meta, cases: try readCases(db, path: path))
            }
        } catch let e as GoldenStoreError {
            throw e
        } catch {
            throw GoldenStoreError.corrupt(path: path, detail: "\(error)")
        }
    }

    /// The error for a file SQLite could not open or query: not SQLite, or a true reason why not.
    static func unreadable(_ path: String, _ error: Error) -> GoldenStoreError {
        switch SQLiteFile.diagnose(path, error: error) {
        case .notSQLite(let detail): .notSQLite(path: path, detail: detail)
        case .unusable(let reason): .io(path: path, detail: reason)
        }
    }

    private static func readCases(_ db: Database, path: String) throws -> [GoldenCase] {
        let records = try CaseRecord.order(Column("id")).fetchAll(db)
        var tensorsByCase: [Int64: [TensorRecord]] = [:]
        for t in try TensorRecord.fetchAll(db) { tensorsByCase[t.caseID, default: []].append(t) }
        return try records.map { r in
            func bad(_ detail: String) -> GoldenStoreError {
                .corrupt(path: path, detail: "case \(r.name): \(detail)")
            }
            guard let family = CaseFamily(rawValue: r.family) else {
                throw bad("family '\(r.family)' is not one of random, edge, error, regression")
            }
            var expectError: ErrorKind? = nil
            if let e = r.expectError {
                guard let kind = ErrorKind(rawValue: e) else {
                    throw bad("expect_error '\(e)' is not an error kind (\(ErrorKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                expectError = kind
            }
            guard case .object(let options)? = try? JSONValue.parse(Data(r.options.utf8)) else {
                throw bad("options is not a JSON object: \(r.options)")
            }
            var c = GoldenCase(name: r.name, loss: r.loss, options: options, family: family, seed: r.seed,
                               expectError: expectError, note: r.note, inputs: [:], deviation: r.deviation)
            for t in tensorsByCase[r.id ?? -1] ?? [] {
                let value: TensorValue
                do {
                    value = try TensorCoding.decode(dtype: t.dtype, shape: t.shape, data: t.data, role: t.role)
                } catch let e as LossError {
                    throw bad(e.message)
                }
                switch t.io {
                case "in":
                    if case .float64(let x) = value, let i = x.scalars.firstIndex(where: { !isFloat32Exact($0) }) {
                        throw bad("input \(t.role) element \(i) = \(x.scalars[i]) is not exactly representable in Float32; golden float inputs must be (Docs/GoldenDatabase.md)")
                    }
                    c.inputs[t.role] = value
                case "out":
                    guard case .float64(let x) = value else { throw bad("output \(t.role) must be float64") }
                    c.expected[t.role] = x
                    if let s = t.scale {
                        guard case .float64(let sc) = try TensorCoding.decode(dtype: "float64", shape: t.shape, data: s, role: "scale of \(t.role)")
                        else { throw bad("scale of \(t.role) is not float64") }
                        c.scales[t.role] = sc
                    }
                default:
                    throw bad("tensor \(t.role) has io '\(t.io)'")
                }
            }
            // Without its expected output a case would compare nothing and pass vacuously.
            if c.expectError == nil, c.expected["output"] == nil {
                throw bad("no expected output: a case that must evaluate needs an 'output' row (io = 'out')")
            }
            return c
        }
    }

    static func isFloat32Exact(_ x: Double) -> Bool {
        x.isNaN || Double(Float(x)) == x
    }

    // MARK: Digest

    /// SHA-256 of the canonical content: cases in name order, each as its columns (options as
    /// sorted-key JSON) followed by its tensors in role order (role, io, dtype, shape, data, scale).
    /// Independent of row ids, insertion order and SQLite's page layout; meta is not included.
    public static func contentDigest(_ cases: [GoldenCase]) -> String {
        var h = SHA256()
        func field(_ s: String?) {
            h.update((s ?? "\u{1}null").utf8)
            h.update([0])
        }
        for c in cases.sorted(by: { $0.name < $1.name }) {
            field("case")
            field(c.name)
            field(c.loss)
            field(c.optionsJSON)
            field(c.family.rawValue)
            field(c.seed.map { String($0) })
            field(c.expectError?.rawValue)
            field(c.note)
            // Only when set, so the digests of databases without deviations are unchanged.
            if let d = c.deviation {
                field("deviation")
                field(d)
            }
            var tensors: [(String, String, TensorValue, Tensor<Double>?)] = []
            for (role, v) in c.inputs { tensors.append((role, "in", v, nil)) }
            for (role, v) in c.expected { tensors.append((role, "out", .float64(v), c.scales[role])) }
            for (role, io, value, scale) in tensors.sorted(by: { $0.0 < $1.0 }) {
                field(role)
                field(io)
                field(value.dtype.rawValue)
                field(shapeJSON(value.shape))
                h.update(TensorCoding.bytes(value))
                field(scale == nil ? "noscale" : "scale")
                if let scale { h.update(TensorCoding.bytes(.float64(scale))) }
            }
        }
        return h.finalizeHex()
    }
}
