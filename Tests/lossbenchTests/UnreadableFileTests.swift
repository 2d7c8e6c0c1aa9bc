import Foundation
import GRDB
import Testing

/// Runs `lossbench ARGS` as an unprivileged user (root reads and writes past every permission bit,
/// so the messages for a file without read permission or a read-only directory are only seen by
/// another user). Returns the exit code and standard error.
func runUnprivileged(_ arguments: [String], in dir: String) throws -> (code: Int32, stderr: String) {
    // A copy of the binary inside the scratch directory, where the other user can execute it.
    let binary = dir + "/lossbench"
    if !FileManager.default.fileExists(atPath: binary) {
        try FileManager.default.copyItem(atPath: try lossbenchExecutable().path, toPath: binary)
    }
    let process = Process()
    if getuid() == 0 {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
    }
    let err = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = err
    try process.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A directory, a file without read permission, a WAL database in a read-only directory and a
/// read-only output directory each say what they are (they said "not an SQLite database" or
/// "unable to open database file"), with exit code 3.
@Suite(.serialized, .enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct UnreadableFileTests {
    let dir: String

    init() throws {
        dir = scratchDirectory()
        chmod(dir, 0o755)
        #expect(exitCode(["generate", "--out", dir + "/golden.sqlite", "--loss", "mse_loss", "--seed", "3"]) == 0)
        chmod(dir + "/golden.sqlite", 0o644)
    }

    @Test func withoutReadPermission() throws {
        let path = dir + "/secret.sqlite"
        try FileManager.default.copyItem(atPath: dir + "/golden.sqlite", toPath: path)
        chmod(path, 0o000)
        let (code, stderr) = try runUnprivileged(["check", "--db", path], in: dir)
        #expect(code == 3)
        #expect(stderr.contains("cannot be read: Permission denied"), "\(stderr)")
        #expect(!stderr.contains("not an SQLite database"), "\(stderr)")
    }

    @Test func walInAReadOnlyDirectory() throws {
        let ro = dir + "/readonly"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        let path = ro + "/golden.sqlite"
        try FileManager.default.copyItem(atPath: dir + "/golden.sqlite", toPath: path)
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { _ = try String.fetchOne($0, sql: "PRAGMA journal_mode=WAL") }
        try q.close()
        chmod(path, 0o644)
        chmod(ro, 0o555)
        let (code, stderr) = try runUnprivileged(["check", "--db", path], in: dir)
        #expect(code == 3)
        #expect(stderr.contains("WAL-mode database in a directory this user cannot write"), "\(stderr)")
        // The same file in a writable directory reads fine.
        chmod(ro, 0o777)
        #expect(try runUnprivileged(["check", "--db", path], in: dir).code == 0)
    }

    @Test func generateIntoAReadOnlyDirectory() throws {
        let ro = dir + "/readonly-out"
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        chmod(ro, 0o555)
        let (code, stderr) = try runUnprivileged(["generate", "--out", ro + "/g.sqlite", "--loss", "mse_loss"], in: dir)
        #expect(code == 3)
        #expect(stderr.contains("cannot create files in directory \(ro)"), "\(stderr)")
    }

    @Test func aDirectoryAsDatabaseAndAsHistory() throws {
        let sub = dir + "/not-a-file.sqlite"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        for arguments in [["check", "--db", sub], ["history", "--history", sub], ["show", "mse_loss/random/000", "--db", sub]] {
            let (code, stderr) = try runUnprivileged(arguments, in: dir)
            #expect(code == 3, "\(arguments)")
            #expect(stderr.contains("is a directory"), "\(arguments): \(stderr)")
        }
    }
}
