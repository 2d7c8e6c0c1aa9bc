import FastDispatch
import Foundation
import Testing
import LossSpec
@testable import Benchmarking

/// The timing harness: what it samples and in which order (never how fast anything is).
@Suite struct BenchmarkTests {
    static var quick: BenchSettings {
        var s = BenchSettings()
        s.minSamples = 4
        s.maxSamples = 4
        s.minSeconds = 0
        s.warmup = 1
        return s
    }

    /// One sample of each body per round, in the given order, after one warm-up call each.
    @Test func roundRobinInterleavesTheBodies() throws {
        var calls: [Int] = []
        let bodies: [() throws -> Void] = (0..<3).map { k in { calls.append(k) } }
        let timings = try Benchmark.sampleRoundRobin(Self.quick, bodies)
        #expect(calls == [0, 1, 2] + Array(repeating: [0, 1, 2], count: 4).flatMap { $0 })
        #expect(timings.count == 3)
        for t in timings {
            #expect(t.samples.count == 4 && t.calibration.count == 4)
            #expect(t.samples.allSatisfy { $0 >= 0 } && t.calibration.allSatisfy { $0 > 0 })
        }
    }

    /// Rounds continue until every body has `minSeconds` of samples, capped by `maxSamples`.
    @Test func roundRobinStopsAtTheCap() throws {
        var s = Self.quick
        s.minSamples = 2
        s.maxSamples = 7
        s.minSeconds = 1e6  // never reached: the cap ends it
        var calls = 0
        let timings = try Benchmark.sampleRoundRobin(s, [{ calls += 1 }])
        #expect(timings[0].samples.count == 7)
        #expect(calls == 1 + 7)
    }

    /// Warm-up runs `warmup` times with no time set, and past `warmupSeconds` when one is (the
    /// measurement after a port's: bench --port-settle).
    @Test func warmUpRunsItsCountAndItsTime() throws {
        var s = Self.quick
        s.warmup = 3
        var calls = 0
        try Benchmark.warmUp(s) { calls += 1 }
        #expect(calls == 3)
        s.warmup = 0
        calls = 0
        try Benchmark.warmUp(s) { calls += 1 }
        #expect(calls == 0)
        s.warmupSeconds = 0.02
        let start = Date()
        try Benchmark.warmUp(s) { calls += 1; Thread.sleep(forTimeInterval: 0.001) }
        #expect(calls >= 1 && Date().timeIntervalSince(start) >= 0.02)
        // The warm-up before the samples is the same loop.
        s.warmupSeconds = 0
        s.warmup = 2
        calls = 0
        _ = try Benchmark.sampleRoundRobin(s, [{ calls += 1 }])
        #expect(calls == 2 + 4)
        // Several bodies: the settling time is spent once, on the first; the others warm up
        // their count alone.
        s.warmup = 1
        s.warmupSeconds = 0.02
        var first = 0, second = 0
        _ = try Benchmark.sampleRoundRobin(s, [{ first += 1; Thread.sleep(forTimeInterval: 0.001) }, { second += 1 }])
        #expect(first >= 1 + 4 && second == 1 + 4)
    }

    /// The calibration kernel is the same code on the same addresses in every process: its data
    /// 64-byte aligned (an unaligned buffer made it 1.45× slower in some processes), its sum the
    /// calibration build's whichever build LOSSBENCH_ISA selects, and its value the sum it names.
    @Test func theCalibrationKernelIsFixed() {
        #expect(UInt(bitPattern: Benchmark.calibrationData.baseAddress) % 64 == 0)
        #expect(Benchmark.calibrationData.count == 4096)
        let expected = 64 * (0..<4096).reduce(0.0) { $0 + Double(Float($1 % 1000) * 0.001) }
        #expect(abs(Benchmark.calibrationKernel() - expected) <= 1e-4 * expected)
        let calibration = FastDispatch.calibrationBuild.isa
        #expect(FastDispatch.cpuSupports(calibration))
        #if arch(x86_64) && os(Linux)
        if FastDispatch.cpuSupports(.avx2) && ProcessInfo.processInfo.environment["LOSSBENCH_PORTABLE"] != "1" {
            #expect(calibration == .avx2, "every run of an AVX2 machine calibrates with the AVX2 build's sum")
        }
        #endif
        #expect(calibration != .avx512, "the AVX-512 build never calibrates: runs of other builds could not compare")
    }

    /// A body that throws ends the measurement with its error.
    @Test func roundRobinPropagatesErrors() {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            _ = try Benchmark.sampleRoundRobin(Self.quick, [{}, { throw Boom() }])
        }
    }

    /// The bandwidth comparison returns the baseline first, then Fast's forward of each problem,
    /// all with the same number of samples (they were taken in the same rounds).
    @Test func bandwidthMeasuresBaselineAndEachLoss() throws {
        let problems = [LossKind.l1Loss, .mseLoss].map { BenchSuite.problem($0, elements: 1 << 12) }
        let ms = try Benchmark.measureBandwidth(problems, elements: 1 << 12, settings: Self.quick)
        #expect(ms.map(\.loss) == ["float32_sum", "l1_loss", "mse_loss"])
        #expect(ms.map(\.impl) == ["baseline", "fast", "fast"])
        #expect(ms.allSatisfy { $0.pass == .forward && $0.samples.count == 4 })
        #expect(ms[0].shape == "2 x [4096]" && ms[0].elements == 4096)
    }
}
