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

    @Option(name: .long, help: "Seed of the case sequence.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Time budget in seconds (checked between cases).")
    var seconds: Double?

    @Option(name: .long, help: "Number of cases (default 1000 when --seconds is not given).")
    var cases: Int?

    @Option(name: .long, parsing: .upToNextOption, help: "Only these losses.")
    var loss: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Only these properties.")
    var property: [String] = []

    @Option(name: .long, help: "Append the shrunk findings to this golden database (family 'regression').")
    var save: String?

    @Option(name: .long, help: "Re-check one case from its replay token instead of fuzzing.")
    var replay: String?

    @Option(name: .long, help: "Fast thread counts that must give bit-identical results, comma-separated.")
    var threads = "1,2,8"

    @Option(name: .long, help: "Largest tensor drawn, in elements.")
    var maxElements = 70_000

    @Option(name: .long, help: "Print a progress line every this many cases.")
    var progressEvery = 200

    @Flag(name: .long, help: "Report failures without shrinking them.")
    var noShrink = false

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    func validate() throws {
        _ = try CLI.parseLosses(loss)
        _ = try properties()
        _ = try threadCounts()
        if let cases, cases < 0 { throw ValidationError("--cases must be ≥ 0") }
        if let seconds, !(seconds >= 0) { throw ValidationError("--seconds must be ≥ 0") }
        if let replay {
            do { _ = try ReplayToken.decode(replay) } catch { throw ValidationError("--replay: \(error)") }
        }
    }

    func properties() throws -> Set<FuzzProperty> {
        if property.isEmpty { return Set(FuzzProperty.allCases) }
        return Set(try property.flatMap { $0.split(separator: ",") }.map { name in
            guard let p = FuzzProperty(rawValue: String(name)) else {
                throw ValidationError("unknown property '\(name)'; expected one of: \(FuzzProperty.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return p
        })
    }

    func threadCounts() throws -> [Int] {
        let counts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == threads.split(separator: ",").count, counts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads takes positive thread counts, e.g. 1,2,8")
        }
        return counts
    }

    func run() throws {
        var config = Fuzzer.Configuration()
        config.seed = seed
        config.cases = cases ?? (seconds == nil ? 1000 : nil)
        config.seconds = seconds
        config.losses = try CLI.parseLosses(loss)
        if config.losses.isEmpty { config.losses = LossKind.allCases }
        config.properties = try properties()
        config.maxElements = maxElements
        config.shrink = !noShrink
        let targets = FuzzTargets(threadCounts: try threadCounts())
        let fuzzer = Fuzzer(config, targets: targets)
        if let save { _ = try CLI.readDatabase(save) }  // unusable → exit 3 before any work

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
        print(json ? FuzzJSON.encode(report) : FuzzText.text(report), terminator: json ? "\n" : "")
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
