import Foundation
import GRDB
import Markup

/// The Mann–Whitney U (Wilcoxon rank-sum) test with the normal approximation, tie correction and
/// continuity correction. Robust to the outliers a shared machine produces; no normality assumed.
package enum MannWhitney {
    package struct Result: Sendable {
        /// U of `y`: the number of (x, y) pairs with y > x, ties counting ½.
        package var u: Double
        package var z: Double
        /// P-value of "y tends to be larger (slower) than x".
        package var pGreater: Double
        /// P-value of "y tends to be smaller (faster) than x".
        package var pLess: Double
        package var pTwoSided: Double { min(1, 2 * min(pGreater, pLess)) }
    }

    package static func test(_ x: [Double], _ y: [Double]) -> Result {
        let nx = Double(x.count), ny = Double(y.count), n = nx + ny
        guard nx > 0, ny > 0 else { return Result(u: 0, z: 0, pGreater: 1, pLess: 1) }
        // Average ranks over the pooled, sorted samples.
        let pooled = (x.map { ($0, false) } + y.map { ($0, true) }).sorted { $0.0 < $1.0 }
        var rankSumY = 0.0, tieTerm = 0.0
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count && pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let rank = Double(i + j + 2) / 2  // ranks are 1-based
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            for k in i...j where pooled[k].1 { rankSumY += rank }
            i = j + 1
        }
        let u = rankSumY - ny * (ny + 1) / 2
        let mean = nx * ny / 2
        let variance = nx * ny / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return Result(u: u, z: 0, pGreater: 1, pLess: 1) }
        let sd = variance.squareRoot()
        let zGreater = (u - mean - 0.5) / sd, zLess = (u - mean + 0.5) / sd
        return Result(u: u, z: (u - mean) / sd, pGreater: upperTail(zGreater), pLess: 1 - upperTail(zLess))
    }

    /// P(Z > z) for a standard normal Z.
    static func upperTail(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }
}

/// Which run the latest is compared with.
package enum Baseline: Sendable, Equatable, CustomStringConvertible {
    /// The run before the latest one on the same machine key.
    case previous
    /// The latest run of a commit (a prefix of its SHA is enough).
    case commit(String)
    case label(String)
    case run(Int64)

    /// Parses `previous`, `commit:SHA`, `label:NAME` or `run:ID`.
    package init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("previous", 1): self = .previous
        case ("commit", 2) where !parts[1].isEmpty: self = .commit(parts[1])
        case ("label", 2) where !parts[1].isEmpty: self = .label(parts[1])
        case ("run", 2) where Int64(parts[1]) != nil: self = .run(Int64(parts[1])!)
        default:
            throw HistoryError.notFound("--baseline '\(text)' is not one of previous, commit:SHA, label:NAME, run:ID")
        }
    }

    package var description: String {
        switch self {
        case .previous: "the previous run on the same machine"
        case .commit(let c): "commit \(c)"
        case .label(let l): "label \(l)"
        case .run(let r): "run \(r)"
        }
    }
}

package struct GateSettings: Sendable {
    /// A regression must be slower by more than this fraction (0.10 = 10%).
    package var threshold = 0.10
    /// Significance level of the rank test.
    package var alpha = 0.01
    /// One-sided ("is the latest slower?") or two-sided.
    package var twoSided = false
    /// Compare times divided by the calibration kernel's median (true) or raw nanoseconds.
    package var normalize = true
    /// Compare runs whose machine keys differ.
    package var allowForeignMachine = false

    package init() {}
}

/// The verdict for one benchmark.
package enum GateVerdict: String, Sendable {
    case regression, improvement, unchanged
    /// Only in the latest run, or only in the baseline: reported, never a failure.
    case new, missing
}

package struct GateComparison: Sendable {
    package var benchmark: BenchmarkKey
    package var verdict: GateVerdict
    /// Medians in the compared unit (calibration units, or ns when not normalized).
    package var baselineMedian: Double?
    package var currentMedian: Double?
    /// Raw medians in nanoseconds, for people.
    package var baselineMedianNs: Double?
    package var currentMedianNs: Double?
    /// current / baseline of the compared medians.
    package var ratio: Double?
    package var pValue: Double?
    package var baselineSamples = 0
    package var currentSamples = 0
}

package struct GateResult: Sendable {
    package var current: RunRecord
    package var baseline: RunRecord
    package var settings: GateSettings
    package var comparisons: [GateComparison]
    package var regressions: [GateComparison] { comparisons.filter { $0.verdict == .regression } }
    package var improvements: [GateComparison] { comparisons.filter { $0.verdict == .improvement } }
    package var hasRegression: Bool { !regressions.isEmpty }
}

