import GRDB

/// One row of `meta`: format = 'lossbench-history', format_version = '1'.
struct HistoryMetaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String
}

/// One row of `runs`: one `bench` invocation on one machine.
public struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Hashable {
    public static let databaseTableName = "runs"
    public var id: Int64?
    public var startedAt: String
    public var machineKey: String
    public var cpuModel: String
    public var cores: Int
    public var memoryGib: Int
    public var os: String
    public var arch: String
    public var swiftVersion: String
    public var buildConfig: String
    public var threads: Int
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var label: String?
    public var command: String?

    enum CodingKeys: String, CodingKey {
        case id, cores, os, arch, threads, label, command
        case startedAt = "started_at", machineKey = "machine_key", cpuModel = "cpu_model", memoryGib = "memory_gib"
        case swiftVersion = "swift_version", buildConfig = "build_config", gitCommit = "git_commit", gitDirty = "git_dirty"
    }

    public init(machine: MachineKey, variant: RunVariant, startedAt: String, command: String? = nil) {
        self.startedAt = startedAt
        machineKey = machine.key
        cpuModel = machine.cpuModel
        cores = machine.cores
        memoryGib = machine.memoryGib
        os = machine.os
        arch = machine.arch
        swiftVersion = variant.swiftVersion
        buildConfig = variant.buildConfig
        threads = variant.threads
        gitCommit = variant.gitCommit
        gitDirty = variant.gitDirty
        label = variant.label
        self.command = command
    }

    public var machine: MachineKey {
        MachineKey(cpuModel: cpuModel, cores: cores, memoryGib: memoryGib, os: os, arch: arch)
    }

    /// 'run 12 (2025-01-31T12:00:00Z, 1a2b3c4d, label "nightly")'.
    public var summary: String {
        var parts = [startedAt]
        if let gitCommit { parts.append(String(gitCommit.prefix(10)) + (gitDirty == true ? "+dirty" : "")) }
        if let label { parts.append("label \"\(label)\"") }
        return "run \(id ?? 0) (\(parts.joined(separator: ", ")))"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One row of `measurements`: the summary statistics of one timed benchmark in one run.
public struct MeasurementRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Hashable {
    public static let databaseTableName = "measurements"
    public var id: Int64?
    public var runID: Int64
    public var suite: String
    public var loss: String
    public var impl: String
    public var pass: String
    public var shape: String
    public var elements: Int
    public var threads: Int
    public var sampleCount: Int
    public var medianNs: Double
    public var minNs: Double
    public var p25Ns: Double
    public var p75Ns: Double
    public var calibrationMedianNs: Double
    public var normalizedMedian: Double

    enum CodingKeys: String, CodingKey {
        case id, suite, loss, impl, pass, shape, elements, threads
        case runID = "run_id", sampleCount = "sample_count", medianNs = "median_ns", minNs = "min_ns"
        case p25Ns = "p25_ns", p75Ns = "p75_ns", calibrationMedianNs = "calibration_median_ns"
        case normalizedMedian = "normalized_median"
    }

    /// What identifies a benchmark across runs.
    public var benchmark: BenchmarkKey { BenchmarkKey(suite: suite, loss: loss, impl: impl, pass: pass, shape: shape) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One row of `samples`: one timed call and the calibration kernel timed right before it.
public struct SampleRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Hashable {
    public static let databaseTableName = "samples"
    public var measurementID: Int64
    public var seq: Int
    public var ns: Double
    public var calibrationNs: Double

    enum CodingKeys: String, CodingKey {
        case seq, ns
        case measurementID = "measurement_id", calibrationNs = "calibration_ns"
    }
}

/// A benchmark's identity across runs.
public struct BenchmarkKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var suite: String
    public var loss: String
    public var impl: String
    public var pass: String
    public var shape: String

    public init(suite: String, loss: String, impl: String, pass: String, shape: String) {
        self.suite = suite
        self.loss = loss
        self.impl = impl
        self.pass = pass
        self.shape = shape
    }

    public var description: String { "\(loss) \(impl) \(pass) \(shape)" + (suite == "standard" ? "" : " (\(suite))") }

    public static func < (a: BenchmarkKey, b: BenchmarkKey) -> Bool {
        (a.suite, a.loss, a.impl, a.pass, a.shape) < (b.suite, b.loss, b.impl, b.pass, b.shape)
    }
}
