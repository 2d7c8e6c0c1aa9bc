import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal synchronous PostgreSQL client over libpq, the reference C client, loaded at run time.
///
/// Why libpq and why at run time: the history is written by a synchronous command-line tool, and
/// a PostgreSQL history is what a team opts into; an async client stack (NIO, TLS, crypto) would be
/// compiled into every build of LossBench for it. libpq is loaded with `dlopen` only when a
/// `postgres://` history is named, so LossBench builds anywhere with no PostgreSQL files at all,
/// and libpq brings the whole of PostgreSQL's connection handling: URIs, `PGPASSWORD`,
/// `~/.pgpass`, `PGSSLMODE`, service files. `LOSSBENCH_LIBPQ` names the library file when it is
/// not found under its usual names.
///
/// Values travel in PostgreSQL's text format. Doubles survive the round trip exactly: since
/// PostgreSQL 12 `float8` output is the shortest text that reads back to the same bits.
final class PostgresConnection: @unchecked Sendable {  // every use of `conn` holds `lock`
    /// A failure, with PostgreSQL's own message and SQLSTATE when the server sent one.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var sqlState: String?
        var description: String { message.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// A result set: column names and rows of text values (nil for SQL NULL).
    struct Rows {
        var columns: [String]
        var values: [[String?]]

        func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
    }

    private let conn: OpaquePointer
    private let lock = NSLock()

    /// Connects; the URI is any libpq connection string (`postgres://user@host:port/db?...`).
    init(uri: String) throws {
        let pq = try LibPQ.shared()
        guard let c = pq.connectdb(uri) else { throw Failure(message: "libpq could not allocate a connection") }
        guard pq.status(c) == 0 else {  // CONNECTION_OK
            let message = pq.errorMessage(c).map { String(cString: $0) } ?? "unknown error"
            pq.finish(c)
            throw Failure(message: "cannot connect: \(message)")
        }
        conn = c
        _ = try? execute("SET client_min_messages = warning")  // no NOTICE lines on stderr for IF NOT EXISTS
    }

    deinit { LibPQ.loaded?.finish(conn) }

    /// Runs one statement with `$1…$n` parameters (text; nil is NULL) and returns its rows.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws -> Rows {
        lock.lock()
        defer { lock.unlock() }
        let pq = try LibPQ.shared()
        let cStrings = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for p in cStrings { free(p) } }
        // Without parameters, the simple query protocol: it runs several statements at once (a migration).
        let result: OpaquePointer? = parameters.isEmpty ? pq.exec(conn, sql) : cStrings.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                pq.execParams(conn, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        guard let result else {
            throw Failure(message: pq.errorMessage(conn).map { String(cString: $0) } ?? "no result")
        }
        defer { pq.clear(result) }
        let status = pq.resultStatus(result)
        guard status == 1 || status == 2 else {  // PGRES_COMMAND_OK, PGRES_TUPLES_OK
            let message = pq.resultErrorMessage(result).map { String(cString: $0) } ?? "status \(status)"
            let state = pq.resultErrorField(result, 67).map { String(cString: $0) }  // PG_DIAG_SQLSTATE = 'C'
            throw Failure(message: message, sqlState: state)
        }
        let n = pq.ntuples(result), m = pq.nfields(result)
        let columns = (0..<m).map { String(cString: pq.fname(result, $0)) }
        let values = (0..<n).map { row in
            (0..<m).map { col -> String? in
                pq.getisnull(result, row, col) != 0 ? nil : String(cString: pq.getvalue(result, row, col))
            }
        }
        return Rows(columns: columns, values: values)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}

/// The libpq functions LossBench uses, resolved once per process.
struct LibPQ: @unchecked Sendable {  // immutable C function pointers
    typealias ConnectDB = @convention(c) (UnsafePointer<CChar>) -> OpaquePointer?
    typealias ConnFn = @convention(c) (OpaquePointer) -> Int32
    typealias ConnMessage = @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    typealias Finish = @convention(c) (OpaquePointer) -> Void
    typealias ExecParams = @convention(c) (OpaquePointer, UnsafePointer<CChar>, Int32, UnsafePointer<UInt32>?,
                                           UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
                                           UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    typealias Exec = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> OpaquePointer?
    typealias ResultFn = @convention(c) (OpaquePointer) -> Int32
    typealias ResultMessage = @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    typealias ResultField = @convention(c) (OpaquePointer, Int32) -> UnsafePointer<CChar>?
    typealias FieldName = @convention(c) (OpaquePointer, Int32) -> UnsafePointer<CChar>
    typealias GetValue = @convention(c) (OpaquePointer, Int32, Int32) -> UnsafePointer<CChar>
    typealias GetIsNull = @convention(c) (OpaquePointer, Int32, Int32) -> Int32

    let connectdb: ConnectDB, status: ConnFn, errorMessage: ConnMessage, finish: Finish
    let exec: Exec, execParams: ExecParams, resultStatus: ResultFn, resultErrorMessage: ResultMessage
    let resultErrorField: ResultField, ntuples: ResultFn, nfields: ResultFn, fname: FieldName
    let getvalue: GetValue, getisnull: GetIsNull, clear: Finish

    nonisolated(unsafe) private static var cached: Result<LibPQ, PostgresConnection.Failure>?
    private static let lock = NSLock()

    static var loaded: LibPQ? { lock.withLock { try? cached?.get() } }

    static func shared() throws -> LibPQ {
        try lock.withLock {
            if let cached { return try cached.get() }
            let r = Result { try load() }.mapError { $0 as! PostgresConnection.Failure }
            cached = r
            return try r.get()
        }
    }

    static let candidates = ["libpq.so.5", "libpq.so", "libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib",
                             "/usr/local/opt/libpq/lib/libpq.5.dylib"]

    private static func load() throws -> LibPQ {
        let names = ProcessInfo.processInfo.environment["LOSSBENCH_LIBPQ"].map { [$0] } ?? candidates
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else {
            throw PostgresConnection.Failure(message: "a PostgreSQL history needs libpq, the PostgreSQL client library, and none was found "
                + "(tried \(names.joined(separator: ", "))). Install it (Debian/Ubuntu: apt install libpq5; macOS: brew install libpq) "
                + "or set LOSSBENCH_LIBPQ to its path")
        }
        func f<T>(_ name: String, _: T.Type) throws -> T {
            guard let p = dlsym(handle, name) else {
                throw PostgresConnection.Failure(message: "libpq lacks \(name)")
            }
            return unsafeBitCast(p, to: T.self)
        }
        return LibPQ(
            connectdb: try f("PQconnectdb", ConnectDB.self), status: try f("PQstatus", ConnFn.self),
            errorMessage: try f("PQerrorMessage", ConnMessage.self), finish: try f("PQfinish", Finish.self),
            exec: try f("PQexec", Exec.self), execParams: try f("PQexecParams", ExecParams.self), resultStatus: try f("PQresultStatus", ResultFn.self),
            resultErrorMessage: try f("PQresultErrorMessage", ResultMessage.self),
            resultErrorField: try f("PQresultErrorField", ResultField.self), ntuples: try f("PQntuples", ResultFn.self),
            nfields: try f("PQnfields", ResultFn.self), fname: try f("PQfname", FieldName.self),
            getvalue: try f("PQgetvalue", GetValue.self), getisnull: try f("PQgetisnull", GetIsNull.self),
            clear: try f("PQclear", Finish.self))
    }
}