/// The regression gate (Docs/Benchmarking.md): a change is a regression when it is both statistically
/// significant (Mann–Whitney U on the raw samples) and larger than a threshold, against a
/// baseline from the same machine key.
package enum Gate {
    /// The run to judge: `id`, or the latest run in the database.
    package static func currentRun(_ db: HistoryDatabase, id: Int64? = nil) throws -> RunRecord {
        if let id { return try db.run(id: id) }
        guard let latest = try db.runs().last else {
            throw HistoryError.notFound("\(db.path): the history has no runs yet; record one with `lossbench bench`")
        }
        return latest
    }

    /// The baseline run for `current`. The previous run is looked for on the same machine key and
    /// the same build of Fast's kernels only: a portable run after an AVX2 one is not a regression.
    package static func baselineRun(_ db: HistoryDatabase, for current: RunRecord, _ baseline: Baseline) throws -> RunRecord {
        let earlier = try db.runs().filter { $0.id != current.id }
        let found: RunRecord?
        switch baseline {
        case .previous:
            let before = earlier.filter { $0.machineKey == current.machineKey && ($0.id ?? 0) < (current.id ?? 0) }
            found = before.last { $0.sameBuild(as: current) }
            if found == nil {
                let others = earlier.filter { $0.machineKey != current.machineKey }.count
                let otherBuilds = Set(before.compactMap(\.isa)).sorted()
                throw HistoryError.notFound(
                    "no earlier run on this machine ('\(current.machineKey)') "
                        + (current.isa.map { "with Fast's \($0) build " } ?? "") + "to compare \(current.summary) with"
                        + (otherBuilds.isEmpty ? "" : "; runs of its \(otherBuilds.joined(separator: ", ")) build(s) exist: name one with --baseline run:ID")
                        + (others > 0 ? "; \(others) run(s) from other machines exist: name one with --baseline run:ID and --allow-foreign-machine" : ""))
            }
        case .commit(let sha):
            found = earlier.last { $0.gitCommit?.hasPrefix(sha.lowercased()) == true && $0.machineKey == current.machineKey }
                ?? earlier.last { $0.gitCommit?.hasPrefix(sha.lowercased()) == true }
        case .label(let name):
            found = earlier.last { $0.label == name && $0.machineKey == current.machineKey } ?? earlier.last { $0.label == name }
        case .run(let id):
            guard id != current.id else { throw HistoryError.notFound("--baseline run:\(id) is the run being judged") }
            found = try db.run(id: id)
        }
        guard let found else { throw HistoryError.notFound("\(db.path): no run matches --baseline (\(baseline))") }
        return found
    }

    /// Judges `current` against `baseline`; refuses foreign machine keys unless the settings allow them.
    package static func run(_ db: HistoryDatabase, current currentID: Int64? = nil, baseline: Baseline = .previous,
                           settings: GateSettings = GateSettings()) throws -> GateResult {
        let current = try currentRun(db, id: currentID)
        let base = try baselineRun(db, for: current, baseline)
        if base.machineKey != current.machineKey && !settings.allowForeignMachine {
            throw HistoryError.foreignMachine(current: current.machineKey, baseline: base.machineKey)
        }
        let comparisons = compare(baseline: try db.storedMeasurements(runID: base.id!),
                                  current: try db.storedMeasurements(runID: current.id!), settings: settings)
        return GateResult(current: current, baseline: base, settings: settings, comparisons: comparisons)
    }

    /// Compares every benchmark present in either run.
    package static func compare(baseline: [StoredMeasurement], current: [StoredMeasurement], settings: GateSettings) -> [GateComparison] {
        let b = Dictionary(baseline.map { ($0.record.benchmark, $0) }, uniquingKeysWith: { x, _ in x })
        let c = Dictionary(current.map { ($0.record.benchmark, $0) }, uniquingKeysWith: { x, _ in x })
        return Set(b.keys).union(c.keys).sorted().map { key in
            var out = GateComparison(benchmark: key, verdict: .unchanged)
            out.baselineMedianNs = b[key]?.record.medianNs
            out.currentMedianNs = c[key]?.record.medianNs
            guard let bm = b[key], let cm = c[key] else {
                out.verdict = b[key] == nil ? .new : .missing
                return out
            }
            let x = settings.normalize ? bm.normalizedSamples : bm.rawSamples
            let y = settings.normalize ? cm.normalizedSamples : cm.rawSamples
            out.baselineSamples = x.count
            out.currentSamples = y.count
            let verdict = judge(baseline: x, current: y, settings: settings)
            out.verdict = verdict.verdict
            out.baselineMedian = Stats.median(x)
            out.currentMedian = Stats.median(y)
            out.ratio = verdict.ratio
            out.pValue = verdict.p
            return out
        }
    }

    /// The rule for one benchmark: significant (rank test at alpha) and beyond the threshold.
    package static func judge(baseline x: [Double], current y: [Double], settings: GateSettings)
        -> (verdict: GateVerdict, ratio: Double, p: Double) {
        let ratio = Stats.median(y) / Stats.median(x)
        let test = MannWhitney.test(x, y)
        let pSlower = settings.twoSided ? test.pTwoSided : test.pGreater
        let pFaster = settings.twoSided ? test.pTwoSided : test.pLess
        if pSlower < settings.alpha && ratio > 1 + settings.threshold { return (.regression, ratio, pSlower) }
        if pFaster < settings.alpha && ratio < 1 - settings.threshold { return (.improvement, ratio, pFaster) }
        return (.unchanged, ratio, ratio >= 1 ? pSlower : pFaster)
    }

    // MARK: Output

    package static func text(_ r: GateResult) -> String {
        var out = header(r, markdown: false)
        let shown = r.comparisons.filter { $0.verdict != .unchanged }
        if !shown.isEmpty {
            out += "\n" + plainTable(["verdict", "benchmark", "baseline ms", "latest ms", "ratio", "p"], shown.map(cells))
        }
        out += "\n" + verdictLine(r) + "\n"
        return out
    }

    /// The anchor of a benchmark's trend chart in the dashboard (`lossbench report --html`).
    package static func dashboardAnchor(loss: String, pass: String) -> String { "chart-\(loss)-\(pass)" }

    /// The summary for a pull request or CI page. With `dashboard` (the URL of the page `report
    /// --html` wrote), each standard-suite benchmark links to its trend chart there.
    package static func markdown(_ r: GateResult, dashboard: String? = nil) -> String {
        var out = "# Performance gate: " + (r.hasRegression ? "❌ \(r.regressions.count) regression(s)" : "✅ no regression") + "\n\n"
        out += header(r, markdown: true) + "\n"
        let head = "| verdict | benchmark | baseline ms | latest ms | ratio | p |\n|---|---|---:|---:|---:|---:|\n"
        func linked(_ c: GateComparison) -> [String] {
            var cells = cells(c)
            if let dashboard, c.benchmark.suite == "standard" {
                cells[1] = "[\(cells[1])](\(dashboard)#\(dashboardAnchor(loss: c.benchmark.loss, pass: c.benchmark.pass)))"
            }
            return cells
        }
        func rows(_ cs: [GateComparison]) -> String { cs.map { "| " + linked($0).joined(separator: " | ") + " |\n" }.joined() }
        let notable = r.comparisons.filter { $0.verdict == .regression || $0.verdict == .improvement }
        if !notable.isEmpty { out += "## Changes\n\n" + head + rows(notable) + "\n" }
        out += "<details><summary>All \(r.comparisons.count) benchmarks</summary>\n\n" + head + rows(r.comparisons) + "\n</details>\n"
        return out
    }

    /// JUnit XML: one testcase per compared benchmark, a failure per regression.
    package static func junit(_ r: GateResult) -> String {
        let compared = r.comparisons.filter { $0.verdict != .new && $0.verdict != .missing }
        let cases = compared.map { c in
            var t = JUnitReport.TestCase(className: c.benchmark.loss, name: c.benchmark.description)
            if c.verdict == .regression {
                let msg = "\(percent(c.ratio)) slower than \(r.baseline.summary) (p = \(pText(c.pValue)))"
                t.failure = (msg, msg)
            }
            return t
        }
        return JUnitReport(name: "lossbench gate", suites: [
            .init(name: "performance gate: run \(r.current.id ?? 0) vs run \(r.baseline.id ?? 0)", cases: cases),
        ]).xml
    }

    static func header(_ r: GateResult, markdown: Bool) -> String {
        let s = r.settings
        let foreign = r.baseline.machineKey != r.current.machineKey ? " vs \(r.baseline.machineKey) (different machine, allowed)" : ""
        let fields = [
            ("latest", r.current.summary),
            ("baseline", r.baseline.summary),
            ("machine", r.current.machineKey + foreign),
            ("build", (r.current.isa ?? "unrecorded") + (r.current.sameBuild(as: r.baseline) ? ""
                : " vs \(r.baseline.isa ?? "unrecorded") (different builds of Fast's kernels: differences are theirs)")),
            ("rule", "regression = \(s.twoSided ? "two-sided" : "one-sided (slower)") Mann–Whitney U p < \(s.alpha) "
                + "and median ratio > \(String(format: "%.2f", 1 + s.threshold)), on \(s.normalize ? "calibration-normalized" : "raw") times"),
        ]
        return fields.map { name, value in
            markdown ? "- **\(name)**: \(value)" : (name + ":").padding(toLength: 10, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n") + "\n"
    }

    static func verdictLine(_ r: GateResult) -> String {
        let count = { (v: GateVerdict) in r.comparisons.filter { $0.verdict == v }.count }
        return "\(count(.regression)) regressions, \(count(.improvement)) improvements, \(count(.unchanged)) unchanged, "
            + "\(count(.new)) new, \(count(.missing)) missing"
    }

    static func cells(_ c: GateComparison) -> [String] {
        [c.verdict.rawValue, c.benchmark.description, ms(c.baselineMedianNs), ms(c.currentMedianNs),
         c.ratio.map { String(format: "%.3f", $0) } ?? "-", pText(c.pValue)]
    }

    static func ms(_ ns: Double?) -> String { ns.map { String(format: "%.3f", $0 / 1e6) } ?? "-" }
    static func pText(_ p: Double?) -> String { p.map { $0 < 1e-4 ? String(format: "%.1e", $0) : String(format: "%.4f", $0) } ?? "-" }
    static func percent(_ ratio: Double?) -> String { ratio.map { String(format: "%+.1f%%", ($0 - 1) * 100) } ?? "-" }
}

/// A plain-text table, left-aligned (shared by the history outputs).
func plainTable(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n") + "\n"
}
