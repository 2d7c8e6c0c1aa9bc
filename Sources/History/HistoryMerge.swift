import Foundation
import GRDB

/// What `history merge` did with one source file.
package struct MergeSummary: Sendable, Equatable {
    package var source: String
    /// Runs copied into the target, with their measurements and samples.
    package var runsAdded = 0
    package var measurementsAdded = 0
    package var samplesAdded = 0
    /// Runs the target already held (the same uuid), or that an earlier source of the same merge
    /// brought: left as they are.
    package var runsAlreadyPresent = 0

    package init(source: String) { self.source = source }
}

extension HistoryDatabase {
    /// A run with everything recorded under it, as read from a source history.
    struct PortableRun {
        var run: RunRecord
        var measurements: [StoredMeasurement]
    }

    /// Every run of this history with its measurements and raw samples, each with its identity
    /// (its uuid, or the legacy identity of a run recorded before uuids). Validates what it reads
    /// the way the gate does: a source with impossible times is corrupt, not merged.
    func portableRuns() throws -> [PortableRun] {
        try runs().map { r in
            var run = r
            let measurements = try storedMeasurements(runID: r.id ?? -1)
            if run.uuid == nil { run.uuid = RunIdentity.legacy(r, medians: measurements.map(\.record.medianNs)) }
            return PortableRun(run: run, measurements: measurements)
        }
    }

    /// Merges the runs of `sources` into this history: every run whose uuid it does not hold yet
    /// is copied with its measurements, raw samples and calibration times; runs it holds are left
    /// alone, so merging the same file twice changes nothing.
    ///
    /// Every source is read and validated before anything is written, and all of it is written
    /// in one transaction: a bad source (not a history, another format version, corrupt) or a
    /// failure while writing leaves this history exactly as it was.
    package func merge(_ sources: [HistoryDatabase]) throws -> [MergeSummary] {
        // Within one merge, runs are added oldest first (ties by uuid), whatever the order of the
        // files: "the latest run" and "the run before" of `gate` follow the key order.
        let read = try sources.map { ($0.path, try $0.portableRuns()) }
        let order = read.enumerated().flatMap { i, source in source.1.map { (i, $0) } }
            .sorted { ($0.1.run.startedAt, $0.1.run.uuid ?? "") < ($1.1.run.startedAt, $1.1.run.uuid ?? "") }
        func copyNew(present: Set<String>, insert: (PortableRun) throws -> Void) throws -> [MergeSummary] {
            var present = present
            var summaries = read.map { MergeSummary(source: $0.0) }
            for (i, p) in order {
                guard let uuid = p.run.uuid, !present.contains(uuid) else {
                    summaries[i].runsAlreadyPresent += 1
                    continue
                }
                try insert(p)
                present.insert(uuid)
                summaries[i].runsAdded += 1
                summaries[i].measurementsAdded += p.measurements.count
                summaries[i].samplesAdded += p.measurements.reduce(0) { $0 + $1.samples.count }
            }
            return summaries
        }
        if let postgres {
            return try postgres.sql("merging failed, nothing was written") {
                try postgres.connection.transaction {
                    try copyNew(present: try postgres.lockedUUIDs()) { p in
                        _ = try postgres.insert(p.run, p.measurements.map { ($0.record, $0.samples) })
                    }
                }
            }
        }
        do {
            return try queue.write { d in
                let present = Set(try String.fetchAll(d, sql: "SELECT uuid FROM runs WHERE uuid IS NOT NULL"))
                return try copyNew(present: present) { p in
                    _ = try insert(p.run, p.measurements.map { ($0.record, $0.samples) }, into: d)
                }
            }
        } catch {
            throw HistoryError.io(path: path, detail: "merging failed, nothing was written: \(error)")
        }
    }
}
