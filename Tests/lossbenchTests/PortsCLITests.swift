import Foundation
import Testing
import GRDB
import Ports
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

    /// `bench --threads N` starts a port with LOSSBENCH_PORT_THREADS=N (the port below refuses to
    /// load anything otherwise, so no measurement would be recorded) and records its threads;
    /// a command that sets the variable itself keeps its own.
    @Test func benchGivesPortsItsThreadsAndRecordsThem() throws {
        let script = dir + "/threads_port.py", history = dir + "/threads.sqlite"
        try """
            import os, sys
            sys.path.insert(0, \(String(reflecting: Self.root + "/Ports")))
            import losses
            hello = {"op": "hello", "protocol": 1, "name": "threads", "framework": "none", "dtype": "float32",
                     "device": "cpu", "losses": ["l1_loss"], "gradients": False}
            def load(case):
                if os.environ.get("LOSSBENCH_PORT_THREADS") != "2":
                    raise RuntimeError("LOSSBENCH_PORT_THREADS is " + repr(os.environ.get("LOSSBENCH_PORT_THREADS")))
                return lambda: None
            losses.serve(hello, lambda case: {"error": {"kind": "unsupported", "message": "timing only"}}, load)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        #expect(exitCode(["bench", "--history", history, "--loss", "l1_loss", "--pass", "forward", "--elements", "1024",
                          "--impl", "fast", "--port", "threads=python3 \(script)", "--threads", "2",
                          "--min-samples", "2", "--max-samples", "2", "--min-time", "0"]) == 0)
        let threads = try DatabaseQueue(path: history).read { db in
            try Int.fetchAll(db, sql: "SELECT threads FROM measurements WHERE impl = 'threads'")
        }
        #expect(threads == [2])
        #expect(PortImplementation.command(["python3", "p.py"], threads: 2) == ["LOSSBENCH_PORT_THREADS=2", "python3", "p.py"])
        let own = ["LOSSBENCH_PORT_THREADS=4", "python3", "p.py"]
        #expect(PortImplementation.command(own, threads: 2) == own)
        #expect(PortImplementation.threads(of: own) == 4 && PortImplementation.threads(of: ["python3"]) == 1)
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
