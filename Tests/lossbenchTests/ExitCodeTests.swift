import ArgumentParser
import Foundation
import GRDB
import Testing
import GoldenStore
import Conformance
import Fuzzing
import Implementations
@testable import lossbench

/// Runs a subcommand in-process and returns its exit code (Docs/CLI.md).
func exitCode(_ arguments: [String]) -> Int32 {
    do {
        var command = try LossBench.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch {
        return LossBench.exitCode(for: error).rawValue
    }
}

func scratchDirectory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lossbench-cli-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite(.serialized) struct ExitCodeTests {
    let dir = scratchDirectory()

    @Test func intactPerturbedMissingAndNonSQLite() throws {
        let db = dir + "/golden.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss", "--seed", "9"]) == 0)
        #expect(exitCode(["check", "--db", db]) == 0)

        // Perturb one expected output by one part in 10⁹: far beyond the Reference's budget.
        let perturbed = dir + "/perturbed.sqlite"
        try FileManager.default.copyItem(atPath: db, toPath: perturbed)
        try DatabaseQueue(path: perturbed).write { db in
            let row = try Row.fetchOne(db, sql: "SELECT case_id, data FROM tensors WHERE role = 'output' AND length(data) = 8 LIMIT 1")!
            let data: Data = row["data"]
            var value = data.withUnsafeBytes { $0.load(as: Double.self) }
            value = value == 0 ? 1 : value * (1 + 1e-9)
            try db.execute(sql: "UPDATE tensors SET data = ? WHERE case_id = ? AND role = 'output'",
                           arguments: [withUnsafeBytes(of: value) { Data($0) }, row["case_id"] as Int64])
        }
        #expect(exitCode(["check", "--db", perturbed]) == 1)

        #expect(exitCode(["check", "--db", dir + "/missing.sqlite"]) == 3)
        let junk = dir + "/junk.sqlite"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(exitCode(["check", "--db", junk]) == 3)
        let foreign = dir + "/foreign.sqlite"
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE meta (key TEXT, value TEXT)") }
        #expect(exitCode(["check", "--db", foreign]) == 3)
    }

    /// `--worst N` lists each loss's N worst cases, the worst first, with the element that made them.
    @Test func worstListsTheLargestErrors() throws {
        let db = dir + "/w.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss", "--loss", "l1_loss", "--seed", "3"]) == 0)
        #expect(exitCode(["check", "--db", db, "--impl", "fast", "--worst", "2"]) == 0)
        #expect(exitCode(["check", "--db", db, "--worst", "-1"]) == ExitCode.validationFailure.rawValue)

        let command = try Check.parse(["--db", db, "--impl", "fast", "--worst", "2"])
        let report = Checker.run(try GoldenDatabase.read(db), database: db, implementations: [Builtins.fast])
        let text = command.text(report)
        #expect(text.contains("worst cases"))
        for loss in ["mse_loss", "l1_loss"] {
            let expected = report.outcomes.filter { $0.loss == loss && $0.worst != nil }.sorted { $0.maxError > $1.maxError }
            let worstTable = text.components(separatedBy: "worst cases").last ?? ""
            let listed = worstTable.split(separator: "\n").filter { $0.hasPrefix(loss + " ") }.map(String.init)
            #expect(listed.count == 2)
            // The first listed is the loss's worst case; its worst element carries the case's max error.
            #expect(listed.first?.contains(expected[0].caseName + " ") == true)
            #expect(expected[0].worst?.normalizedError == expected[0].maxError)
        }
    }

    @Test func verifyDetectsAnyEditToTheVectors() throws {
        let db = dir + "/v.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss", "--seed", "4"]) == 0)
        #expect(exitCode(["generate", "--verify", db]) == 0)
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE cases SET note = 'edited' WHERE id = 1") }
        #expect(exitCode(["generate", "--verify", db]) == 1)
        #expect(exitCode(["generate", "--verify", dir + "/none.sqlite"]) == 3)
    }

    /// No vacuous pass: deleted expected outputs make the database unusable (3), and a selection
    /// that matches no case fails the check (1) instead of reporting "0 passed, 0 failed".
    @Test func aCheckThatComparesNothingDoesNotPass() throws {
        let db = dir + "/vacuous.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "l1_loss", "--seed", "4"]) == 0)
        #expect(exitCode(["check", "--db", db, "--impl", "reference"]) == 0)
        #expect(exitCode(["check", "--db", db, "--impl", "reference", "--loss", "mse_loss"]) == 1)
        try DatabaseQueue(path: db).write { try $0.execute(sql: "DELETE FROM tensors WHERE io = 'out'") }
        #expect(exitCode(["check", "--db", db, "--impl", "reference"]) == 3)
    }

    /// Outputs are renamed into place, which would replace a device, FIFO, directory or symlink at
    /// the path (as root, `generate --out /dev/null` turned the device into a database). Such
    /// targets are refused with exit 3 and left as they were. The device is a private node.
    @Test func writesRefuseTargetsThatAreNotRegularFiles() throws {
        let db = dir + "/ok.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "l1_loss", "--seed", "4"]) == 0)
        let fifo = dir + "/fifo", link = dir + "/link", folder = dir + "/folder", device = dir + "/full"
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: db)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var targets = [fifo, link, folder]
        if mknod(device, S_IFCHR | 0o600, dev_t(1 << 8 | 7)) == 0 { targets.append(device) }  // needs root
        func kind(_ path: String) -> mode_t {
            var st = stat()
            return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
        }
        for target in targets {
            let before = kind(target)
            #expect(exitCode(["generate", "--out", target, "--loss", "l1_loss", "--seed", "4"]) == 3, "\(target)")
            #expect(exitCode(["check", "--db", db, "--impl", "reference", "--junit", target]) == 3, "\(target)")
            #expect(kind(target) == before, "\(target) was replaced")
        }
        #expect(kind(device) == 0 || kind(device) == S_IFCHR)
        // "-" still means standard output, and a regular file is overwritten.
        #expect(exitCode(["check", "--db", db, "--impl", "reference", "--junit", dir + "/j.xml"]) == 0)
        #expect(exitCode(["check", "--db", db, "--impl", "reference", "--junit", dir + "/j.xml"]) == 0)
    }

    @Test func junitFileIsWritten() throws {
        let db = dir + "/j.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss"]) == 0)
        #expect(exitCode(["check", "--db", db, "--junit", dir + "/junit.xml"]) == 0)
        let xml = try String(contentsOfFile: dir + "/junit.xml", encoding: .utf8)
        #expect(xml.hasPrefix("<?xml") && xml.contains("<testsuite name=\"mse_loss\""))
    }

    @Test func argumentErrorsKeepArgumentParsersCode() {
        #expect(exitCode(["check", "--impl", "nonexistent"]) == ExitCode.validationFailure.rawValue)
        #expect(exitCode(["check", "--loss", "not_a_loss"]) == ExitCode.validationFailure.rawValue)
    }

    @Test func showUnknownCaseIsUnusableInput() {
        let db = dir + "/s.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss"]) == 0)
        #expect(exitCode(["show", "mse_loss/random/shapes/000", "--db", db]) == 0)
        #expect(exitCode(["show", "nope/000", "--db", db]) == 3)
    }

    @Test func generateIntoMissingDirectoryIsUnusableAndWritesNothing() {
        #expect(exitCode(["generate", "--out", "/nonexistent-dir/g.sqlite", "--loss", "mse_loss"]) == 3)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-dir"))
    }
}
