import Foundation
import LossSpec

/// An instruction set a build of Fast's kernels is compiled for.
///
/// One `lossbench` binary holds every build its platform can use: on x86-64 Linux the AVX-512
/// build (x86-64-v4), the AVX2 build (x86-64-v3, the default) and the portable build (no
/// architecture flag, plain Swift SIMD); elsewhere the portable build alone. `FastDispatch`
/// chooses one per process.
package enum ISA: String, CaseIterable, Sendable, Codable {
    /// x86-64-v4: AVX-512 F/BW/CD/DQ/VL on top of v3. Swift's SIMD16 operations become single
    /// zmm instructions and the compiler has 32 vector registers instead of 16.
    case avx512
    /// x86-64-v3: AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE; glibc's libmvec for the log family.
    case avx2
    /// No architecture flag: SSE2 on x86-64, NEON on arm64, and `PortableMath`'s polynomials.
    case portable

    /// From the fastest to the most widely runnable: the order the default choice tries them in.
    package static let preference: [ISA] = [.avx512, .avx2, .portable]
}

/// The names the history records for a build of Fast's kernels (`runs.isa`), written by
/// `lossbench bench` and read back by the report: the one place that knows their format.
///
/// A build is recorded by its `ISA` raw value; the AVX-512 selection with its losses replaced by
/// `LOSSBENCH_AVX512_LOSSES` as `avx512[all]`, `avx512[ctc_loss,mse_loss]` or `avx512[]` (none),
/// so such a run never counts as the default selection.
package enum RecordedBuild {
    /// The name of the AVX-512 selection running `losses` with AVX-512 code instead of its default set.
    package static func avx512(replacedBy losses: Set<LossKind>) -> String {
        if losses == Set(LossKind.allCases) { return "avx512[all]" }
        return "avx512[" + losses.map(\.rawValue).sorted().joined(separator: ",") + "]"
    }

    /// The build a recorded name belongs to (`avx512` for `avx512[all]`).
    package static func base(_ name: String) -> String { String(name.prefix { $0 != "[" }) }

    /// The environment that selects a recorded build again: `LOSSBENCH_ISA`, and for a replaced
    /// AVX-512 loss set `LOSSBENCH_AVX512_LOSSES` too.
    package static func environment(_ name: String) -> String {
        guard let open = name.firstIndex(of: "["), name.hasSuffix("]") else { return "LOSSBENCH_ISA=\(name)" }
        let losses = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return "LOSSBENCH_ISA=\(name[..<open]) LOSSBENCH_AVX512_LOSSES=\(losses.isEmpty ? "none" : losses)"
    }
}

/// One build of Fast's kernels, as values of types every build shares.
///
/// Each build of the Fast sources (the same files compiled once per instruction set, each build a
/// module of its own) offers its entry points through one `FastKernels` value, so a front module
/// can hold several builds and call the one chosen at run time. Only LossSpec's types and plain
/// pointers cross this boundary: modules compiled for different vector ISAs pass SIMD values
/// differently, so no SIMD value ever does. The closures cost one indirect call per loss
/// evaluation, nothing per element.
package struct FastKernels: Sendable {
    /// The instruction set this build was compiled for.
    package let isa: ISA
    /// The threads every build uses when a caller does not say: the machine's active cores.
    package static let defaultThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The machine's yardsticks compiled with this build's flags (see `FastYardsticks`).
    package let yardsticks: FastYardsticks

    /// When this value runs only some losses with `isa`'s code and the rest with another build's
    /// (`init(isa:routing:to:otherwise:)`): those losses and the other build. nil when every loss
    /// runs `isa`'s code.
    package let routing: (losses: Set<LossKind>, otherwise: ISA)?

    private let evaluateCase: @Sendable (LossCase, Int) throws -> LossResult
    private let prepareCase: @Sendable (LossCase) throws -> FastPreparedCase
    private let bindGrain: @Sendable (Int?, () -> Void) -> Void

    package init(isa: ISA, yardsticks: FastYardsticks,
                 evaluate: @escaping @Sendable (LossCase, Int) throws -> LossResult,
                 prepare: @escaping @Sendable (LossCase) throws -> FastPreparedCase,
                 withGrain: @escaping @Sendable (Int?, () -> Void) -> Void) {
        self.isa = isa
        self.yardsticks = yardsticks
        routing = nil
        evaluateCase = evaluate
        prepareCase = prepare
        bindGrain = withGrain
    }

    /// `build`'s kernels for `losses` and `otherwise`'s for every other loss, under `build`'s
    /// name and yardsticks: how a build is kept only for the losses where it measures faster.
    /// Each loss still runs one build's code, so results stay bit-identical across thread counts.
    package init(routing losses: Set<LossKind>, to build: FastKernels, otherwise: FastKernels) {
        isa = build.isa
        yardsticks = build.yardsticks
        routing = (losses, otherwise.isa)
        let pick: @Sendable (LossKind) -> FastKernels = { losses.contains($0) ? build : otherwise }
        evaluateCase = { c, threads in try pick(c.loss).evaluate(c, threads: threads) }
        prepareCase = { c in try pick(c.loss).prepare(c) }
        // Each build has a grain override of its own; a routed value binds both.
        bindGrain = { grain, body in build.bindGrain(grain) { otherwise.bindGrain(grain, body) } }
    }

    /// Evaluates one case in Float32 on `threads` threads (`Fast.evaluate`).
    package func evaluate(_ c: LossCase, threads: Int? = nil) throws -> LossResult {
        try evaluateCase(c, threads ?? Self.defaultThreads)
    }

    /// The case with its arguments rounded and its options decoded, ready to be run repeatedly
    /// (`Fast.Prepared`).
    package func prepare(_ c: LossCase) throws -> FastPreparedCase { try prepareCase(c) }

    /// Runs `body` with every parallel loop's grain replaced by `grain` (`Parallel.grainOverride`):
    /// thread-determinism checks bind 1 so that even small cases are split across all threads.
    package func withGrainOverride<R, E: Error>(_ grain: Int?, _ body: () throws(E) -> R) throws(E) -> R {
        var result: Result<R, E>?
        withoutActuallyEscaping({ result = Result { () throws(E) -> R in try body() } }) { run in bindGrain(grain, run) }
        return try result!.get()
    }
}

