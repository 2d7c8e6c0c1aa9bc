import ArgumentParser
import Foundation
import GoldenStore
import LossSpec
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench fuzz`: random cases, Reference vs Fast plus invariants, shrinking, regression cases.
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fuzz Fast against the Reference and both against invariants; shrink and report findings.",
        discussion: """
            Draws random cases (every loss, reduction and option; 0-dim, empty, SIMD-width and \
            chunk-boundary shapes, broadcasting, kinks, clamp edges, NaN/inf, invalid inputs) from \
            --seed and checks the properties: \(FuzzProperty.allCases.map(\.rawValue).joined(separator: ", ")). \
            The case sequence depends only on the seed; --seconds decides how far along it a run gets. \
            Every finding is shrunk to a minimal case and printed with a one-line reproduction \
            (lossbench fuzz --replay TOKEN). --save DB appends the shrunk cases to a golden database \
            as family 'regression' with the Reference's expected values. Losses Fast does not \
            implement yet are reported as skipped, not failed. \
            Exit codes: 0 no finding; 1 a finding; 3 the --save database is unusable.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Seed of the case sequence.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Time budget in seconds (checked between cases).", valueName: "seconds"))
    var seconds: Double?

    @Option(name: .long, help: ArgumentHelp("Number of cases; 1000 when neither this nor --seconds is given.", valueName: "n"))
    var cases: Int?

    @OptionGroup var lossSelection: LossSelection

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Only these properties, comma-separated or repeated (all when not given).", valueName: "property,..."))
    var property: [CommaSeparated<FuzzProperty>] = []

    @Option(name: .long, help: ArgumentHelp("Append the shrunk findings to this golden database (family 'regression').",
                                            valueName: "file"))
    var save: String?

    @Option(name: .long, help: ArgumentHelp("Re-check one case from its replay token instead of fuzzing.", valueName: "token"))
    var replay: String?

    @Option(name: .long, help: ArgumentHelp(
        "Fast thread counts that must give bit-identical results, comma-separated, each \(ThreadCount.range.lowerBound) to \(ThreadCount.range.upperBound).",
        valueName: "n,..."))
    var threads = CommaSeparated([1, 2, 8].map { ThreadCount($0)! })

    @Option(name: .long, help: ArgumentHelp("Largest tensor drawn, in elements.", valueName: "n"))
    var maxElements = 70_000

    @Option(name: .long, help: ArgumentHelp("Print a progress line every this many cases.", valueName: "n"))
    var progressEvery = 200

    @Flag(name: .long, help: "Report failures without shrinking them.")
    var noShrink = false

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    func validate() throws {
        _ = try properties()
        if let cases, cases < 0 { throw ValidationError("--cases must be ≥ 0") }
        if let seconds, !(seconds >= 0 && seconds.isFinite) { throw ValidationError("--seconds must be a finite number ≥ 0, got \(seconds)") }
        if let replay {
            do { _ = try ReplayToken.decode(replay) } catch { throw ValidationError("--replay: \(error)") }
        }
    }

    func properties() throws -> Set<FuzzProperty> {
        let named = try property.flattened(option: "--property")
        return Set(named.isEmpty ? FuzzProperty.allCases : named)
    }

    func run() throws {
        var config = Fuzzer.Configuration()
        config.seed = seed
        config.cases = cases ?? (seconds == nil ? 1000 : nil)
        config.seconds = seconds
        config.losses = try lossSelection.selectedOrAll
        config.properties = try properties()
        config.maxElements = maxElements
        config.shrink = !noShrink
        let targets = FuzzTargets(threadCounts: threads.elements.map(\.value))
        let fuzzer = Fuzzer(config, targets: targets)
        if let save {
            // Unusable or unwritable → exit 3 before any work, not after the fuzzing.
            _ = try CLI.readDatabase(save)
            if let refusal = OutputFile.refusal(save) { throw CLI.unusable(refusal) }
            let directory = URL(fileURLWithPath: save).deletingLastPathComponent().path
            guard access(directory, W_OK) == 0 else {
                throw CLI.unusable("--save \(save): the directory \(directory) is not writable (the database is rewritten beside itself and renamed into place)")
            }
        }

        if let replay {
            let c = try ReplayToken.decode(replay)
            let verdict = fuzzer.replay(c)
            print("case: \(FuzzText.summary(c))")
            if verdict.candidateUnsupported { print("fast: unsupported case (its properties skipped)") }
            for f in verdict.failures { print("FAIL \(f.property.rawValue) [\(f.implementation)]: \(f.message)") }
            if verdict.failures.isEmpty { print("no property fails") }
            if !verdict.failures.isEmpty { throw ExitStatus.conformanceFailure }
            return
        }

        var lastProgress = Date()
        let report = fuzzer.run { r, n in
            guard !json, n % max(1, progressEvery) == 0 || Date().timeIntervalSince(lastProgress) >= 10 else { return }
            lastProgress = Date()
            FileHandle.standardError.write(Data(
                "fuzz: \(n) cases, \(r.findings.count) findings, \(String(format: "%.1f", r.seconds)) s\n".utf8))
        }
        // The findings and their replay tokens first: a failed save must not swallow them.
        print(json ? FuzzJSON.encode(report) : FuzzText.text(report), terminator: json ? "\n" : "")
        if let save, !report.findings.isEmpty {
            do {
                let existing = Set(try GoldenDatabase.read(save).cases.map(\.name))
                var added: [GoldenCase] = []
                for f in report.findings {
                    let g = try Fuzzer.regressionCase(f)
                    if !existing.contains(g.name), !added.contains(where: { $0.name == g.name }) { added.append(g) }
                }
                try GoldenDatabase.append(added, to: save)
                if !json { print("saved \(added.count) regression case(s) to \(save)") }
            } catch {
                throw CLI.unusable("\(error)")
            }
        }
        if report.failed { throw ExitStatus.conformanceFailure }
    }
}

/// The fuzz report as text (the JSON form is `FuzzJSON`).
enum FuzzText {
    static func summary(_ c: LossCase) -> String {
        var parts = [c.loss.rawValue]
        if !c.options.isEmpty { parts.append(JSONValue.object(c.options).serialized()) }
        for (name, v) in c.inputs.sorted(by: { $0.key < $1.key }) {
            let data: String
            switch v {
            case .float64(let t): data = t.count <= 12 ? "[" + t.scalars.map(number).joined(separator: ",") + "]" : "…"
            case .int64(let t): data = t.count <= 12 ? "[" + t.scalars.map(String.init).joined(separator: ",") + "]" : "…"
            }
            parts.append("\(name)\(v.shape)=\(data)")
        }
        return parts.joined(separator: " ")
    }

    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    static func text(_ r: Fuzzer.Report) -> String {
        var out = ""
        for f in r.findings {
            out += "FINDING \(f.property.rawValue) \(f.loss.rawValue) [\(f.implementation)] (case \(f.caseIndex), "
                + "shrunk to \(Shrinker.largestArgument(f.shrunk)) elements in \(f.shrinkEvaluations) steps)\n"
            out += "  \(f.message)\n"
            out += "  case: \(summary(f.shrunk))\n"
            out += "  reproduce: lossbench fuzz --replay \(f.token)\n"
        }
        if !r.findings.isEmpty { out += "\n" }
        let rows = r.perLoss.sorted { $0.key.rawValue < $1.key.rawValue }.map { loss, s in
            [loss.rawValue, "\(s.cases)", "\(s.invalid)", "\(s.skippedUnsupported)", "\(s.failing)",
             "\(r.findings.filter { $0.loss == loss }.count)"]
        }
        out += CLI.table(["loss", "cases", "error cases", "skipped (fast n/i)", "failing", "findings"], rows,
                         rightAligned: [1, 2, 3, 4, 5])
        out += "\nseed \(r.seed): \(r.casesRun) cases in \(String(format: "%.1f", r.seconds)) s"
            + (r.stoppedByTime ? " (time budget)" : "")
            + ", \(r.findings.count) findings" + (r.repeatFailures > 0 ? " (+\(r.repeatFailures) repeat failures)" : "") + "\n"
        return out
    }
}
