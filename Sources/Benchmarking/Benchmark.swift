import Dispatch
import FastABI
import FastDispatch
import Foundation
import History
import LossSpec
import Ports
import Reference

/// Which part of the computation a measurement times.
package enum BenchPass: String, Sendable, Codable, CaseIterable {
    /// The loss value only (no grad_output).
    case forward
    /// Loss and every gradient, in one call.
    case backward
}

/// One benchmark measurement with its raw samples (Docs/Benchmarking.md).
package struct BenchMeasurement: Sendable {
    package var loss: String
    package var impl: String
    package var pass: BenchPass
    package var shape: String
    package var elements: Int
    package var threads: Int
    /// Wall-clock nanoseconds of each timed call, in the order taken.
    package var samples: [Double]
    /// Nanoseconds of the calibration kernel, timed right before each sample.
    package var calibration: [Double]

    package var median: Double { Stats.median(samples) }
    package var min: Double { samples.min() ?? .nan }
    package var calibrationMedian: Double { Stats.median(calibration) }
}

/// How long and how often to measure.
package struct BenchSettings: Sendable {
    /// Untimed runs before the first sample.
    package var warmup = 1
    /// Keep warming up until this much time went into the untimed runs (and `warmup` are done):
    /// a settling time before a measurement, so one that takes several bodies (round robin, the
    /// roofline's yardsticks) spends it on its first body only.
    package var warmupSeconds = 0.0
    package var minSamples = 5
    package var maxSamples = 100
    /// Keep sampling until at least this much time went into samples (and minSamples are taken).
    package var minSeconds = 0.5
    package var threads = FastKernels.defaultThreads

    package init() {}
}

/// Median and quantiles of samples (defined once, in History).
package typealias Stats = History.Stats