/// A case prepared by one build of the kernels (`Fast.Prepared`).
package struct FastPreparedCase: Sendable {
    package let loss: LossKind
    private let runCase: @Sendable (Int) throws -> Void

    package init(loss: LossKind, run: @escaping @Sendable (Int) throws -> Void) {
        self.loss = loss
        runCase = run
    }

    /// Runs the loss on `threads` threads and discards the result: what a benchmark times.
    package func run(threads: Int) throws { try runCase(threads) }
}

/// The kernels the benchmarks measure the machine with (`Yardsticks` in each build), compiled with
/// that build's flags so that they run the same instructions as the losses they are compared with.
package struct FastYardsticks: Sendable {
    /// The vector operations whose throughput bounds the transcendental-heavy losses: the build's
    /// own `VectorMath` routines (the same code the losses run) and the IEEE division.
    package enum Operation: String, CaseIterable, Sendable {
        case exp, log, log1p, division
    }

    package typealias Calibration = @Sendable (UnsafeBufferPointer<Float>, Int) -> Double
    package typealias PlainSum = @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int) -> Double
    package typealias Fill = @Sendable (UnsafeMutablePointer<Float>, Int, Float, Int) -> Void
    package typealias Copy = @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
    package typealias Throughput = @Sendable (Operation, UnsafeBufferPointer<Float>, Int, Int) -> Double
    package typealias Allocate = @Sendable (Int, Float, Bool) -> UnsafeMutableBufferPointer<Float>
    package typealias Traffic = @Sendable ([UnsafePointer<Float>], [Int], [UnsafeMutablePointer<Float>], [Int], Int) -> Double

    private let calibration: Calibration, sum: PlainSum, fillKernel: Fill, copyKernel: Copy
    private let throughputKernel: Throughput, allocator: Allocate, trafficKernel: Traffic

    package init(calibrationSum: @escaping Calibration, plainSum: @escaping PlainSum, fill: @escaping Fill,
                 copy: @escaping Copy, throughput: @escaping Throughput, allocate: @escaping Allocate,
                 traffic: @escaping Traffic) {
        calibration = calibrationSum
        sum = plainSum
        fillKernel = fill
        copyKernel = copy
        throughputKernel = throughput
        allocator = allocate
        trafficKernel = traffic
    }

    /// Σ over `data`, `repeats` times: the calibration kernel (fixed, L1-resident SIMD arithmetic).
    package func calibrationSum(_ data: UnsafeBufferPointer<Float>, repeats: Int) -> Double { calibration(data, repeats) }

    /// Σ x[i] + y[i] over `count` elements: the read-bandwidth baseline.
    package func plainSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, threads: Int) -> Double {
        sum(x, y, count, threads)
    }

    /// Writes `value` to `count` floats: the write-bandwidth baseline.
    package func fill(_ destination: UnsafeMutablePointer<Float>, count: Int, value: Float, threads: Int) {
        fillKernel(destination, count, value, threads)
    }

    /// y[i] = x[i] + 1 over `count` floats: reading and writing at once.
    package func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        copyKernel(x, y, count, threads)
    }

    /// `op` over the L1-resident `data`, `repeats` times, on each of `threads` threads.
    package func throughput(_ op: Operation, _ data: UnsafeBufferPointer<Float>, repeats: Int, threads: Int) -> Double {
        throughputKernel(op, data, repeats, threads)
    }

    /// A buffer of `n` floats set to `value`, placed as a loss's input or gradient would be.
    package func allocate(_ n: Int, value: Float, likeGradient: Bool) -> UnsafeMutableBufferPointer<Float> {
        allocator(n, value, likeGradient)
    }

    /// One loss pass's memory traffic with no arithmetic, at that pass's own footprint.
    package func traffic(sources: [UnsafePointer<Float>], readCounts: [Int],
                         destinations: [UnsafeMutablePointer<Float>], writeCounts: [Int], threads: Int) -> Double {
        trafficKernel(sources, readCounts, destinations, writeCounts, threads)
    }
}
