import ArgumentParser
import Foundation
import History

/// `lossbench gate`: the performance regression gate for CI (exit 2 on a regression).
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Compare the latest run in the history with a baseline; exit 2 on a regression.",
        discussion: """
            A benchmark regressed when the latest run is slower by a Mann–Whitney U test on the raw \
            samples (one-sided, p < --alpha) AND its median is more than --threshold slower. Times are \
            divided by the run's calibration-kernel median first, so a machine that is busier as a whole \
            does not look like a regression (--raw: compare nanoseconds). Runs from different machine \
            keys are refused unless --allow-foreign-machine. \
            Exit codes: 0 no regression; 2 a regression; 3 the history database is missing or unusable, \
            no baseline run exists, or the baseline is from another machine.
            """
    )

    @OptionGroup var historyDatabase: HistoryDatabaseOption

    @Option(name: .long, help: ArgumentHelp(
        "The baseline: previous (the run before on the same machine), commit:SHA, label:NAME or run:ID.",
        valueName: "previous|commit:SHA|label:NAME|run:ID"))
    var baseline = "previous"

    @Option(name: .customLong("run"), help: ArgumentHelp("The run to judge; the latest when not given.", valueName: "id"))
    var runID: Int64?

    @Option(name: .long, help: ArgumentHelp("Regression threshold in percent of the baseline median.", valueName: "percent"))
    var threshold = 10.0

    @Option(name: .long, help: ArgumentHelp("Significance level of the rank test.", valueName: "p"))
    var alpha = 0.01

    @Flag(name: .long, help: "Use a two-sided test instead of the one-sided 'slower' test.")
    var twoSided = false

    @Flag(name: .long, help: "Compare raw nanoseconds instead of calibration-normalized times.")
    var raw = false

    @Flag(name: .long, help: "Compare with a baseline from another machine key.")
    var allowForeignMachine = false

    @Option(name: .long, help: ArgumentHelp("Write a Markdown summary to this file (- for stdout).", valueName: "file"))
    var summary: String?

    @Option(name: .long, help: ArgumentHelp("Write JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp(
        "The URL of the dashboard (lossbench report --html); the summary links each benchmark to its trend chart there.",
        valueName: "url"))
    var dashboard: String?

    func validate() throws {
        guard threshold >= 0, threshold.isFinite else { throw ValidationError("--threshold must be ≥ 0, got \(threshold)") }
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha must be in (0, 1), got \(alpha)") }
        do { _ = try Baseline(parsing: baseline) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        var settings = GateSettings()
        settings.threshold = threshold / 100
        settings.alpha = alpha
        settings.twoSided = twoSided
        settings.normalize = !raw
        settings.allowForeignMachine = allowForeignMachine
        let db = try HistoryCLI.open(historyDatabase.history)
        let base = try Baseline(parsing: baseline)
        let result = try HistoryCLI.run { try Gate.run(db, current: runID, baseline: base, settings: settings) }
        print(Gate.text(result), terminator: "")
        if let summary { try CLI.write(Gate.markdown(result, dashboard: dashboard), to: summary) }
        if let junit { try CLI.write(Gate.junit(result), to: junit) }
        if result.hasRegression { throw ExitStatus.performanceRegression }
    }
}
