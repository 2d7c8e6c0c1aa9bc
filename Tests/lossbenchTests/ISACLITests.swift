import Foundation
import Testing
import GRDB
import FastABI
import FastDispatch

/// `lossbench` under `LOSSBENCH_ISA`: a value naming no runnable build stops every command before
/// it starts, a valid one is obeyed, said in the output and recorded with the run.
@Suite(.serialized) struct ISACLITests {
    let dir = scratchDirectory()

    /// Runs the built executable with `LOSSBENCH_ISA=isa`: exit code, stdout, stderr.
    func run(isa: String, _ arguments: [String]) throws -> (code: Int32, stdout: String, stderr: String) {
        try runLossbench(arguments, environment: [FastDispatch.environmentVariable: isa])
    }

    @Test func aBadValueIsAUsageErrorBeforeAnythingIsWritten() throws {
        let db = dir + "/never.sqlite", junit = dir + "/never.xml"
        let unknown = try run(isa: "sse9", ["generate", "--out", db, "--loss", "mse_loss"])
        #expect(unknown.code == 64)
        #expect(unknown.stderr.contains("error: LOSSBENCH_ISA='sse9' is not an instruction set; allowed: avx512, avx2, portable"))
        #expect(!FileManager.default.fileExists(atPath: db))
        for isa in ISA.allCases where !FastDispatch.runnable.contains(isa) {
            let refused = try run(isa: isa.rawValue, ["check", "--db", db, "--impl", "fast", "--junit", junit])
            #expect(refused.code == 64)
            #expect(refused.stderr.contains("LOSSBENCH_ISA=\(isa.rawValue)"))
            #expect(!FileManager.default.fileExists(atPath: junit))
        }
    }

    @Test(arguments: FastDispatch.runnable)
    func checkRunsAndNamesTheBuild(_ isa: ISA) throws {
        let db = dir + "/golden-\(isa.rawValue).sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "binary_cross_entropy", "--seed", "3"]) == 0)
        let r = try run(isa: isa.rawValue, ["check", "--db", db, "--impl", "fast"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("fast: the \(isa.rawValue) build of its kernels (from LOSSBENCH_ISA"))
    }

    @Test(arguments: FastDispatch.runnable)
    func benchRecordsTheBuildWithTheRun(_ isa: ISA) throws {
        let history = dir + "/history-\(isa.rawValue).sqlite"
        let r = try run(isa: isa.rawValue, ["bench", "--history", history, "--loss", "l1_loss", "--pass", "forward",
                                            "--elements", "1024", "--impl", "fast", "--min-samples", "2",
                                            "--max-samples", "2", "--min-time", "0"])
        #expect(r.code == 0, "\(r.stderr)")
        let recorded = try DatabaseQueue(path: history).read { db in
            (try String.fetchAll(db, sql: "SELECT isa FROM runs"),
             try String.fetchAll(db, sql: "SELECT DISTINCT isa FROM measurement_runs"))
        }
        #expect(recorded.0 == [isa.rawValue] && recorded.1 == [isa.rawValue])
    }
}
