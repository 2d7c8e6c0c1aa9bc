import Foundation
import Testing
@testable import lossbench

/// `gate --min-roofline`: a Fast measurement below the floor of its own roofline bound is a
/// regression (exit 2), and a run without roofline measurements cannot be judged by it (exit 3).
@Suite(.serialized)
struct GateRooflineTests {
    let dir = scratchDirectory()

    @Test func theRooflineFloorGates() throws {
        let history = dir + "/history.sqlite", summary = dir + "/gate.md"
        let bench = ["bench", "--history", history, "--loss", "l1_loss", "--pass", "forward", "--impl", "fast",
                     "--threads", "2", "--min-samples", "2", "--max-samples", "2", "--min-time", "0"]
        #expect(exitCode(bench + ["--roofline"]) == 0)
        #expect(exitCode(bench + ["--roofline"]) == 0)
        // Two samples a side can never make a significant slowdown, so only the floor decides.
        #expect(exitCode(["gate", "--history", history, "--min-roofline", "0.001"]) == 0)
        #expect(exitCode(["gate", "--history", history, "--min-roofline", "1000", "--summary", summary]) == 2)
        let md = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(md.contains("### Roofline floor") && md.contains("1 of 1 Fast measurements of run 2 below it")
                && md.contains("- l1_loss forward: "), "\(md)")
        // A run recorded without --roofline has no bounds to hold it to.
        #expect(exitCode(bench) == 0)
        #expect(exitCode(["gate", "--history", history, "--min-roofline", "70"]) == 3)
        #expect(exitCode(["gate", "--history", history]) == 0)
        for bad in ["0", "-5", "nan", "1001"] {
            #expect(exitCode(["gate", "--history", history, "--min-roofline", bad]) == 64, "\(bad)")
        }
    }
}
