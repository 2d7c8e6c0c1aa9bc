import Foundation
import Testing
import FastABI
import History
import Reporting

/// `bench --roofline` records the machine's rates with the run, and performance.md holds each
/// Fast measurement against the bound they give.
@Suite struct RooflineReportTests {
    @Test func theReportHoldsFastAgainstTheBoundOfItsRun() throws {
        let db = try scratchReportHistory("roofline")
        func m(_ suite: String, _ loss: String, _ impl: String, _ pass: String, _ shape: String, _ elements: Int, _ ns: Double, threads: Int = 2) -> MeasurementInput {
            MeasurementInput(suite: suite, loss: loss, impl: impl, pass: pass, shape: shape, elements: elements, threads: threads,
                             samples: [ns, ns, ns], calibration: [1, 1, 1])
        }
        // Read 16 GB/s (elements are bytes), write 8, copy 16; exp 0.5 and log1p 0.25 ns per element, at 2 threads.
        let rates = [m("roofline", "read", "roofline", "forward", "2 x [16777216] float32", 1 << 27, Double(1 << 27) / 16),
                     m("roofline", "write", "roofline", "forward", "[16777216] float32", 1 << 26, Double(1 << 26) / 8),
                     m("roofline", "copy", "roofline", "forward", "c", 1 << 27, Double(1 << 27) / 16),
                     m("roofline", "exp", "roofline", "forward", "e", 1 << 20, Double(1 << 20) / 2),
                     m("roofline", "log1p", "roofline", "forward", "e", 1 << 20, Double(1 << 20) / 4)]
        // l1_loss forward reads 32 MiB: bound 2^25 / 16 ns = 2.097 ms; Fast at 4.194 ms is at 50%.
        let n = 1 << 22
        try db.record(RunRecord(machine: reportMachine,
                                variant: RunVariant(threads: 2, gitCommit: nil, gitDirty: nil, label: "roof"), startedAt: "2025-07-01T00:00:00Z"),
                      rates + [m("standard", "l1_loss", "fast", "forward", "[4194304]", n, Double(8 * n) / 16 * 2),
                               m("standard", "soft_margin_loss", "fast", "forward", "[4194304]", n, Double(n) * 0.75)])
        let files = try PerformanceReport.build(db)
        let md = files.first { $0.path == "performance.md" }!.content
        #expect(md.contains("| l1_loss | forward | [4194304] | 2.10 | 4.19 | 50% | memory (read) |"), "\(md)")
        // soft_margin: an exp and a log1p per element, 0.75 ns: 3.15 ms, above its 2.10 ms of reading; Fast at 3.15 ms.
        #expect(md.contains("| soft_margin_loss | forward | [4194304] | 3.15 | 3.15 | 100% | exp |"), "\(md)")
        #expect(md.contains("Geometric mean, forward: **71%**"))
        #expect(files.contains { $0.path == "charts/roofline.svg" && $0.content.contains("<svg") })
    }
}

/// A fresh history database in the temporary directory, named after the test.
func scratchReportHistory(_ name: String) throws -> HistoryDatabase {
    try HistoryDatabase.openForWriting(FileManager.default.temporaryDirectory
        .appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path)
}

/// The machine of the synthetic report histories.
let reportMachine = MachineKey(cpuModel: "T", cores: 2, memoryGib: 1, os: "L", arch: "x")

/// A standard-suite measurement of 2^22 elements taking `ns` in each of three samples.
func standardMeasurement(_ loss: String, _ impl: String, pass: String = "forward", ns: Double, threads: Int = 2) -> MeasurementInput {
    MeasurementInput(suite: "standard", loss: loss, impl: impl, pass: pass, shape: "[4194304]", elements: 1 << 22,
                     threads: threads, samples: [ns, ns, ns], calibration: [1, 1, 1])
}

/// performance.md's ports table comes from the latest run that timed ports, even when a run of
/// Fast alone came after it.
@Suite struct PortsSpeedSectionTests {
    @Test func aLaterFastOnlyRunDoesNotHideThePorts() throws {
        let db = try scratchReportHistory("ports-speed")
        func m(_ impl: String, _ ns: Double) -> MeasurementInput { standardMeasurement("mse_loss", impl, ns: ns) }
        try db.record(RunRecord(machine: reportMachine, variant: RunVariant(threads: 2, gitCommit: nil, gitDirty: nil, label: "with-ports"),
                                startedAt: "2025-07-01T00:00:00Z"), [m("fast", 1e6), m("port:torch-f32", 3e6)])
        try db.record(RunRecord(machine: reportMachine, variant: RunVariant(threads: 2, gitCommit: nil, gitDirty: nil, label: "fast-only"),
                                startedAt: "2025-07-02T00:00:00Z"), [m("fast", 1.1e6)])
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        #expect(md.contains("## Fast vs the ports") && md.contains("label \"with-ports\""), "\(md)")
        #expect(md.contains("3.00 (3.0×)") || md.contains("3.000 (3.0×)") || md.contains("(3.0×)"), "\(md)")
        #expect(md.contains("Fast is at least as fast as the fastest port on all 1 losses and passes."), "\(md)")
    }

