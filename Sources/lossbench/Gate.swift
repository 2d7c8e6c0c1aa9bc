import ArgumentParser
import Benchmarking
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
            With --min-roofline P, a Fast standard-suite measurement of the judged run below P% of its \
            own roofline bound (bench --roofline) is a regression too. \
            Exit codes: 0 no regression; 2 a regression; 3 the history database is missing or unusable, \
            no baseline run exists, the baseline is from another machine, or --min-roofline is given for a \
            run without roofline measurements.
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

    @Option(name: .customLong("min-roofline"), help: ArgumentHelp(
        "Also a regression: a Fast measurement of the judged run below this percent of its roofline bound (e.g. 70).",
        discussion: "The run must have been recorded by bench --roofline; the bound and fraction are those of lossbench report's Roofline table.",
        valueName: "percent"))
    var minRoofline: Double?

    func validate() throws {
        guard threshold >= 0, threshold.isFinite else { throw ValidationError("--threshold must be ≥ 0, got \(threshold)") }
        if let minRoofline, !(minRoofline > 0 && minRoofline <= 1000) {
            throw ValidationError("--min-roofline must be a percentage in (0, 1000], got \(minRoofline)")
        }
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
        let floor = try minRoofline.map { try rooflineFloor(db, run: result.current, percent: $0) }
        print(Gate.text(result) + (floor?.text ?? ""), terminator: "")
        if let summary { try CLI.write(Gate.markdown(result, dashboard: dashboard) + (floor?.markdown ?? ""), to: summary) }
        if let junit { try CLI.write(Gate.junit(result), to: junit) }
        if result.hasRegression || floor?.below.isEmpty == false { throw ExitStatus.performanceRegression }
    }

    /// The judged run's Fast measurements against their roofline bounds: those below `percent`.
    func rooflineFloor(_ db: HistoryDatabase, run: RunRecord, percent: Double)
        throws -> (below: [Roofline.Row], text: String, markdown: String) {
        let ms = try HistoryCLI.run { try db.measurements(runID: run.id!) }
        guard let (_, rows) = Roofline.evaluate(ms, threads: run.threads), !rows.isEmpty else {
            throw CLI.unusable("--min-roofline: run \(run.id!) has no roofline measurements of Fast's standard suite (record one with bench --roofline)")
        }
        let below = rows.filter { $0.fraction < percent / 100 }
        let line = String(format: "roofline floor %.0f%%: %d of %d Fast measurements of run %lld below it", percent, below.count, rows.count, run.id!)
        var text = "\n" + line + "\n", markdown = "\n### Roofline floor\n\n" + line + ".\n"
        for r in below {
            let entry = String(format: "%@ %@: %.0f%% of its bound (%.3f ms, bound %.3f ms, %@)",
                               r.loss, r.pass, 100 * r.fraction, r.medianNs / 1e6, r.boundNs / 1e6, r.binding)
            text += "  below: " + entry + "\n"
            markdown += "- " + entry + "\n"
        }
        return (below, text, markdown)
    }
}
