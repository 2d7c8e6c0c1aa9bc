import ArgumentParser
import CAllocator
import FastABI
import Foundation
import History
import Ports
import LossSpec
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench bench`: times implementations on the standard suite (Docs/Benchmarking.md).
struct Bench: ParsableCommand, DefaultImplementations {
    static let defaultImplementations: [ImplementationName] = [.fast, .reference]

    static let configuration = CommandConfiguration(
        abstract: "Time implementations on the standard suite, a size grid, and a bandwidth baseline.",
        discussion: """
            Each measurement: warm-up, then samples until --min-samples and --min-time are reached; \
            every sample is preceded by a fixed calibration kernel so runs on a noisy machine can be \
            compared as ratios. Build in release mode: swift build -c release --product lossbench.
            --json prints one JSON object per line: loss, impl, pass, shape, elements, threads, \
            median_ns, min_ns, p25_ns, p75_ns, samples (the count), calibration_median_ns, raw_ns (the samples).
            Every run is recorded, with its raw samples and calibration times, in the history database \
            (--history) unless --no-record; see `lossbench history`, \
            `lossbench gate` and `lossbench report`. Exit 3 if the history database is unusable.
            """
    )

    @OptionGroup var impls: ImplementationSelection<Bench>
    @OptionGroup var lossSelection: LossSelection

    @Option(name: .long, help: ArgumentHelp("Passes, comma-separated; backward times the loss and every gradient in one call.",
                                            valueName: "pass,..."))
    var pass = CommaSeparated<BenchPass>([.forward, .backward])

    @Option(name: .long, help: ArgumentHelp(
        "Threads for Fast and the ports, \(ThreadCount.range.lowerBound) to \(ThreadCount.range.upperBound); all cores when not given.",
        discussion: "Each port is started with LOSSBENCH_PORT_THREADS set to it unless its manifest's command sets that itself; the port's threads are recorded with its measurements.",
        valueName: "n"))
    var threads: ThreadCount?

    @Flag(name: .long, help: "Also run the size grid (2^10 … 2^24 elements) for the selected losses.")
    var grid = false

    @Option(name: .long, help: ArgumentHelp(
        "Time only problems of about this many elements (suite grid) instead of the standard suite: a quick smoke run, e.g. 4096.",
        valueName: "n"))
    var elements: Int?

    @Flag(name: .long, help: "Also measure Fast's forward of the memory-bound losses at 2^24 elements against a plain Float32 sum of the same bytes, sampled in turn.")
    var bandwidth = false

    @Flag(name: .long, help: ArgumentHelp(
        "Also measure the machine's roofline and hold each Fast measurement of the standard suite against its own bound.",
        discussion: """
            Read, write and read+write bandwidth and the throughput of Fast's vector exp, log, log1p and division, at \
            1 thread and --threads, each sampled back to back as a loss is (suite roofline in the history). Each loss and pass has a work model (bytes read \
            and written, operations per element or row); its bound is the larger of its memory time and its operation \
            time, and the summary shows Fast's achieved fraction of it.
            """))
    var roofline = false

    @Option(name: .long, help: ArgumentHelp("Minimum samples per measurement.", valueName: "n"))
    var minSamples = 5

    @Option(name: .long, help: ArgumentHelp("Maximum samples per measurement.", valueName: "n"))
    var maxSamples = 100

    @Option(name: .long, help: ArgumentHelp("Minimum seconds of samples per measurement.", valueName: "seconds"))
    var minTime = 0.5

    @Option(name: .long, help: ArgumentHelp(
        "Seconds of warm-up for the measurement that follows a port's.",
        discussion: """
            Right after a port's samples, the first few hundred milliseconds of the next \
            implementation's multithreaded runs were slow on this kind of virtual machine: Fast's \
            2-thread times in a peer run reached 1.8x its solo times (and not after the single-threaded \
            Reference), so the measurement after a port warms up this long before it samples.
            """, valueName: "seconds"))
    var portSettle = 0.3

    @Flag(name: .long, help: "Print JSON lines instead of the table.")
    var json = false

    @OptionGroup var historyDatabase: HistoryDatabaseOption

    @Flag(name: .long, help: "Do not record this run in the history database.")
    var noRecord = false

    @Option(name: .long, help: ArgumentHelp(
        "A label for this run in the history (e.g. 'before-simd'); `gate --baseline label:NAME` finds it.", valueName: "name"))
    var label: String?

    func validate() throws {
        guard minSamples >= 1, maxSamples >= minSamples else {
            throw ValidationError("--min-samples must be ≥ 1 and --max-samples ≥ --min-samples")
        }
        if let elements, !(1...(1 << 26)).contains(elements) {
            throw ValidationError("--elements must be 1 to \(1 << 26), got \(elements)")
        }
        if elements != nil && grid {
            throw ValidationError("--elements replaces the standard suite by one size; --grid adds every size: choose one")
        }
        guard minTime.isFinite, minTime >= 0 else {
            throw ValidationError("--min-time must be a finite number of seconds ≥ 0, got \(minTime)")
        }
        guard portSettle.isFinite, (0...60).contains(portSettle) else {
            throw ValidationError("--port-settle must be 0 to 60 seconds, got \(portSettle)")
        }
    }

    /// The thread count of Fast's runs: --threads, or every core.
    var threadCount: Int { threads?.value ?? FastKernels.defaultThreads }

    /// glibc serves blocks above 128 KiB with mmap and returns them on free, so every call that
    /// allocates its 16 MiB gradients would pay for page faults on fresh pages — a cost of the
    /// allocator, not of the kernel, and one PyTorch avoids with its caching CPU allocator. Raising
    /// the thresholds keeps freed blocks in the heap for reuse, as a long-running process would.
    func keepLargeAllocations() {
        _ = lossbench_keep_large_allocations()
    }

    func run() throws {
        keepLargeAllocations()
        let losses = try lossSelection.selectedOrAll
        let passes = pass.elements
        let impls = self.impls.names
        // Ports are started (and handshaken) before anything is measured.
        let threads = threadCount
        // Ports run with --threads intra-op threads too, unless their manifest sets them.
        let ports = Dictionary(uniqueKeysWithValues: try self.impls.resolve(portThreads: threads).compactMap { $0 as? PortImplementation }
            .map { ($0.name, $0) })
        var settings = BenchSettings()
        settings.threads = threads
        settings.minSamples = minSamples
        settings.maxSamples = maxSamples
        settings.minSeconds = minTime

        // Fail before measuring if the history cannot take the run.
        let history = historyDatabase.history
        let store = noRecord ? nil : try BenchHistory.open(history)
        let startedAt = BenchHistory.now()
        var problems = elements.map { n in losses.map { (Suite.grid, BenchSuite.problem($0, elements: n)) } }
            ?? losses.map { (Suite.standard, BenchSuite.standard($0)) }
        if grid {
            problems += losses.flatMap { l in BenchSuite.gridSizes.map { (Suite.grid, BenchSuite.problem(l, elements: $0)) } }
        }
        var results: [BenchMeasurement] = []
        var recorded: [MeasurementInput] = []
        if !json {
            print("lossbench bench: \(problems.count) problems × \(passes.count) passes × \(impls.count) impls, \(threads) threads")
            if impls.contains("fast") { print(CLI.fastBuildLine) }
        }
        // The measurement after a port's warms up for --port-settle.
        var afterPort = false
        for (suite, problem) in problems {
            for p in passes {
                for i in impls {
                    var settings = settings
                    settings.warmupSeconds = afterPort ? portSettle : 0
                    afterPort = ports[i] != nil
                    do {
                        let m = try ports[i].map { try Benchmark.measurePort(problem, port: $0, pass: p, settings: settings) }
                            ?? Benchmark.measure(problem, impl: i, pass: p, settings: settings)
                        results.append(m)
                        recorded.append(BenchHistory.input(m, suite: suite))
                        emit(m)
                    } catch {
                        CLI.warn("\(problem.loss.rawValue) \(problem.shape) \(i) \(p.rawValue): \(error)")
                    }
                }
            }
        }
        if afterPort { settings.warmupSeconds = portSettle }
        if roofline {
            // A traffic yardstick for each footprint Fast's standard-suite passes have.
            let footprints = impls.contains("fast")
                ? Set(problems.filter { $0.0 == .standard }.flatMap { _, problem in passes.map { WorkModel.of(problem, pass: $0).footprint } })
                : []
            for m in try Benchmark.measureRoofline(settings: settings, footprints: footprints.sorted()) {
                results.append(m)
                recorded.append(BenchHistory.input(m, suite: .roofline))
                emit(m)
            }
        }
        if bandwidth {
            // Fast's forward of the memory-bound losses and the plain-sum baseline, interleaved
            // sample by sample (see `Benchmark.measureBandwidth`).
            let memoryBound = BenchSuite.memoryBound.filter(losses.contains).map { BenchSuite.problem($0, elements: 1 << 24) }
            for m in try Benchmark.measureBandwidth(memoryBound, elements: 1 << 24, settings: settings) {
                results.append(m)
                recorded.append(BenchHistory.input(m, suite: .bandwidth))
                emit(m)
            }
        }
        if !json { print("\n" + summary(results) + rooflineSummary(recorded, threads: threads)) }
        if let store {
            let run = try BenchHistory.record(store, recorded, startedAt: startedAt, threads: threads, label: label)
            if !json { print("recorded as \(run.summary) in \(history)") }
        }
    }

    func emit(_ m: BenchMeasurement) {
        if json {
            print(BenchJSON.line(m))
        } else {
            print(String(format: "  %-34@ %-9@ %-16@ %-9@ median %10.3f ms  min %10.3f ms  (%d samples)",
                         m.loss, m.pass.rawValue, m.shape, m.impl, m.median / 1e6, m.min / 1e6, m.samples.count))
        }
    }

    /// Fast's standard-suite measurements against their roofline bounds (with `--roofline`).
    func rooflineSummary(_ recorded: [MeasurementInput], threads: Int) -> String {
        let machine = recorded.filter { $0.suite == Suite.roofline.rawValue }
            .map { (loss: $0.loss, shape: $0.shape, elements: $0.elements, threads: $0.threads, medianNs: Stats.median($0.samples)) }
        let fast = recorded.filter { $0.suite == Suite.standard.rawValue && $0.impl == "fast" }
            .map { (loss: $0.loss, pass: $0.pass, shape: $0.shape, medianNs: Stats.median($0.samples)) }
        guard let (rates, rows) = Roofline.evaluate(machine: machine, fast: fast, threads: threads) else { return "" }
        let table = rows.map { r in
            [r.loss, r.pass, String(format: "%.3f", r.boundNs / 1e6), String(format: "%.3f", r.medianNs / 1e6),
             String(format: "%.0f%%", 100 * r.fraction), r.binding]
        }
        return "\nroofline at \(threads) threads: " + Roofline.ratesLine(rates) + "\n"
            + CLI.table(["loss", "pass", "bound ms", "fast ms", "of bound", "bound by"], table, rightAligned: [2, 3, 4])
    }

    /// Fast vs Reference speedups and bandwidth ratios.
    func summary(_ results: [BenchMeasurement]) -> String {
        var rows: [[String]] = []
        var speedups: [Double] = []
        for m in results where m.impl == "fast" {
            let ref = results.first { $0.impl == "reference" && $0.loss == m.loss && $0.pass == m.pass && $0.shape == m.shape }
            let s = ref.map { $0.median / m.median }
            if let s { speedups.append(s) }
            rows.append([m.loss, m.pass.rawValue, m.shape, String(format: "%.3f", m.median / 1e6),
                         ref.map { String(format: "%.3f", $0.median / 1e6) } ?? "-", s.map { String(format: "%.1f×", $0) } ?? "-"])
        }
        var out = CLI.table(["loss", "pass", "shape", "fast ms", "reference ms", "speedup"], rows, rightAligned: [3, 4, 5])
        if !speedups.isEmpty {
            let geo = Foundation.exp(speedups.map { Foundation.log($0) }.reduce(0, +) / Double(speedups.count))
            out += String(format: "\ngeometric-mean speedup of fast over reference: %.1f× (%d measurements)\n", geo, speedups.count)
        }
        // Each port against Fast, from the same run: time of the port / time of Fast.
        let ports = Array(Set(results.map(\.impl).filter { $0.hasPrefix("port:") || !["fast", "reference", "baseline", "roofline"].contains($0) })).sorted()
        if !ports.isEmpty {
            var portRows: [[String]] = []
            for m in results where m.impl == "fast" {
                var row = [m.loss, m.pass.rawValue, m.shape]
                for p in ports {
                    let other = results.first { $0.impl == p && $0.loss == m.loss && $0.pass == m.pass && $0.shape == m.shape }
                    row.append(other.map { String(format: "%.3f ms (%.1f×)", $0.median / 1e6, $0.median / m.median) } ?? "-")
                }
                portRows.append(row)
            }
            out += "\nports (median, and how many times Fast's time):\n"
                + CLI.table(["loss", "pass", "shape"] + ports, portRows, rightAligned: Set(3..<(3 + ports.count)))
        }
        if let base = results.first(where: { $0.loss == "float32_sum" }) {
            out += String(format: "\nbandwidth baseline (plain Float32 sum of 2 × 2^24 floats, sampled in turn with the losses): %.3f ms = %.1f GB/s\n",
                          base.median / 1e6, Double(2 * 4 * (1 << 24)) / base.median)
            for m in results where m.impl == "fast" && m.pass == .forward && m.elements == 1 << 24 {
                out += String(format: "  %-16@ %.3f ms: %.0f%% of the baseline's bandwidth\n", m.loss, m.median / 1e6, 100 * base.median / m.median)
            }
        }
        return out
    }
}