    /// One table per thread count, each from the latest run with ports at it, and the losses on
    /// which the fastest port beats Fast named.
    @Test func eachThreadCountHasItsTableAndFasterPortsAreNamed() throws {
        let db = try scratchReportHistory("ports-threads")
        func m(_ impl: String, _ loss: String, _ ns: Double, _ threads: Int) -> MeasurementInput {
            standardMeasurement(loss, impl, ns: ns, threads: threads)
        }
        func run(_ threads: Int, _ label: String, _ day: Int, _ ms: [MeasurementInput]) throws {
            try db.record(RunRecord(machine: reportMachine, variant: RunVariant(threads: threads, gitCommit: nil, gitDirty: nil, label: label),
                                    startedAt: "2025-07-0\(day)T00:00:00Z"), ms)
        }
        try run(1, "one-old", 1, [m("fast", "mse_loss", 2e6, 1), m("port:torch-f32", "mse_loss", 9e6, 1)])
        try run(1, "one", 2, [m("fast", "mse_loss", 2e6, 1), m("port:torch-f32", "mse_loss", 3e6, 1),
                              m("fast", "l1_loss", 2e6, 1), m("port:torch-f32", "l1_loss", 1e6, 1)])
        try run(2, "two", 3, [m("fast", "mse_loss", 1e6, 2), m("port:torch-f32", "mse_loss", 4e6, 2)])
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        let one = try #require(md.range(of: "### 1 thread\n")), two = try #require(md.range(of: "### 2 threads\n"))
        #expect(one.lowerBound < two.lowerBound)
        #expect(md.contains("label \"one\"") && !md.contains("label \"one-old\"") && md.contains("label \"two\""), "\(md)")
        #expect(md.contains("The fastest port beats Fast on 1 of 2 losses and passes: l1_loss forward (port:torch-f32 0.50×)."), "\(md)")
        #expect(md.contains("(4.0×)"), "\(md)")
    }

    /// The grid's ports table: per size, the geometric mean of port/Fast and the smallest ratio.
    @Test func theGridComparesThePortsAtEverySize() throws {
        let db = try scratchReportHistory("ports-grid")
        func m(_ impl: String, _ loss: String, _ n: Int, _ ns: Double) -> MeasurementInput {
            MeasurementInput(suite: "grid", loss: loss, impl: impl, pass: "forward", shape: "[\(n)]", elements: n,
                             threads: 2, samples: [ns, ns, ns], calibration: [1, 1, 1])
        }
        try db.record(RunRecord(machine: reportMachine,
                                variant: RunVariant(threads: 2, gitCommit: nil, gitDirty: nil, label: "grid"), startedAt: "2025-07-01T00:00:00Z"),
                      [m("fast", "mse_loss", 1024, 1000), m("port:torch-f32", "mse_loss", 1024, 9000),
                       m("fast", "l1_loss", 1024, 1000), m("port:torch-f32", "l1_loss", 1024, 4000),
                       m("fast", "mse_loss", 1 << 22, 1e6), m("port:torch-f32", "mse_loss", 1 << 22, 0.5e6)])
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        #expect(md.contains("| port:torch-f32 | 6.0× (min 4.00×, l1_loss forward) | 0.5× (min 0.50×, mse_loss forward) |"), "\(md)")
    }
}

