import ArgumentParser
import Foundation
import GoldenStore
import History
import Reporting
import LossSpec
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench report`: Reports/conformance.md, Reports/performance.md and the SVG charts.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write Reports/conformance.md, Reports/performance.md and Reports/charts/*.svg.",
        discussion: """
            conformance.md: both implementations checked against the golden database (--db), one row \
            per loss. performance.md: the latest standard suite with Fast/Reference speedups, the size \
            grid's scaling, and the run history, with SVG charts (speedup per loss, time vs size on \
            log-log axes, one trend chart per loss). Exit 3 if the golden or history database is \
            missing or unusable (--no-conformance skips the golden check).
            """
    )

    @OptionGroup var goldenDatabase: GoldenDatabaseOption
    @OptionGroup var historyDatabase: HistoryDatabaseOption

    @Option(name: .long, help: ArgumentHelp("The directory the reports are written to.", valueName: "directory"))
    var out = "Reports"

    @Option(name: .long, help: ArgumentHelp("Report the runs of this machine key; the machine of the latest run when not given.",
                                            valueName: "key"))
    var machine: String?

    @Flag(name: .long, help: "Skip the conformance check (write only performance.md and the charts).")
    var noConformance = false

    @Option(name: .long, help: ArgumentHelp("PyTorch timings (JSON lines of Tools/torch_bench.py --json) to compare Fast with.",
                                            valueName: "file"))
    var torch: String?

    func run() throws {
        let db = goldenDatabase.db, history = historyDatabase.history
        // Read both inputs before writing anything.
        let golden: GoldenFile?
        if noConformance {
            golden = nil
        } else {
            guard FileManager.default.fileExists(atPath: db) else {
                throw CLI.unusable("\(db): no golden database; create it with `lossbench generate` (or pass --db FILE, or --no-conformance)")
            }
            golden = try CLI.readDatabase(db)
        }
        let store = try HistoryCLI.open(history)
        let torchTimings = try torch.map(readTorch) ?? []
        let files = try HistoryCLI.run { try PerformanceReport.build(store, machineKey: machine, torch: torchTimings) }

        try createDirectory(out + "/charts")
        if let golden {
            let report = Checker.run(golden, database: db, implementations: Builtins.all)
            for w in report.warnings { CLI.warn(w) }
            try CLI.write(ConformanceReport.markdown(report, meta: golden.meta, implementations: Builtins.all.map(\.name)), to: out + "/conformance.md")
            print("wrote \(out)/conformance.md (\(report.outcomes.count) case runs, \(report.outcomes.filter { $0.status.isFailure }.count) failed)")
        }
        for f in files { try CLI.write(f.content, to: out + "/" + f.path) }
        print("wrote \(out)/performance.md and \(files.count - 1) charts in \(out)/charts")
    }

    /// Parses `Tools/torch_bench.py --json` output.
    func readTorch(_ path: String) throws -> [PerformanceReport.TorchTiming] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLI.unusable("cannot read PyTorch timings \(path)")
        }
        return try text.split(separator: "\n").filter { $0.hasPrefix("{") }.map { line in
            guard case .object(let o)? = try? JSONValue.parse(Data(line.utf8)),
                  case .string(let loss)? = o["loss"], case .string(let pass)? = o["pass"],
                  case .string(let shape)? = o["shape"], let median = o["median_ns"]?.doubleValue else {
                throw CLI.unusable("\(path): a line is not a torch_bench.py JSON record: \(line.prefix(80))")
            }
            let version: String
            if case .string(let v)? = o["torch_version"] { version = v } else { version = "?" }
            return .init(loss: loss, pass: pass, shape: shape, medianNs: median,
                         threads: Int(o["threads"]?.doubleValue ?? 0), version: version)
        }
    }

    func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CLI.unusable("cannot create \(path): \(error.localizedDescription)")
        }
    }
}
