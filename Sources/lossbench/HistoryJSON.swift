import History

/// `lossbench history --format json`: one line per benchmark and run. `commit`, `dirty`, `label`
/// and `vs_previous` (the first run of a series) are null when unknown.
struct HistoryJSON: Codable, Equatable {
    var run: Int64
    var startedAt: String
    var machineKey: String
    var commit: String?
    var dirty: Bool?
    var label: String?
    var loss: String
    var impl: String
    var pass: String
    var shape: String
    var medianNs: Double
    var normalizedMedian: Double
    /// value / previous run's value − 1, on normalized medians unless `history --raw`.
    var vsPrevious: Double?
    /// value / best value so far − 1.
    var vsBest: Double

    enum CodingKeys: String, CodingKey {
        case run, commit, dirty, label, loss, impl, pass, shape
        case startedAt = "started_at", machineKey = "machine_key", medianNs = "median_ns"
        case normalizedMedian = "normalized_median", vsPrevious = "vs_previous", vsBest = "vs_best"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(machineKey, forKey: .machineKey)
        // null, not a missing key
        try c.encode(commit, forKey: .commit)
        try c.encode(dirty, forKey: .dirty)
        try c.encode(label, forKey: .label)
        try c.encode(loss, forKey: .loss)
        try c.encode(impl, forKey: .impl)
        try c.encode(pass, forKey: .pass)
        try c.encode(shape, forKey: .shape)
        try c.encode(medianNs, forKey: .medianNs)
        try c.encode(normalizedMedian, forKey: .normalizedMedian)
        try c.encode(vsPrevious, forKey: .vsPrevious)
        try c.encode(vsBest, forKey: .vsBest)
    }
}

extension HistoryJSON {
    init(_ p: TrendPoint) {
        let m = p.measurement, r = p.run
        run = r.id ?? 0
        startedAt = r.startedAt
        machineKey = r.machineKey
        commit = r.gitCommit
        dirty = r.gitDirty
        label = r.label
        loss = m.loss
        impl = m.impl
        pass = m.pass
        shape = m.shape
        medianNs = m.medianNs.rounded()
        normalizedMedian = m.normalizedMedian
        vsPrevious = p.changeVsPrevious
        vsBest = p.changeVsBest
    }

    /// One JSON object per line, each line ending in a newline.
    static func lines(_ points: [TrendPoint]) -> String {
        points.map { JSONOutput.line(HistoryJSON($0)) + "\n" }.joined()
    }
}
