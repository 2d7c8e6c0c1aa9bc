import ArgumentParser

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
}

/// The documented exit codes of Docs/CLI.md.
enum ExitStatus {
    static let conformanceFailure = ExitCode(1)
    static let performanceRegression = ExitCode(2)
    static let unusableInput = ExitCode(3)
}
