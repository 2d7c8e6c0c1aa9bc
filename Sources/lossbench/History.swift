import ArgumentParser
import FastDispatch
import Foundation
import History
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench history`: the history database's trends (the default) and merging histories.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the timing trend from the history database, or merge histories into it.",
        discussion: """
            `lossbench history [trend] …` shows the trend (the default subcommand); `lossbench history \
            merge FILE…` copies other history files' runs into it.
            """,
        subcommands: [HistoryTrend.self, HistoryMerge.self],
        defaultSubcommand: HistoryTrend.self
    )
}

/// `lossbench history trend`: trends per loss/impl from the history database.
struct HistoryTrend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Show the timing trend per loss and implementation from the history database.",
        discussion: """
            One row per benchmark and run (standard suite by default), oldest first, with the change \
            against the previous run of the same benchmark and against the best run so far. Changes \
            use calibration-normalized medians (--raw: nanoseconds). Exit 3 if the history database \
            is missing or unusable. For anything else, query it with SQL (Reports/README.md).
            """
    )

    @OptionGroup var historyDatabase: HistoryDatabaseOption
    @OptionGroup var lossSelection: LossSelection

    @Option(name: .long, help: ArgumentHelp("Only these implementations, comma-separated (baseline: the plain sum of --suite bandwidth).",
                                            valueName: "impl,..."))
    var impl: CommaSeparated<RecordedImplementation>?

    @Option(name: .long, help: ArgumentHelp("Only these passes, comma-separated.", valueName: "pass,..."))
    var pass: CommaSeparated<BenchPass>?

    @Option(name: .long, help: ArgumentHelp("Only runs whose machine key contains this text; 'this' for the current machine.",
                                            valueName: "text"))
    var machine: String?

    @Option(name: .long, help: ArgumentHelp("Only runs started at or after this UTC date or time (2025-01-31 or 2025-01-31T12:00).",
                                            valueName: "date"))
    var since: String?

    @Option(name: .long, help: "The suite whose measurements are shown.")
    var suite: Suite = .standard

    @Option(name: .long, help: "Output: a table, CSV, or one JSON object per line.")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Compute changes on raw nanoseconds instead of calibration-normalized times.")
    var raw = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func validate() throws {
        if let since, since.count < 4 || !since.first!.isNumber {
            throw ValidationError("--since takes an ISO 8601 date or time such as 2025-01-31, got '\(since)'")
        }
    }

    func run() throws {
        let db = try HistoryCLI.open(historyDatabase.history)
        var filter = TrendFilter()
        filter.losses = Set(try lossSelection.losses.map(\.rawValue))
        filter.impls = Set(impl?.elements.map(\.name) ?? [])
        filter.passes = Set(pass?.elements.map(\.rawValue) ?? [])
        filter.machine = machine == "this" ? MachineKey.current.key : machine
        filter.since = since
        filter.suite = suite.rawValue
        let points = try HistoryCLI.run { try Trend.points(db, filter, normalized: !raw) }
        switch format {
        case .table: print(Trend.table(points), terminator: "")
        case .csv: print(Trend.csv(points), terminator: "")
        case .json: print(HistoryJSON.lines(points), terminator: "")
        }
    }
}

/// History access for the subcommands: every `HistoryError` is unusable input (exit 3).
enum HistoryCLI {
    static func open(_ path: String) throws -> HistoryDatabase {
        try run { try HistoryDatabase.openExisting(path) }
    }

    static func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as HistoryError { throw CLI.unusable(e.description) }
    }
}

/// How `bench` records its run.
enum BenchHistory {
    static func open(_ path: String) throws -> HistoryDatabase {
        try HistoryCLI.run { try HistoryDatabase.openForWriting(path) }
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    static func input(_ m: BenchMeasurement, suite: Suite) -> MeasurementInput {
        MeasurementInput(suite: suite.rawValue, loss: m.loss, impl: m.impl, pass: m.pass.rawValue, shape: m.shape, elements: m.elements,
                         threads: m.threads, samples: m.samples, calibration: m.calibration)
    }

    static func record(_ db: HistoryDatabase, _ measurements: [MeasurementInput], startedAt: String, threads: Int,
                       label: String?) throws -> RunRecord {
        let run = RunRecord(machine: .current, variant: .current(threads: threads, label: label, isa: FastDispatch.recordedName), startedAt: startedAt,
                            command: (["lossbench"] + CommandLine.arguments.dropFirst().map(HistoryDatabase.redacted)).joined(separator: " "))
        return try HistoryCLI.run { try db.record(run, measurements) }
    }
}
