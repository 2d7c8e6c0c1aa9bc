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
import Markup
import Ports

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

    @Option(name: .long, help: ArgumentHelp(
        "Also write the dashboard, DIR/index.html: a static page with trend charts, filters, the latest Fast-vs-peers table, the gate's verdicts and the conformance summary.",
        discussion: "Self-contained (no server, no CDN): publish DIR as GitHub Pages or open the file.",
        valueName: "dir"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also write ports.md: these port configurations (port:NAME,...) checked against the golden database.",
        discussion: """
            The matrix of losses by configuration, every discrepancy with the triage its manifest declares \
            (or untriaged), and the ports' speed from the latest bench run that timed them. The ports must \
            be installed (each manifest's install line); a port that cannot start is exit 3.
            """,
        valueName: "port:name,..."))
    var ports: CommaSeparated<ImplementationName>?

    @Option(name: .long, help: ArgumentHelp("The folder of port manifests for --ports.", valueName: "dir"))
    var portsDirectory = "Ports"

    func validate() throws {
        if let ports, let builtin = ports.elements.first(where: { !$0.isPort }) {
            throw ValidationError("--ports takes port configurations (port:NAME), got '\(builtin.name)'; built-in implementations are in conformance.md")
        }
        if ports != nil && noConformance {
            throw ValidationError("--ports checks the ports against the golden database, which --no-conformance skips")
        }
    }

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
        // Ports are started before anything is written: one that cannot start leaves the reports as they were.
        let started = try startPorts()
        let files = try HistoryCLI.run { try PerformanceReport.build(store, machineKey: machine) }

        let dashboard = try html.map { dir -> String in
            try createDirectory(dir)
            return dir + "/index.html"
        }
        try createDirectory(out + "/charts")
        var conformance: CheckReport?
        if let golden {
            let report = Checker.run(golden, database: db, implementations: Builtins.all)
            conformance = report
            for w in report.warnings { CLI.warn(w) }
            try CLI.write(ConformanceReport.markdown(report, meta: golden.meta, implementations: Builtins.all.map(\.name)), to: out + "/conformance.md")
            print("wrote \(out)/conformance.md (\(report.outcomes.count) case runs, \(report.outcomes.filter { $0.status.isFailure }.count) failed)")
        }
        for f in files { try CLI.write(f.content, to: out + "/" + f.path) }
        if let golden, let ports { try writePorts(ports.elements, started, golden: golden, db: db, store: store) }
        print("wrote \(out)/performance.md and \(files.count - 1) charts in \(out)/charts")
        if let dashboard {
            let date = ISO8601DateFormatter().string(from: Date())
            let command = Shell.command(["lossbench"] + CommandLine.arguments.dropFirst().map(HistoryDatabase.redacted))
            try CLI.write(try HistoryCLI.run { try Dashboard.build(store, conformance: conformance, generated: date, command: command) }, to: dashboard)
            print("wrote \(dashboard)")
        }
    }

    /// The `--ports` configurations, started and handshaken (exit 3 if one cannot be).
    func startPorts() throws -> [(port: PortImplementation, manifest: PortManifest)] {
        do {
            return try (ports?.elements ?? []).map { try ImplementationSelection<Check>.startPort(ImplementationName.portName($0.name)!, directory: portsDirectory) }
        } catch {
            throw CLI.unusable("--ports: \(error)")
        }
    }

    /// Runs the ports over the whole database and writes ports.md.
    func writePorts(_ names: [ImplementationName], _ started: [(port: PortImplementation, manifest: PortManifest)],
                    golden: GoldenFile, db: String, store: HistoryDatabase) throws {
        let report = Checker.run(golden, database: db, implementations: started.map(\.port))
        let described = started.map { p, m in
            PortsReport.Port(name: p.name, framework: p.handshake.framework, dtype: p.computeType.rawValue, device: p.handshake.device,
                             description: m.description ?? "", install: m.install ?? "",
                             composed: p.handshake.composed.sorted(), expectedFailures: m.expectedFailures ?? [],
                             widenedBudgets: LossKind.allCases.compactMap { k in p.budgetReason(for: k).map { (k.rawValue, p.budget(for: k), $0) } })
        }
        let speed = try HistoryCLI.run { try PerformanceReport.latestPortsSection(store, machineKey: machine) }
        let defects = try? String(contentsOfFile: portsDirectory + "/lossbench-defects.md", encoding: .utf8)
        let command = Shell.command(["lossbench", "report", "--ports", names.map(\.name).joined(separator: ",")])
        let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
        try CLI.write(PortsReport.markdown(report, golden: golden, ports: described, machine: MachineKey.current.key, date: String(date),
                                           command: command, speed: speed, lossBenchDefects: defects), to: out + "/ports.md")
        let untriaged = report.outcomes.filter { $0.status.isFailure }.count
        print("wrote \(out)/ports.md (\(started.count) port configurations, \(untriaged) untriaged failures)")
    }

    func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw CLI.unusable("cannot create \(path): \(error.localizedDescription)")
        }
    }
}