/// performance.md follows the fastest build of Fast's kernels recorded on the machine and sets the
/// others beside it: a later portable run neither replaces the main sections nor goes unreported.
@Suite struct BuildsSectionTests {
    @Test func theMainSectionsFollowTheFastestBuildAndTheBuildsAreCompared() throws {
        let db = try scratchReportHistory("builds")
        func m(_ pass: String, _ ns: Double) -> MeasurementInput { standardMeasurement("kl_div", "fast", pass: pass, ns: ns) }
        func run(_ isa: String?, _ label: String, _ day: Int) -> RunRecord {
            var r = RunRecord(machine: reportMachine, variant: RunVariant(threads: 2, gitCommit: nil, gitDirty: nil, label: label, isa: isa),
                              startedAt: "2025-07-0\(day)T00:00:00Z")
            r.command = "lossbench bench --impl fast --label \(label)"
            return r
        }
        try db.record(run(nil, "before-builds", 1), [m("forward", 3e6), m("backward", 5e6)])
        try db.record(run("avx2", "avx2", 2), [m("forward", 2e6), m("backward", 4e6)])
        try db.record(run("portable", "portable", 3), [m("forward", 50e6), m("backward", 40e6)])
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        let latest = md.components(separatedBy: "## Latest standard suite")[1].components(separatedBy: "\n## ")[0]
        #expect(latest.contains("label \"avx2\"") && !latest.contains("label \"portable\""), "\(latest)")
        #expect(latest.contains("Reproduce with `LOSSBENCH_ISA=avx2 lossbench bench --impl fast --label avx2`"), "\(latest)")
        let builds = md.components(separatedBy: "## Builds of Fast's kernels")[1].components(separatedBy: "\n## ")[0]
        #expect(builds.contains("| loss | pass | shape | avx2 ms | portable ms | portable / avx2 |"), "\(builds)")
        #expect(builds.contains("| kl_div | forward | [4194304] | 2.00 | 50.00 | 25.00 |"), "\(builds)")
        #expect(builds.contains("| kl_div | backward | [4194304] | 4.00 | 40.00 | 10.00 |"), "\(builds)")
        #expect(builds.contains("Geometric mean, portable over avx2: **15.81×** over 2 measurements."), "\(builds)")
        // The AVX-512 selection leads once recorded; a replaced loss set sorts right after it and
        // reproduces with both variables.
        try db.record(run("avx512[all]", "avx512-all", 4), [m("forward", 1e6), m("backward", 2e6)])
        try db.record(run("avx512", "avx512", 5), [m("forward", 1.5e6), m("backward", 3e6)])
        let four = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        let fourBuilds = four.components(separatedBy: "## Builds of Fast's kernels")[1].components(separatedBy: "\n## ")[0]
        #expect(fourBuilds.contains("| loss | pass | shape | avx512 ms | avx512[all] ms | avx2 ms | portable ms | avx512[all] / avx512 | avx2 / avx512 | portable / avx512 |"), "\(fourBuilds)")
        #expect(fourBuilds.contains("| kl_div | forward | [4194304] | 1.50 | 1.00 | 2.00 | 50.00 | 0.67 | 1.33 | 33.33 |"), "\(fourBuilds)")
        #expect(fourBuilds.contains("Reproduce with `LOSSBENCH_ISA=avx512 LOSSBENCH_AVX512_LOSSES=all lossbench bench --impl fast --label avx512-all`"), "\(fourBuilds)")
        let fourLatest = four.components(separatedBy: "## Latest standard suite")[1].components(separatedBy: "\n## ")[0]
        #expect(fourLatest.contains("label \"avx512\"") && fourLatest.contains("Reproduce with `LOSSBENCH_ISA=avx512 lossbench"), "\(fourLatest)")
        #expect(RecordedBuild.environment("avx512[ctc_loss,mse_loss]") == "LOSSBENCH_ISA=avx512 LOSSBENCH_AVX512_LOSSES=ctc_loss,mse_loss")
        #expect(RecordedBuild.environment("avx512[]") == "LOSSBENCH_ISA=avx512 LOSSBENCH_AVX512_LOSSES=none")
        // One build only: no comparison section.
        let one = try scratchReportHistory("builds1")
        try one.record(run("avx2", "avx2", 2), [m("forward", 2e6)])
        #expect(try !PerformanceReport.build(one).first { $0.path == "performance.md" }!.content.contains("## Builds of Fast's kernels"))
    }
}

/// The latest standard suite's "vs previous run" column compares with the latest earlier run of
/// the same build at the same thread count, never with a run at another thread count.
@Suite struct PreviousRunColumnTests {
    @Test func thePreviousRunHasTheSameThreadsAndBuild() throws {
        let db = try scratchReportHistory("previous-run")
        func run(_ day: Int, threads: Int, isa: String, ns: Double) throws {
            try db.record(RunRecord(machine: reportMachine,
                                    variant: RunVariant(threads: threads, gitCommit: nil, gitDirty: nil, label: "d\(day)", isa: isa),
                                    startedAt: "2025-07-0\(day)T00:00:00Z"),
                          [standardMeasurement("mse_loss", "fast", ns: ns, threads: threads)])
        }
        try run(1, threads: 2, isa: "avx2", ns: 2e6)      // run 1: same threads and build
        try run(2, threads: 2, isa: "portable", ns: 9e6)  // run 2: another build
        try run(3, threads: 1, isa: "avx2", ns: 4e6)      // run 3: another thread count
        try run(4, threads: 2, isa: "avx2", ns: 1e6)      // run 4: half of run 1's time
        let md = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        #expect(md.contains("compares Fast with run 1, the latest earlier standard run of the same build at 2 threads"), "\(md)")
        #expect(md.contains("| mse_loss | [4194304] | forward | 1.00 | – | – | -50.0% |"), "\(md)")
        // The first run of a build and thread count has nothing to compare with.
        try run(5, threads: 4, isa: "avx2", ns: 1e6)
        let first = try PerformanceReport.build(db).first { $0.path == "performance.md" }!.content
        #expect(first.contains("No earlier standard run of the same build at 4 threads") && first.contains("| – |\n"), "\(first)")
    }
}
