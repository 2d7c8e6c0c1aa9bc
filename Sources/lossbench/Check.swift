import ArgumentParser
import Foundation
import Markup
import GoldenStore
import LossSpec
import Conformance
import Implementations
import Fuzzing
import Benchmarking
import FastDispatch

/// `lossbench check`: runs implementations against a golden database — the CI gate.
struct Check: ParsableCommand, DefaultImplementations {
    static let defaultImplementations: [ImplementationName] = [.reference]

    static let configuration = CommandConfiguration(
        abstract: "Check implementations against a golden database (exit 1 on any failure).",
        discussion: """
            Prints a per-loss table (cases, passed, failed, max and p99 normalized error, budget) \
            and every failure with its case, role, element, expected and actual values. \
            The normalized error is |got - expected| / (eps * max(scale, |expected|, tiny)) (Docs/Tolerance.md). \
            Exit codes: 0 all passed; 1 a case failed; 3 the database is missing, not SQLite, \
            foreign, of another format_version, or corrupt.
            """
    )

    @OptionGroup var goldenDatabase: GoldenDatabaseOption
    @OptionGroup var impls: ImplementationSelection<Check>
    @OptionGroup var lossSelection: LossSelection

    @Option(name: .long, help: ArgumentHelp("Also write JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also write one JUnit XML file per implementation into this directory.",
        discussion: "DIR/NAME.xml, NAME the implementation with ':' written '-' (port:torch-f32 → port-torch-f32.xml).",
        valueName: "dir"))
    var junitDirectory: String?

    @Flag(name: .long, help: "Print the report as one JSON object instead of the table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Show at most this many failures in the text report.", valueName: "n"))
    var maxFailures = 50

    @Option(name: .long, help: ArgumentHelp(
        "Also list the N cases with the largest normalized error of each loss and implementation, passing or not.",
        discussion: "With the element, expected and actual value of each case's worst element: where a port is least accurate.",
        valueName: "n"))
    var worst = 0

    func validate() throws {
        guard worst >= 0 else { throw ValidationError("--worst must be 0 or more, got \(worst)") }
        guard maxFailures >= 0 else { throw ValidationError("--max-failures must be 0 or more, got \(maxFailures)") }
    }

    func run() throws {
        let db = goldenDatabase.db
        let file = try CLI.readDatabase(db)
        let report = Checker.run(file, database: db, implementations: try impls.resolve(),
                                 losses: Set(try lossSelection.losses.map(\.rawValue)))
        for w in report.warnings { CLI.warn(w) }
        if let junit { try CLI.write(JUnit.xml(report), to: junit) }
        if let junitDirectory {
            do { try FileManager.default.createDirectory(atPath: junitDirectory, withIntermediateDirectories: true) } catch {
                throw CLI.unusable("--junit-directory: cannot create \(junitDirectory): \(error.localizedDescription)")
            }
            var seen = Set<String>()
            for name in report.outcomes.map(\.implementation) where seen.insert(name).inserted {
                let file = junitDirectory + "/" + name.replacingOccurrences(of: ":", with: "-").replacingOccurrences(of: "/", with: "-") + ".xml"
                try CLI.write(JUnit.xml(report, implementation: name), to: file)
            }
        }
        if json {
            print(CheckJSON.encode(report))
        } else {
            print(Terminal.sanitizeLines(text(report)), terminator: "")
        }
        if report.comparedNothing {
            CLI.printError("nothing was compared: \(report.outcomes.isEmpty ? "no case in \(db) matches the selection" : "every case was unsupported"); a check that compares nothing fails")
        }
        if report.failed { throw ExitStatus.conformanceFailure }
    }

    func text(_ report: CheckReport) -> String {
        let rows = report.summaries.map { s in
            [s.loss, s.implementation, "\(s.cases)", "\(s.passed)", "\(s.failed)",
             CLI.number(s.maxError), CLI.number(s.p99Error), CLI.number(s.budget)]
        }
        var out = CLI.table(["loss", "impl", "cases", "passed", "failed", "max err", "p99 err", "budget"], rows,
                            rightAligned: [2, 3, 4, 5, 6, 7])
        let failures = report.outcomes.filter { $0.status.isFailure }
        for f in failures.prefix(maxFailures) {
            let label = switch f.status { case .portError: "PORT ERROR"; case .unexpectedPass: "UNEXPECTED PASS"; default: "FAIL" }
            out += "\n\(label) \(f.caseName) [\(f.implementation)]\n"
            for m in f.mismatches { out += "  \(m.description)\n" }
            out += "  reproduce: \(report.reproduce(f))\n"
        }
        if failures.count > maxFailures { out += "\n… and \(failures.count - maxFailures) more failures\n" }
        if worst > 0 { out += worstCases(report) }
        let passed = report.outcomes.filter(\.passed).count
        func count(_ s: CaseStatus) -> Int { report.outcomes.filter { $0.status == s }.count }
        var tally = "\(passed) passed, \(failures.count) failed"
        for (status, label) in [(CaseStatus.unsupported, "unsupported"), (.expectedFailure, "expected failures"),
                                (.unexpectedPass, "unexpected passes"), (.portError, "port errors"), (.deviation, "documented deviations")] where count(status) > 0 {
            tally += ", \(count(status)) \(label)"
        }
        out += "\n" + tally + "\n"
        if report.outcomes.contains(where: { $0.implementation == "fast" || $0.implementation.hasPrefix("fast@") }) {
            out += CLI.fastBuildLine + "\n"
        }
        return out
    }

    /// The `--worst` table: per loss and implementation, the cases with the largest normalized error.
    func worstCases(_ report: CheckReport) -> String {
        var rows: [[String]] = []
        for s in report.summaries {
            for o in report.worstCases(loss: s.loss, implementation: s.implementation, count: worst) {
                guard let w = o.worst else { continue }
                rows.append([s.loss, s.implementation, o.caseName, "\(w.role)[\(w.element.map(String.init) ?? "-")]",
                             w.expected, w.got, CLI.number(w.normalizedError)])
            }
        }
        return "\nworst cases (largest normalized error per loss):\n"
            + CLI.table(["loss", "impl", "case", "element", "expected", "got", "error"], rows, rightAligned: [6])
    }
}
