import ArgumentParser
import FastDispatch
import Foundation

/// `lossbench`: the LossBench command line (Docs/CLI.md).
@main
struct LossBench: ParsableCommand {
    /// The version `lossbench --version` prints.
    static let version = "1.0.0"

    static let configuration = CommandConfiguration(
        commandName: "lossbench",
        abstract: "Conformance and benchmark suite for PyTorch's 21 loss functions.",
        discussion: """
            Exit codes: 0 success; 1 conformance failure; 2 performance regression; \
            3 unusable input (missing or corrupt database, bad JSON, I/O error).
            """,
        version: version,
        subcommands: [Eval.self, Generate.self, Check.self, Show.self, Fuzz.self, Bench.self, HistoryCommand.self, GateCommand.self, Report.self]
    )

    /// Rejects a `LOSSBENCH_ISA` that names no build of Fast this process can run before any
    /// command starts (exit 64, like any invalid argument), so that no command runs, or records
    /// in the history, a build other than the one asked for.
    static func main() {
        if case .failure(let error) = FastDispatch.selection {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        main(nil)
    }
}

/// The documented exit codes of Docs/CLI.md.
enum ExitStatus {
    static let conformanceFailure = ExitCode(1)
    static let performanceRegression = ExitCode(2)
    static let unusableInput = ExitCode(3)
}
