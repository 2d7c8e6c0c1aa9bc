import Foundation
import GRDB
import GoldenStore

/// One row of `meta`: format = 'lossbench-history', format_version = '1'.
struct HistoryMetaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"
    var key: String
    var value: String
}

/// One row of `runs`: one `bench` invocation on one machine.
package struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Hashable {
    package static let databaseTableName = "runs"
    package var id: Int64?
    package var startedAt: String
    package var machineKey: String
    package var cpuModel: String
    package var cores: Int
    package var memoryGib: Int
    package var os: String
    package var arch: String
    package var swiftVersion: String
    package var buildConfig: String
    package var threads: Int
    package var gitCommit: String?
    package var gitDirty: Bool?
    package var label: String?
    package var command: String?
    /// The run's globally unique id (a lowercase UUID), the same in every file the run is
    /// merged into; `id` is only this file's key. Nil only when read from a file recorded before
    /// the column existed (see `RunIdentity`).
    package var uuid: String?
    /// The build of Fast's kernels measured (`RunVariant.isa`); nil before migration v3.
    package var isa: String?

    enum CodingKeys: String, CodingKey {
        case id, cores, os, arch, threads, label, command, uuid, isa
        case startedAt = "started_at", machineKey = "machine_key", cpuModel = "cpu_model", memoryGib = "memory_gib"
        case swiftVersion = "swift_version", buildConfig = "build_config", gitCommit = "git_commit", gitDirty = "git_dirty"
    }

    package init(machine: MachineKey, variant: RunVariant, startedAt: String, command: String? = nil) {
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
        isa = variant.isa
        self.command = command
        uuid = UUID().uuidString.lowercased()
    }

    package var machine: MachineKey {
        MachineKey(cpuModel: cpuModel, cores: cores, memoryGib: memoryGib, os: os, arch: arch)
    }

    /// 'run 12 (2025-01-31T12:00:00Z, 1a2b3c4d, label "nightly")'.
    package var summary: String {
        var parts = [startedAt]
        if let gitCommit { parts.append(String(gitCommit.prefix(10)) + (gitDirty == true ? "+dirty" : "")) }
        if let label { parts.append("label \"\(label)\"") }
        if let isa { parts.append(isa) }
        return "run \(id ?? 0) (\(parts.joined(separator: ", ")))"
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Whether this run and `other` timed the same build of Fast's kernels, as far as is known:
    /// a run recorded before `isa` was kept matches any.
    package func sameBuild(as other: RunRecord) -> Bool {
        guard let isa, let otherISA = other.isa else { return true }
        return isa == otherISA
    }
}

/// One row of `measurements`: the summary statistics of one timed benchmark in one run.
package struct MeasurementRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Hashable {
    package static let databaseTableName = "measurements"
    package var id: Int64?
    package var runID: Int64
    package var suite: String
    package var loss: String
    package var impl: String
    package var pass: String
    package var shape: String
    package var elements: Int
    package var threads: Int
    package var sampleCount: Int
    package var medianNs: Double
    package var minNs: Double
    package var p25Ns: Double
    package var p75Ns: Double
    package var calibrationMedianNs: Double
    package var normalizedMedian: Double

    enum CodingKeys: String, CodingKey {
        case id, suite, loss, impl, pass, shape, elements, threads
        case runID = "run_id", sampleCount = "sample_count", medianNs = "median_ns", minNs = "min_ns"
        case p25Ns = "p25_ns", p75Ns = "p75_ns", calibrationMedianNs = "calibration_median_ns"
        case normalizedMedian = "normalized_median"
    }

    /// What identifies a benchmark across runs.
    package var benchmark: BenchmarkKey { BenchmarkKey(suite: suite, loss: loss, impl: impl, pass: pass, shape: shape) }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One row of `samples`: one timed call and the calibration kernel timed right before it.
package struct SampleRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Hashable {
    package static let databaseTableName = "samples"
    package var measurementID: Int64
    package var seq: Int
    package var ns: Double
    package var calibrationNs: Double

    enum CodingKeys: String, CodingKey {
        case seq, ns
        case measurementID = "measurement_id", calibrationNs = "calibration_ns"
    }
}

/// A benchmark's identity across runs.
package struct BenchmarkKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var suite: String
    package var loss: String
    package var impl: String
    package var pass: String
    package var shape: String

    package init(suite: String, loss: String, impl: String, pass: String, shape: String) {
        self.suite = suite
        self.loss = loss
        self.impl = impl
        self.pass = pass
        self.shape = shape
    }

    package var description: String { "\(loss) \(impl) \(pass) \(shape)" + (suite == "standard" ? "" : " (\(suite))") }

    package static func < (a: BenchmarkKey, b: BenchmarkKey) -> Bool {
        (a.suite, a.loss, a.impl, a.pass, a.shape) < (b.suite, b.loss, b.impl, b.pass, b.shape)
    }
}

/// Run identities.
package enum RunIdentity {
    /// The identity of a run recorded before runs had a uuid: a UUID-shaped digest (version
    /// nibble 8, "custom") of everything that distinguishes one run from another, its fields and
    /// its measurements' medians in order. Two copies of one old run get the same identity; two
    /// different runs would have to agree on every median to the bit to collide.
    package static func legacy(_ run: RunRecord, medians: [Double]) -> String {
        var h = SHA256()
        let fields: [String?] = [run.startedAt, run.machineKey, run.swiftVersion, run.buildConfig, String(run.threads),
                                 run.gitCommit, run.gitDirty.map { $0 ? "1" : "0" }, run.label, run.command]
        for f in fields { h.update(f.map { "+" + $0 } ?? "-"); h.update([0]) }
        for m in medians { h.update(String(m.bitPattern, radix: 16)); h.update([0]) }
        var hex = Array(h.finalizeHex().prefix(32))
        hex[12] = "8"
        hex[16] = ["8", "9", "a", "b"][Int(String(hex[16]), radix: 16)! & 3]
        let s = String(hex)
        let cut = [8, 4, 4, 4, 12]
        var parts: [Substring] = [], i = s.startIndex
        for n in cut { let j = s.index(i, offsetBy: n); parts.append(s[i..<j]); i = j }
        return parts.joined(separator: "-")
    }
}
