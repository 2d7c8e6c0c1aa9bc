import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Why an SQLite file could not be opened or queried, told apart so the message is true.
///
/// SQLite reports a directory, a file without read permission, a database locked by another
/// process and a WAL database in a directory the reader cannot write all as some variant of
/// "unable to open" or "not a database"; calling each of those "not an SQLite database" sends the
/// user looking in the wrong place. The file itself is examined first, then SQLite's code.
package enum SQLiteFile {
    /// What is wrong with the file at `path`, given the error SQLite (through GRDB) raised for it.
    package enum Problem: Equatable, Sendable {
        /// The file is there and readable but is not an SQLite database.
        case notSQLite(String)
        /// The file may be a fine database, but it cannot be used now or by this user.
        case unusable(String)
    }

    /// The 16 bytes every SQLite 3 database file starts with.
    static let header = Array("SQLite format 3\0".utf8)

    package static func diagnose(_ path: String, error: Error) -> Problem {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return .unusable("is a directory, not a database file")
        }
        if access(path, R_OK) != 0 {
            return .unusable("cannot be read: \(String(cString: strerror(errno)))")
        }
        if let e = error as? DatabaseError, e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            return .unusable("is locked by another process (\(e.message ?? "database is locked")); try again when it has finished")
        }
        let start = firstBytes(path, count: 100)
        if !start.isEmpty && !start.starts(with: header) {
            return .notSQLite("it does not start with the SQLite header")
        }
        if isWAL(path) && !directoryIsWritable(of: path) {
            return .unusable(walInReadOnlyDirectory(path))
        }
        return .notSQLite("\(error)")
    }

    static func walInReadOnlyDirectory(_ path: String) -> String {
        "is a WAL-mode database in a directory this user cannot write; SQLite needs to create "
            + "\(URL(fileURLWithPath: path).lastPathComponent)-shm beside it even to read. "
            + "Copy it somewhere writable, or convert it with `sqlite3 FILE 'PRAGMA journal_mode=DELETE'`"
    }

    /// Bytes 18 and 19 of the header are the read and write format versions; 2 means WAL.
    static func isWAL(_ path: String) -> Bool {
        let start = firstBytes(path, count: 20)
        return start.count == 20 && start.starts(with: header) && (start[18] == 2 || start[19] == 2)
    }

    static func directoryIsWritable(of path: String) -> Bool {
        access(URL(fileURLWithPath: path).deletingLastPathComponent().path, W_OK) == 0
    }

    static func firstBytes(_ path: String, count: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: count)) ?? Data())
    }
}