/// The timing method: warm-up, then samples interleaved with a fixed calibration kernel, so runs on
/// a noisy shared machine can be compared as ratios to the calibration.
package enum Benchmark {
    /// The calibration kernel: a single-threaded SIMD Float32 sum over 4096 floats (16 KiB, L1
    /// resident), repeated 64 times. It is bound by the core's arithmetic, not by what the
    /// benchmark left in the caches (a 4 MiB kernel measured 5× apart within one run after large
    /// benchmarks evicted it), so it tracks the machine's current speed, not the code under test.
    ///
    /// Two things keep it the same kernel in every process. Its 16 KiB are 64-byte aligned: in an
    /// ordinary array they started wherever the heap put them, and a sum whose vector loads split
    /// cache lines ran 1.45× slower (4,450 against 6,500 ns on AMD EPYC with AVX2 loads, 2,480
    /// against 4,300 with AVX-512's), so one process in two or three normalized by a different
    /// speed (runs 7 to 19 of Reports/history.sqlite alternate between the two). And it is the
    /// calibration build's code (`FastDispatch.calibrationBuild`), not the code of whichever
    /// build `LOSSBENCH_ISA` selects, so normalized times of two builds compare.
    nonisolated(unsafe) package static let calibrationData: UnsafeBufferPointer<Float> = {
        let count = 4096
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        let values = raw.bindMemory(to: Float.self, capacity: count)
        for i in 0..<count { values[i] = Float(i % 1000) * 0.001 }
        return UnsafeBufferPointer(start: values, count: count)  // never freed: one per process
    }()

    @inline(never)
    package static func calibrationKernel() -> Double {
        FastDispatch.calibrationBuild.yardsticks.calibrationSum(calibrationData, repeats: 64)
    }

    /// One calibration time: the faster of two back-to-back runs, so the first run's cache and
    /// frequency warm-up after a benchmark sample does not count.
    static func calibrationSample(_ sink: inout Double) -> Double {
        var best = Double.infinity
        for _ in 0..<2 {
            let c0 = now()
            sink += calibrationKernel()
            best = min(best, Double(now() - c0))
        }
        return best
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Times `body`: warm-up, then samples until both `minSamples` and `minSeconds` are reached
    /// (or `maxSamples`), each preceded by a calibration measurement (`sampleRoundRobin` with one body).
    package static func sample(_ settings: BenchSettings, _ body: () throws -> Void) throws -> (samples: [Double], calibration: [Double]) {
        try withoutActuallyEscaping(body) { body in try sampleRoundRobin(settings, [body])[0] }
    }

    /// Measures a port on one problem and pass: the port loads the problem once (its first call,
    /// compilation included, is reported apart by the port and not sampled), then each sample is
    /// one call timed inside the port, preceded here by a calibration measurement.
    package static func measurePort(_ problem: BenchProblem, port: PortImplementation, pass: BenchPass,
                                   settings: BenchSettings) throws -> BenchMeasurement {
        let loaded = try port.load(pass == .forward ? problem.forward : problem.backward)
        defer { port.unload(loaded) }
        var warming = settings
        warming.warmup = settings.warmup - 1  // the load's first call was the first warm-up run
        try warmUp(warming) { _ = try port.run(loaded) }
        var samples: [Double] = [], calibration: [Double] = []
        var sink = 0.0, spent = 0.0
        while samples.count < settings.maxSamples && (samples.count < settings.minSamples || spent < settings.minSeconds) {
            calibration.append(calibrationSample(&sink))
            let ns = try port.run(loaded)
            samples.append(ns)
            spent += ns / 1e9
        }
        if sink.isNaN { print("") }
        return BenchMeasurement(loss: problem.loss.rawValue, impl: port.name, pass: pass, shape: problem.shape,
                                elements: problem.elements, threads: port.threads, samples: samples, calibration: calibration)
    }

    /// Measures one implementation on one problem and pass.
    package static func measure(_ problem: BenchProblem, impl: String, pass: BenchPass,
                               settings: BenchSettings) throws -> BenchMeasurement {
        let c = pass == .forward ? problem.forward : problem.backward
        let timing: (samples: [Double], calibration: [Double])
        var threads = settings.threads
        switch impl {
        case "fast":
            let prepared = try FastDispatch.selected().prepare(c)
            _ = try prepared.run(threads: threads)  // fail before timing if the case is rejected
            timing = try sample(settings) { _ = try prepared.run(threads: settings.threads) }
        case "reference":
            threads = 1
            _ = try Reference.evaluate(c)
            timing = try sample(settings) { _ = try Reference.evaluate(c) }
        default:
            throw LossError(.invalidOption, argument: "impl", "unknown implementation '\(impl)'; available: fast, reference")
        }
        return BenchMeasurement(loss: problem.loss.rawValue, impl: impl, pass: pass, shape: problem.shape,
                           elements: problem.elements, threads: threads,
                           samples: timing.samples, calibration: timing.calibration)
    }

    /// The read-bandwidth comparison of issue 4: a plain multithreaded Float32 SIMD sum over two
    /// arrays of `elements` floats (the bytes an elementwise loss's forward reads) and the Fast
    /// forward of each problem, sampled round-robin: one sample of each per round, every sample
    /// after its own calibration. The memory bandwidth of this shared machine moves in spells
    /// (2^24-element sums took 2.4 ms in one spell and 3.6 ms in the next, within one run); timed
    /// one after the other, the baseline and a loss could land in different spells, so one run
    /// showed l1_loss at 143% of the baseline and another mse_loss at 67%. Interleaved, every
    /// measurement covers the same spells.
    ///
    /// Returns the baseline (loss `float32_sum`, impl `baseline`) first, then one Fast forward
    /// measurement per problem.
    package static func measureBandwidth(_ problems: [BenchProblem], elements: Int,
                                        settings: BenchSettings) throws -> [BenchMeasurement] {
        let a = [Float](repeating: 1, count: elements), b = [Float](repeating: 2, count: elements)
        let threads = settings.threads, kernels = try FastDispatch.selected(), yardsticks = kernels.yardsticks
        let prepared = try problems.map { try kernels.prepare($0.forward) }
        for p in prepared { _ = try p.run(threads: threads) }  // fail before timing if a case is rejected
        let timings = try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                let x = pa.baseAddress!, y = pb.baseAddress!
                var sink = 0.0
                let baseline: () throws -> Void = {
                    sink += yardsticks.plainSum(x, y, count: elements, threads: threads)
                }
                let bodies = [baseline] + prepared.map { p in { () throws -> Void in _ = try p.run(threads: threads) } }
                let result = try sampleRoundRobin(settings, bodies)
                if sink.isNaN { print("") }  // keeps the baseline's sums alive
                return result
            }
        }
        var out = [BenchMeasurement(loss: "float32_sum", impl: "baseline", pass: .forward, shape: "2 x [\(elements)]",
                                    elements: elements, threads: threads, samples: timings[0].samples,
                                    calibration: timings[0].calibration)]
        for (k, problem) in problems.enumerated() {
            out.append(BenchMeasurement(loss: problem.loss.rawValue, impl: "fast", pass: .forward, shape: problem.shape,
                                        elements: problem.elements, threads: threads, samples: timings[k + 1].samples,
                                        calibration: timings[k + 1].calibration))
        }
        return out
    }

    /// The machine's rates for the roofline (`bench --roofline`), on 1 thread and on `threads`,
    /// each sampled back to back like the losses, so each runs from the caches it warmed itself:
    ///
    /// - `read`: the plain SIMD sum of two arrays of 2^22 floats (32 MiB, the footprint of the
    ///   standard suite's elementwise problems);
    /// - `write`: a fill of 2^22 floats (16 MiB);
    /// - `copy`: y = x + 1 over 2^22 floats, reading and writing at once;
    /// - `exp`, `log`, `log1p`, `division`: Fast's own vector routines over an L1-resident block
    ///   of 4096 floats, 256 times per sample (2^20 elements), per thread.
    ///
    /// - `traffic`, at `threads` only, for each of `footprints` (the passes being held against
    ///   the roofline): the pass's bytes read and written with no arithmetic
    ///   (`Yardsticks.traffic`), which is that pass's memory time.
    ///
    /// Each is a measurement of impl `roofline` whose `elements` turn its median into a rate
    /// (bytes or elements per nanosecond), recorded in the history as suite `roofline`.
    package static func measureRoofline(settings: BenchSettings, footprints: [WorkModel.Footprint] = []) throws -> [BenchMeasurement] {
        // The standard suite's footprint: its elementwise inputs are 2^22 floats each, so the
        // yardsticks stream arrays of that size (at 2^24 they measured DRAM alone, while the losses'
        // 32 MiB partly stayed in this machine's L3 and ran at 150% of that "bound").
        let big = 1 << 22, repeats = 256
        let yardsticks = try FastDispatch.selected().yardsticks
        let a = [Float](repeating: 1, count: big), b = [Float](repeating: 2, count: big)
        var w = [Float](repeating: 0, count: big)
        // Arguments in each operation's domain: exp in [−8, 0], log and division in [0.5, 8], log1p in [0, 4].
        let block = (0..<4096).map { Float($0 % 512) / 64 + 0.5 }
        let threadCounts = settings.threads > 1 ? [1, settings.threads] : [1]
        var names: [(loss: String, shape: String, elements: Int, threads: Int)] = []
        let timings = try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try w.withUnsafeMutableBufferPointer { buffer in
                    let written = buffer.baseAddress!
                    return try block.withUnsafeBufferPointer { pblock in
                        var sink = 0.0
                        var bodies: [() throws -> Void] = []
                        for t in threadCounts {
                            bodies.append { sink += yardsticks.plainSum(pa.baseAddress!, pb.baseAddress!, count: big, threads: t) }
                            names.append(("read", "2 x [\(big)] float32", 8 * big, t))
                            bodies.append { yardsticks.fill(written, count: big, value: Float(sink.isNaN ? 1 : 0), threads: t) }
                            names.append(("write", "[\(big)] float32", 4 * big, t))
                            bodies.append { yardsticks.copy(pa.baseAddress!, written, count: big, threads: t) }
                            names.append(("copy", "[\(big)] -> [\(big)] float32", 8 * big, t))
                            for op in FastYardsticks.Operation.allCases {
                                bodies.append { sink += yardsticks.throughput(op, pblock, repeats: repeats, threads: t) }
                                names.append((op.rawValue, "4096 x \(repeats) x \(t) threads", 4096 * repeats * t, t))
                            }
                        }
                        // Sources like a loss's inputs, destinations like its gradients: as many
                        // arrays as the widest footprint has, each as long as the longest there.
                        func longest(_ sizes: (WorkModel.Footprint) -> [Int]) -> [Int] {
                            (0..<(footprints.map { sizes($0).count }.max() ?? 0)).map { s in
                                footprints.map { s < sizes($0).count ? sizes($0)[s] / 4 : 0 }.max()!
                            }
                        }
                        let sources = longest(\.reads).map { yardsticks.allocate($0, value: 1, likeGradient: false) }
                        let destinations = longest(\.writes).map { yardsticks.allocate($0, value: 0, likeGradient: true) }
                        defer { for b in sources + destinations { b.deallocate() } }
                        let ps = sources.map { UnsafePointer($0.baseAddress!) }, pd = destinations.map { $0.baseAddress! }
                        for f in footprints {
                            let (rs, ws) = (Array(ps.prefix(f.reads.count)), Array(pd.prefix(f.writes.count)))
                            bodies.append {
                                sink += yardsticks.traffic(sources: rs, readCounts: f.reads.map { $0 / 4 }, destinations: ws,
                                                           writeCounts: f.writes.map { $0 / 4 }, threads: settings.threads)
                            }
                            names.append(("traffic", f.shape, f.reads.reduce(0, +) + f.writes.reduce(0, +), settings.threads))
                        }
                        // Each yardstick is sampled back to back, as a loss is: taken in turn with
                        // the others, every sample started from caches the others had filled (run 26
                        // measured 34 GB/s that way, while l1_loss read the same 32 MiB at 57 GB/s).
                        var settling = settings
                        let result = try bodies.map { body in
                            defer { settling.warmupSeconds = 0 }
                            return try sample(settling, body)
                        }
                        if sink.isNaN { print("") }
                        return result
                    }
                }
            }
        }
        return zip(names, timings).map { name, timing in
            BenchMeasurement(loss: name.loss, impl: "roofline", pass: .forward, shape: name.shape, elements: name.elements,
                             threads: name.threads, samples: timing.samples, calibration: timing.calibration)
        }
    }

    /// The rates at `threads` from `bench --roofline`'s measurements (the largest thread count
    /// measured that does not exceed it).
    package static func rooflineRates(_ ms: [(loss: String, shape: String, elements: Int, threads: Int, medianNs: Double)],
                                      threads: Int) -> WorkModel.Rates? {
        let usable = ms.filter { $0.threads <= threads }
        guard let t = usable.map(\.threads).max() else { return nil }
        func rate(_ name: String) -> Double? {
            usable.first { $0.loss == name && $0.threads == t }.map { Double($0.elements) / $0.medianNs }
        }
        guard let read = rate("read"), let write = rate("write") else { return nil }
        let copy = rate("copy") ?? 1 / (1 / read + 1 / write)
        var ops: [FastYardsticks.Operation: Double] = [:]
        for op in FastYardsticks.Operation.allCases { if let r = rate(op.rawValue) { ops[op] = 1 / r } }
        // A pass's memory time is the fastest plain loop measured at exactly its footprint: its
        // traffic yardstick, or the read, write or copy yardstick where that moves the same arrays
        // (the plain sum of two arrays reads 2^22-float input and target faster than the generic
        // traffic loop does).
        var traffic: [WorkModel.Footprint: Double] = [:]
        for m in usable where m.threads == t {
            let half = m.elements / 2
            let footprint: WorkModel.Footprint? = switch m.loss {
            case "traffic": WorkModel.Footprint(shape: m.shape)
            case "read": WorkModel.Footprint(reads: [half, half], writes: [])
            case "write": WorkModel.Footprint(reads: [], writes: [m.elements])
            case "copy": WorkModel.Footprint(reads: [half], writes: [half])
            default: nil
            }
            if let footprint { traffic[footprint] = min(traffic[footprint] ?? .infinity, m.medianNs) }
        }
        return WorkModel.Rates(read: read, write: write, copy: copy, nsPerOperation: ops, traffic: traffic)
    }

    /// Runs `body` untimed `settings.warmup` times, and on until `settings.warmupSeconds` passed.
    static func warmUp(_ settings: BenchSettings, _ body: () throws -> Void) rethrows {
        let start = now()
        var runs = 0
        while runs < settings.warmup || Double(now() - start) / 1e9 < settings.warmupSeconds {
            try body()
            runs += 1
        }
    }

    /// Times several bodies in rounds, one sample of each per round (each preceded by a calibration
    /// measurement), until every body has `minSamples` samples and `minSeconds` of them, or
    /// `maxSamples` rounds were run. Warm-up runs each body `warmup` times first.
    static func sampleRoundRobin(_ settings: BenchSettings, _ bodies: [() throws -> Void])
        throws -> [(samples: [Double], calibration: [Double])] {
        var settling = settings
        for body in bodies {
            try warmUp(settling, body)
            settling.warmupSeconds = 0
        }
        var timings = [(samples: [Double], calibration: [Double])](repeating: ([], []), count: bodies.count)
        var spent = [Double](repeating: 0, count: bodies.count)
        var sink = 0.0
        var rounds = 0
        while rounds < settings.maxSamples && (rounds < settings.minSamples || spent.min() ?? 0 < settings.minSeconds) {
            for (k, body) in bodies.enumerated() {
                timings[k].calibration.append(calibrationSample(&sink))
                let c1 = now()
                try body()
                let c2 = now()
                timings[k].samples.append(Double(c2 - c1))
                spent[k] += Double(c2 - c1) / 1e9
            }
            rounds += 1
        }
        if sink.isNaN { print("") }
        return timings
    }
}
