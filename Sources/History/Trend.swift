import Foundation

/// Which part of the history `lossbench history` shows.
package struct TrendFilter: Sendable {
    package var losses: Set<String> = []
    package var impls: Set<String> = []
    package var passes: Set<String> = []
    /// A machine key, or a part of one (case-insensitive).
    package var machine: String?
    /// Only runs started at or after this ISO 8601 date or time ('2025-01-31', '2025-01-31T12:00').
    package var since: String?
    package var suite = "standard"

    package init() {}
}

/// One benchmark in one run, with its change against earlier runs of the same series.
package struct TrendPoint: Sendable {
    package var run: RunRecord
    package var measurement: MeasurementRecord
    /// value / value of the previous run in the series − 1 (nil for the first).
    package var changeVsPrevious: Double?
    /// value / the best (smallest) value up to and including this run − 1 (0 when this is the best).
    package var changeVsBest: Double
    /// Whether the changes are computed on calibration-normalized medians (else raw).
    package var normalized: Bool
}

/// Trends per loss/impl/pass over the runs of the history (the `history` command).
package enum Trend {
    package static func points(_ db: HistoryDatabase, _ filter: TrendFilter, normalized: Bool = true) throws -> [TrendPoint] {
        let runs = Dictionary(try db.runs().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let needle = filter.machine?.lowercased()
        let selected = try db.allMeasurements().filter { m in
            guard let run = runs[m.runID] else { return false }
            if let needle, !run.machineKey.lowercased().contains(needle) { return false }
            if let since = filter.since, run.startedAt < since { return false }
            return m.suite == filter.suite
                && (filter.losses.isEmpty || filter.losses.contains(m.loss))
                && (filter.impls.isEmpty || filter.impls.contains(m.impl))
                && (filter.passes.isEmpty || filter.passes.contains(m.pass))
        }
        struct SeriesKey: Hashable { var machine: String; var benchmark: BenchmarkKey }
        var series: [SeriesKey: [MeasurementRecord]] = [:]
        for m in selected { series[SeriesKey(machine: runs[m.runID]!.machineKey, benchmark: m.benchmark), default: []].append(m) }
        var out: [TrendPoint] = []
        for key in series.keys.sorted(by: { ($0.benchmark, $0.machine) < ($1.benchmark, $1.machine) }) {
            var previous: Double?
            var best = Double.infinity
            for m in series[key]!.sorted(by: { $0.runID < $1.runID }) {
                let v = normalized ? m.normalizedMedian : m.medianNs
                best = min(best, v)
                out.append(TrendPoint(run: runs[m.runID]!, measurement: m, changeVsPrevious: previous.map { v / $0 - 1 },
                                      changeVsBest: v / best - 1, normalized: normalized))
                previous = v
            }
        }
        return out
    }

    static let columns = ["run", "started_at", "commit", "label", "loss", "impl", "pass", "shape", "median_ms",
                          "normalized", "vs_previous", "vs_best"]

    static func cells(_ p: TrendPoint, csv: Bool) -> [String] {
        let m = p.measurement, r = p.run
        let pct: (Double?) -> String = { v in v.map { csv ? String(format: "%.4f", $0) : String(format: "%+.1f%%", $0 * 100) } ?? "" }
        let commit = r.gitCommit.map { String($0.prefix(10)) + (r.gitDirty == true ? "+" : "") } ?? ""
        return ["\(r.id ?? 0)", r.startedAt, commit, r.label ?? "", m.loss, m.impl, m.pass, m.shape,
                String(format: "%.4f", m.medianNs / 1e6), String(format: "%.4f", m.normalizedMedian),
                pct(p.changeVsPrevious), pct(p.changeVsBest)]
    }

    /// A plain-text table, one block per machine key.
    package static func table(_ points: [TrendPoint]) -> String {
        guard !points.isEmpty else { return "no measurements match the filters\n" }
        var out = ""
        for machine in Set(points.map(\.run.machineKey)).sorted() {
            let rows = points.filter { $0.run.machineKey == machine }.map { cells($0, csv: false) }
            out += "machine: \(machine)\n"
            out += plainTable(columns.map { $0 == "vs_previous" ? "vs previous" : $0 == "vs_best" ? "vs best" : $0 }, rows) + "\n"
        }
        let basis = points.first!.normalized ? "calibration-normalized medians (median / calibration kernel median)" : "raw medians"
        return out + "changes are computed on \(basis); 'vs best' is against the best run so far\n"
    }

    /// CSV with a header row; changes as fractions (0.05 = 5% slower).
    package static func csv(_ points: [TrendPoint]) -> String {
        func quote(_ s: String) -> String {
            s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let header = ["machine_key"] + columns
        return ([header] + points.map { [$0.run.machineKey] + cells($0, csv: true) })
            .map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}
