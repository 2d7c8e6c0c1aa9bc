import ArgumentParser
import Foundation
import History
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench history`: trends per loss/impl from the history database.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the timing trend per loss and implementation from the history database.",
        discussion: """
            One row per benchmark and run (standard suite by default), oldest first, with the change \
            against the previous run of the same benchmark and against the best run so far. Changes \
            use calibration-normalized medians (--raw: nanoseconds). Exit 3 if the history database \
            is missing or unusable. For anything else, query it with SQL (Reports/README.md).
            """
    )

    @Option(name: .long, help: "The history database.")
    var history = HistoryDatabase.defaultPath

    @Option(name: .long, parsing: .upToNextOption, help: "Only these losses.")
    var loss: [String] = []

    @Option(name: .long, help: "Only these implementations, comma-separated (fast, reference, baseline).")
    var impl: String?

    @Option(name: .long, help: "Only these passes, comma-separated (forward, backward).")
    var pass: String?

    @Option(name: .long, help: "Only runs whose machine key contains this text; 'this' for the current machine.")
    var machine: String?

    @Option(name: .long, help: "Only runs started at or after this UTC date or time (2025-01-31 or 2025-01-31T12:00).")
    var since: String?

    @Option(name: .long, help: "Suite: standard, grid or bandwidth.")
    var suite = "standard"

    @Option(name: .long, help: "Output: table, csv or json (one JSON object per line).")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Compute changes on raw nanoseconds instead of calibration-normalized times.")
    var raw = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func validate() throws {
        _ = try CLI.parseLosses(loss)
        if let since, since.count < 4 || !since.first!.isNumber {
            throw ValidationError("--since takes an ISO 8601 date or time such as 2025-01-31, got '\(since)'")
        }
    }

    func run() throws {
        let db = try HistoryCLI.open(history)
        var filter = TrendFilter()
        filter.losses = Set(try CLI.parseLosses(loss).map(\.rawValue))
        filter.impls = HistoryCLI.list(impl)
        filter.passes = HistoryCLI.list(pass)
        filter.machine = machine == "this" ? MachineKey.current.key : machine
        filter.since = since
        filter.suite = suite
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

    static func list(_ text: String?) -> Set<String> {
        Set((text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
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

    static func input(_ m: BenchMeasurement, suite: String) -> MeasurementInput {
        MeasurementInput(suite: suite, loss: m.loss, impl: m.impl, pass: m.pass.rawValue, shape: m.shape, elements: m.elements,
                         threads: m.threads, samples: m.samples, calibration: m.calibration)
    }

    static func record(_ db: HistoryDatabase, _ measurements: [MeasurementInput], startedAt: String, threads: Int,
                       label: String?) throws -> RunRecord {
        let run = RunRecord(machine: .current, variant: .current(threads: threads, label: label), startedAt: startedAt,
                            command: (["lossbench"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        return try HistoryCLI.run { try db.record(run, measurements) }
    }
}
