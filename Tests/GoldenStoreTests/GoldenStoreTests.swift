import Foundation
import GRDB
import Testing
import LossSpec
@testable import GoldenStore

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func fipsVectors(message: String, digest: String) {
        var h = SHA256()
        h.update(message)
        #expect(h.finalizeHex() == digest)
    }

    @Test func millionA() {
        var h = SHA256()
        h.update([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(h.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lossbench-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}

func sampleCases() -> [GoldenCase] {
    [
        GoldenCase(name: "mse_loss/random/000", loss: "mse_loss", options: ["reduction": .string("sum")],
                   family: .random, seed: 7, expectError: nil, note: nil,
                   inputs: ["input": .float64(Tensor(shape: [2], scalars: [0.5, -.infinity])),
                            "target": .float64(Tensor(shape: [2], scalars: [.nan, 2])),
                            "grad_output": .float64(Tensor(scalar: 1.5))],
                   expected: ["output": Tensor(scalar: .nan), "grad_input": Tensor(shape: [2], scalars: [-0.0, 3])],
                   scales: ["output": Tensor(scalar: 1), "grad_input": Tensor(shape: [2], scalars: [1, 1])]),
        GoldenCase(name: "nll_loss/error/000", loss: "nll_loss", options: ["reduction": .string("avg")],
                   family: .error, seed: nil, expectError: .invalidReduction, note: "reduction: 'avg'",
                   inputs: ["input": .float64(Tensor(shape: [1, 3], scalars: [0, 1, 2])),
                            "target": .int64(Tensor(shape: [1], scalars: [Int64.max]))]),
    ]
}

@Suite struct GoldenDatabaseTests {
    @Test func roundTripPreservesEveryBitAndDigest() throws {
        let path = temporaryPath("golden.sqlite")
        let digest = try GoldenDatabase.write(sampleCases(), meta: ["seed": "7"], to: path)
        let file = try GoldenDatabase.read(path)
        #expect(file.meta["content_sha256"] == digest)
        #expect(file.meta["format"] == "lossbench-golden")
        #expect(file.meta["format_version"] == "1")
        #expect(file.meta["seed"] == "7")
        #expect(file.cases.count == 2)
        #expect(GoldenDatabase.contentDigest(file.cases) == digest)
        let c = try #require(file.cases.first { $0.name == "mse_loss/random/000" })
        // NaN and −0.0 survive bit-exactly.
        #expect(c.expected["output"]?.scalars[0].isNaN == true)
        #expect(c.expected["grad_input"]?.scalars[0].sign == .minus)
        #expect(c.scales["output"]?.scalars == [1])
        let e = try #require(file.cases.first { $0.family == .error })
        #expect(e.expectError == .invalidReduction)
        #expect(e.inputs["target"] == .int64(Tensor(shape: [1], scalars: [Int64.max])))
        #expect(e.options["reduction"] == .string("avg"))
    }

    @Test func digestIgnoresOrderButNotContent() {
        let cases = sampleCases()
        #expect(GoldenDatabase.contentDigest(cases) == GoldenDatabase.contentDigest(cases.reversed()))
        var changed = cases
        changed[0].expected["grad_input"] = Tensor(shape: [2], scalars: [0.0, 3])  // −0.0 → +0.0
        #expect(GoldenDatabase.contentDigest(changed) != GoldenDatabase.contentDigest(cases))
    }

    @Test func missingFile() {
        #expect { try GoldenDatabase.read("/nonexistent/golden.sqlite") } throws: {
            if case .missing = $0 as? GoldenStoreError { return true } else { return false }
        }
    }

    @Test func notSQLite() throws {
        let path = temporaryPath("junk.sqlite")
        try Data("this is not a database, just some text that is long enough".utf8).write(to: URL(fileURLWithPath: path))
        #expect { try GoldenDatabase.read(path) } throws: {
            if case .notSQLite = $0 as? GoldenStoreError { return true } else { return false }
        }
    }

    @Test func foreignAndWrongVersion() throws {
        let foreign = temporaryPath("foreign.sqlite")
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect { try GoldenDatabase.read(foreign) } throws: {
            if case .foreign = $0 as? GoldenStoreError { return true } else { return false }
        }
        let v2 = temporaryPath("v2.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: v2)
        try DatabaseQueue(path: v2).write { try $0.execute(sql: "UPDATE meta SET value = '2' WHERE key = 'format_version'") }
        #expect { try GoldenDatabase.read(v2) } throws: {
            if case .wrongVersion(_, let found) = $0 as? GoldenStoreError { return found == "2" } else { return false }
        }
    }

    @Test func float32InexactInputIsRefused() throws {
        var cases = sampleCases()
        cases[0].inputs["input"] = .float64(Tensor(shape: [2], scalars: [0.1, 1]))
        let path = temporaryPath("inexact.sqlite")
        try GoldenDatabase.write(cases, meta: [:], to: path)
        #expect { try GoldenDatabase.read(path) } throws: {
            "\($0)".contains("Float32") && "\($0)".contains("mse_loss/random/000")
        }
    }

    @Test func truncatedDataIsCorrupt() throws {
        let path = temporaryPath("trunc.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        try DatabaseQueue(path: path).write {
            try $0.execute(sql: "UPDATE tensors SET data = substr(data, 1, 4) WHERE role = 'input'")
        }
        #expect { try GoldenDatabase.read(path) } throws: {
            if case .corrupt = $0 as? GoldenStoreError { return true } else { return false }
        }
    }

    /// A database whose output rows were deleted used to check as "passed": a case that must
    /// evaluate but has nothing to compare is corrupt. Error cases need no outputs.
    @Test(arguments: ["DELETE FROM tensors WHERE io = 'out'", "DELETE FROM tensors WHERE role = 'output'"])
    func caseWithoutExpectedOutputIsCorrupt(_ edit: String) throws {
        let path = temporaryPath("no-output.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        try DatabaseQueue(path: path).write { try $0.execute(sql: edit) }
        #expect { try GoldenDatabase.read(path) } throws: {
            guard case .corrupt(_, let detail) = $0 as? GoldenStoreError else { return false }
            return detail.contains("mse_loss/random/000") && detail.contains("no expected output")
        }
        // The error case alone is still a valid database.
        try DatabaseQueue(path: path).write { try $0.execute(sql: "DELETE FROM cases WHERE name = 'mse_loss/random/000'") }
        #expect(try GoldenDatabase.read(path).cases.map(\.name) == ["nll_loss/error/000"])
    }

    /// A killed writer's temporary database and journal (4–8 MB each) are removed by the next
    /// write to the same path; a live process's temporary is not touched.
    @Test func staleTemporariesOfKilledWritersAreRemoved() throws {
        let path = temporaryPath("g.sqlite")
        let dir = (path as NSString).deletingLastPathComponent
        // PID 2^22 + 1 is above Linux's pid_max default and never runs; PID 1 always does.
        let stale = [dir + "/.g.sqlite.tmp-4194305", dir + "/.g.sqlite.tmp-4194305-journal"]
        let live = dir + "/.g.sqlite.tmp-1"
        for f in stale + [live] { FileManager.default.createFile(atPath: f, contents: Data([1, 2, 3])) }
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        for f in stale { #expect(!FileManager.default.fileExists(atPath: f), "\(f) left behind") }
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(try GoldenDatabase.read(path).cases.count == 2)
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFile() throws {
        let path = temporaryPath("atomic.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // A write into a missing directory fails before touching anything.
        #expect(throws: GoldenStoreError.self) {
            try GoldenDatabase.write(sampleCases(), meta: [:], to: "/nonexistent-dir/x.sqlite")
        }
        // Overwriting replaces the file whole, and no temporary is left behind.
        try GoldenDatabase.write(Array(sampleCases().prefix(1)), meta: [:], to: path)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["atomic.sqlite"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before)
        #expect(try GoldenDatabase.read(path).cases.count == 1)
    }

    @Test func appendKeepsExistingCasesAndRejectsDuplicates() throws {
        let path = temporaryPath("append.sqlite")
        let cases = sampleCases()
        try GoldenDatabase.write([cases[0]], meta: ["seed": "1"], to: path)
        try GoldenDatabase.append([cases[1]], to: path)
        let file = try GoldenDatabase.read(path)
        #expect(file.cases.map(\.name).sorted() == cases.map(\.name).sorted())
        #expect(file.meta["content_sha256"] == GoldenDatabase.contentDigest(cases))
        #expect(file.meta["seed"] == "1")
        #expect(throws: GoldenStoreError.self) { try GoldenDatabase.append([cases[1]], to: path) }
    }
}

@Suite struct CanonicalNaNTests {
    @Test func nanSignAndPayloadDoNotReachTheBytesOrTheDigest() {
        let negative = Double(bitPattern: 0xFFF8_0000_0000_0000)
        let payload = Double(bitPattern: 0x7FF8_0000_0000_1234)
        let a = TensorCoding.bytes(.float64(Tensor(shape: [3], scalars: [1, negative, payload])))
        let b = TensorCoding.bytes(.float64(Tensor(shape: [3], scalars: [1, .nan, .nan])))
        #expect(a == b)
        #expect(a.count == 24)
    }
}

/// A directory, a locked database, a file without read permission and a WAL database in a
/// read-only directory were all "not an SQLite database".
@Suite struct UnreadableFileMessageTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "(no error)" } catch { return "\(error)" }
    }

    @Test func aDirectoryIsCalledADirectory() throws {
        let dir = temporaryPath("a-directory.sqlite")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let m = message { _ = try GoldenDatabase.read(dir) }
        #expect(m.contains("is a directory"), "\(m)")
        #expect(!m.contains("not an SQLite database"), "\(m)")
    }

    @Test func junkIsNotSQLiteAndSaysWhy() throws {
        let path = temporaryPath("junk2.sqlite")
        try Data(String(repeating: "not a database ", count: 20).utf8).write(to: URL(fileURLWithPath: path))
        let m = message { _ = try GoldenDatabase.read(path) }
        #expect(m.contains("not an SQLite database") && m.contains("SQLite header"), "\(m)")
    }

    @Test func lockedIsCalledLocked() throws {
        let path = temporaryPath("locked.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        let busy = DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked")
        let problem = SQLiteFile.diagnose(path, error: busy)
        guard case .unusable(let reason) = problem else { Issue.record("\(problem)"); return }
        #expect(reason.contains("locked by another process"))
    }

    /// A writer holding an exclusive lock for a moment makes the reader wait, not fail.
    @Test func aReaderWaitsForAShortWriter() async throws {
        let path = temporaryPath("briefly-locked.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: path)
        let writer = try DatabaseQueue(path: path)
        let started = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? writer.inDatabase { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                started.signal()
                Thread.sleep(forTimeInterval: 0.5)
                try db.execute(sql: "COMMIT")
            }
        }
        holder.start()
        started.wait()
        let file = try GoldenDatabase.read(path)
        #expect(file.cases.count == sampleCases().count)
    }

    @Test func walInAReadOnlyDirectoryIsExplained() throws {
        let path = temporaryPath("wal.sqlite")
        try? FileManager.default.removeItem(atPath: path)
        let q = try DatabaseQueue(path: path)
        try q.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode=WAL")
            try db.execute(sql: "CREATE TABLE t (x)")
        }
        try q.close()
        #expect(SQLiteFile.isWAL(path))
        let rollback = temporaryPath("rollback.sqlite")
        try GoldenDatabase.write(sampleCases(), meta: [:], to: rollback)
        #expect(!SQLiteFile.isWAL(rollback))
        let m = SQLiteFile.walInReadOnlyDirectory(path)
        #expect(m.contains("wal.sqlite-shm") && m.contains("journal_mode=DELETE"))
        // Root writes anywhere; as another user, a read-only directory gives the explanation.
        if getuid() != 0 {
            let dir = temporaryPath("ro-dir")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let inside = dir + "/wal.sqlite"
            try? FileManager.default.removeItem(atPath: inside)
            try FileManager.default.copyItem(atPath: path, toPath: inside)
            chmod(dir, 0o555)
            defer { chmod(dir, 0o755) }
            let e = message { _ = try GoldenDatabase.read(inside) }
            #expect(e.contains("WAL-mode"), "\(e)")
        }
    }

    @Test func aReadOnlyOutputDirectoryIsNamed() throws {
        guard getuid() != 0 else { return }  // root writes anywhere
        let dir = temporaryPath("ro-out")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o555)
        defer { chmod(dir, 0o755) }
        let m = message { _ = try GoldenDatabase.write(sampleCases(), meta: [:], to: dir + "/g.sqlite") }
        #expect(m.contains("cannot create files in directory"), "\(m)")
    }
}
