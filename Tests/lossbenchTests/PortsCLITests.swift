import Foundation
import Testing
@testable import lossbench

/// The CLI around ports: `report --ports` and `check --junit-directory`, their argument errors
/// and exit codes, with the standard-library port of Ports/README.md.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct PortsCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let dir = scratchDirectory()

    @Test func reportPortsArgumentErrors() {
        #expect(exitCode(["report", "--ports", "fast"]) == 64)
        #expect(exitCode(["report", "--ports", "port:minimal", "--no-conformance"]) == 64)
        #expect(exitCode(["report", "--ports", "port:minimal,port:minimal"]) == 64)
    }

    @Test func reportWritesPortsMarkdown() throws {
        let db = dir + "/golden.sqlite", history = dir + "/history.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss", "--seed", "4"]) == 0)
        #expect(exitCode(["bench", "--history", history, "--loss", "mse_loss", "--impl", "fast", "--min-samples", "3", "--max-samples", "3", "--min-time", "0"]) == 0)
        // A port that cannot be started is exit 3, and nothing is written.
        #expect(exitCode(["report", "--db", db, "--history", history, "--out", dir + "/r0", "--ports", "port:nonexistent",
                          "--ports-directory", Self.root + "/Ports"]) == 3)
        #expect(!FileManager.default.fileExists(atPath: dir + "/r0"))
        #expect(exitCode(["report", "--db", db, "--history", history, "--out", dir + "/r", "--ports", "port:minimal",
                          "--ports-directory", Self.root + "/Ports"]) == 0)
        let md = try String(contentsOfFile: dir + "/r/ports.md", encoding: .utf8)
        #expect(md.contains("| port:minimal | python 3"))
        #expect(md.contains("| mse_loss |"))
        #expect(md.contains("None: every case it supports passes."))
    }

    @Test func junitDirectoryWritesOneFilePerImplementation() throws {
        let db = dir + "/golden.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "l1_loss", "--seed", "4"]) == 0)
        #expect(exitCode(["check", "--db", db, "--impl", "reference,port:minimal", "--ports-directory", Self.root + "/Ports",
                          "--junit-directory", dir + "/junit"]) == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/junit").sorted()
        #expect(files == ["port-minimal.xml", "reference.xml"])
        let port = try String(contentsOfFile: dir + "/junit/port-minimal.xml", encoding: .utf8)
        #expect(port.contains(#"name="lossbench check port:minimal""#) && !port.contains("[reference]"))
        #expect(exitCode(["check", "--db", db, "--junit-directory", db]) == 3)
    }
}
