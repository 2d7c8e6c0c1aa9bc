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
        let routed = isa == .avx512 ? " for binary_cross_entropy, ctc_loss, gaussian_nll_loss, kl_div, multi_margin_loss, multilabel_margin_loss, poisson_nll_loss, the avx2 build's for the other losses" : ""
        #expect(r.stdout.contains("fast: the \(isa.rawValue) build of its kernels\(routed) (from LOSSBENCH_ISA"), "\(r.stdout)")
    }

    /// LOSSBENCH_AVX512_LOSSES: a name that is no loss, or the variable on a build other than
    /// AVX-512, stops the command (exit 64); a valid set is obeyed and recorded under its own name.
    @Test func theAVX512LossSetIsCheckedAndRecorded() throws {
        let history = dir + "/history-avx512-set.sqlite"
        let bench = ["bench", "--history", history, "--loss", "l1_loss", "--pass", "forward", "--elements", "1024",
                     "--impl", "fast", "--min-samples", "2", "--max-samples", "2", "--min-time", "0"]
        let bogus = try runLossbench(bench, environment: [FastDispatch.avx512LossesVariable: "l1_loss,nope"])
        #expect(bogus.code == 64)
        #expect(bogus.stderr.contains("LOSSBENCH_AVX512_LOSSES: 'nope' is not a loss; allowed: all, none"))
        // The portable build is in every binary (the portable-only package has no other).
        let onPortable = try runLossbench(bench, environment: [FastDispatch.avx512LossesVariable: "all", FastDispatch.environmentVariable: "portable"])
        #expect(onPortable.code == 64)
        #expect(onPortable.stderr.contains("applies to the avx512 build only; this process runs the portable build"))
        #expect(!FileManager.default.fileExists(atPath: history))
        guard FastDispatch.runnable.contains(.avx512) else { return }
        let r = try runLossbench(bench, environment: [FastDispatch.avx512LossesVariable: "MSELoss, l1_loss", FastDispatch.environmentVariable: "avx512"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("fast: the avx512 build of its kernels for l1_loss, mse_loss, the avx2 build's for the other losses"))
        let recorded = try DatabaseQueue(path: history).read { db in try String.fetchAll(db, sql: "SELECT isa FROM runs") }
        #expect(recorded == ["avx512[l1_loss,mse_loss]"])
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
