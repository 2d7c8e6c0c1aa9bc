import ArgumentParser
import Foundation
import History
@testable import lossbench

/// A deterministic generator (SplitMix64) for synthetic timings.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Box–Muller.
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// A timing with 5% lognormal jitter and, 5% of the time, a 1.5–3× outlier (a preempted sample).
    mutating func timing(_ base: Double, jitter: Double = 0.05) -> Double {
        var t = base * exp(jitter * normal())
        if uniform() < 0.05 { t *= 1.5 + 1.5 * uniform() }
        return t
    }
}

/// Synthetic benchmarks: two losses × two implementations, `n` samples each.
func syntheticRun(seed: UInt64, slowdown: Double = 1, machineSlowdown: Double = 1, n: Int = 20,
                  slowLoss: String? = nil) -> [MeasurementInput] {
    var r = TestRNG(seed: seed)
    var out: [MeasurementInput] = []
    for (loss, base) in [("mse_loss", 2e6), ("cross_entropy", 9e6)] {
        for (impl, factor) in [("fast", 1.0), ("reference", 12.0)] {
            let s = (slowLoss == nil || slowLoss == loss) ? slowdown : 1
            let calibration = (0..<n).map { _ in r.timing(4e5 * machineSlowdown, jitter: 0.03) }
            let samples = (0..<n).map { _ in r.timing(base * factor * s * machineSlowdown) }
            out.append(MeasurementInput(suite: "standard", loss: loss, impl: impl, pass: "forward", shape: "[\(Int(base))]",
                                        elements: Int(base), threads: 2, samples: samples, calibration: calibration))
        }
    }
    return out
}

let thisMachine = MachineKey(cpuModel: "Test CPU 9000", cores: 2, memoryGib: 24, os: "Debian GNU/Linux 12 (bookworm)", arch: "x86_64")
let otherMachine = MachineKey(cpuModel: "Other CPU", cores: 64, memoryGib: 256, os: "Ubuntu 24.04", arch: "aarch64")

func runRecord(_ machine: MachineKey = thisMachine, commit: String? = "aaaa1111", label: String? = nil, isa: String? = nil,
               at time: String) -> RunRecord {
    RunRecord(machine: machine, variant: RunVariant(threads: 2, gitCommit: commit, gitDirty: false, label: label, isa: isa),
              startedAt: time)
}

func scratchHistory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lossbench-history-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("history.sqlite").path
}

/// The exit code of `lossbench ARGS` run in-process, with what it printed on stdout.
func lossbench(_ arguments: [String]) -> Int32 {
    do {
        var command = try LossBench.parseAsRoot(arguments)
        try command.run()
        return 0
    } catch {
        return LossBench.exitCode(for: error).rawValue
    }
}
