import ArgumentParser
import Foundation
import Testing
import GoldenStore
@testable import lossbench

@Suite(.serialized) struct FuzzCLITests {
    let dir = scratchDirectory()

    @Test func exitCodesFollowTheDesign() throws {
        // No finding on a small budget of losses the real implementations agree on.
        #expect(exitCode(["fuzz", "--seed", "20", "--cases", "20", "--loss", "mse_loss", "--max-elements", "500"]) == 0)
        // An unusable --save database is exit 3, before any fuzzing.
        #expect(exitCode(["fuzz", "--cases", "1", "--save", dir + "/missing.sqlite"]) == 3)
        let junk = dir + "/junk.sqlite"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(exitCode(["fuzz", "--cases", "1", "--save", junk]) == 3)
        // A usable one is left alone when there is nothing to save.
        let db = dir + "/g.sqlite"
        #expect(exitCode(["generate", "--out", db, "--loss", "mse_loss"]) == 0)
        #expect(exitCode(["fuzz", "--cases", "5", "--loss", "mse_loss", "--max-elements", "100", "--save", db]) == 0)
        // Argument errors keep swift-argument-parser's code.
        #expect(exitCode(["fuzz", "--replay", "not-a-token"]) == ExitCode.validationFailure.rawValue)
        #expect(exitCode(["fuzz", "--property", "nope"]) == ExitCode.validationFailure.rawValue)
        #expect(exitCode(["fuzz", "--threads", "0"]) == ExitCode.validationFailure.rawValue)
    }

    @Test func replayReportsTheCase() {
        // A valid MSE case: every property holds → 0. A case whose 'sum' the Reference computes
        // correctly cannot fail; an intentionally failing token needs a buggy implementation, which
        // the Runner tests cover.
        let token = "lbz1." + Data(#"{"inputs":{"input":{"data":[1,2],"dtype":"float64","shape":[2]},"target":{"data":[0,0],"dtype":"float64","shape":[2]}},"loss":"mse_loss","options":{"reduction":"sum"}}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(exitCode(["fuzz", "--replay", token]) == 0)
    }
}
