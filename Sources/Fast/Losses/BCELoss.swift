@_spi(Kernels) import LossSpec

extension Fast {
    /// Binary cross entropy on probabilities in Float32, mirroring
    /// `torch.nn.functional.binary_cross_entropy` (see `Reference.binaryCrossEntropy` for the
    /// definition, the −100 log clamps, the EPS32 gradient denominator and the edge cases).
    ///
    /// Cost: one fused pass per chunk reads x and y (and the weight, the upstream gradient) once,
    /// checks the [0, 1] range, and writes the loss and both gradients where requested; one vector
    /// log and one log1p per 8 elements. A weight of another shape is expanded once beforehand.
    /// Accuracy: each element carries the ≤ 4 ulp of libmvec's log/log1p plus a few roundings;
    /// sums are per-lane Float over 1 K-element blocks, combined in Double in chunk order.
    package static func binaryCrossEntropy(input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil,
                                          reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil,
                                          threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try BCEValidation.checkTargetShape(input: input.shape, target: target.shape)
        let shape = input.shape
        let upstream: Upstream?
        do {
            try BCEValidation.checkWeightShape(weight?.shape, input: shape)
            upstream = try Upstream.make(gradOutput, reduction: reduction, shape: shape, divisor: Double(input.count))
        } catch {
            // The value checks come first in PyTorch; here they are fused into the pass, which
            // needs valid shapes, so on a shape error they run alone beforehand.
            try BCEValidation.checkValues(input: input, target: target)
            throw error
        }
        let w = weight.map { Broadcasting.expand($0, to: shape) }
        let run = LogisticElementwise.run(input: input.scalars, target: target.scalars, weight: w, posWeight: nil,
                                          upstream: upstream, wantOutput: reduction == .none, threads: threads,
                                          initial: (sum: 0.0, valid: true), bceChunk)
        if run.partials.contains(where: { !$0.valid }) {
            try BCEValidation.checkValues(input: input, target: target)
        }
        let total = run.partials.reduce(0) { $0 + $1.sum }
        return LogisticElementwise.result(shape: shape, reduction: reduction, total: total, out: run.out,
                                          gradInput: upstream == nil ? nil : run.gx,
                                          gradTarget: upstream == nil ? nil : run.gy)
    }

    /// One chunk: `l = w·((y − 1)·max(log1p(−x), −100) − y·max(log x, −100))`,
    /// `∂/∂x = (x − y)/max(x(1 − x), EPS32)·w g`, `∂/∂y = −(log x − log1p(−x))·w g` (unclamped).
    /// Also reports whether every x and y lay in [0, 1].
    @inline(__always)
    static func bceChunk(_ b: ElementwiseBuffers, _ range: Range<Int>) -> (sum: Double, valid: Bool) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * BCEWindow.size) { logs in
            func run<R: BCERequest>(_: R.Type) -> (sum: Double, valid: Bool) {
                var step = BCEStep<R>(b: b, logs: logs.baseAddress!, limit: range.upperBound)
                let sum = Lanes8.blockSum(range, &step)
                return (sum, all(step.inRange))
            }
            return b.w == nil && b.out == nil && b.gx == nil ? run(BCEPlain.self) : run(BCEAny.self)
        }
    }
    static func binaryCrossEntropy(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try binaryCrossEntropy(input: a.requiredFloat("input"), target: a.requiredFloat("target"),
                               weight: a.float("weight"), reduction: o.reduction,
                               gradOutput: a.float("grad_output"), threads: threads)
    }
}

/// Eight elements of `Fast.bceChunk`, remembering whether each x and y lay in [0, 1].
///
/// The two logs of a window of elements are computed ahead, each in a loop that does nothing
/// else (`fill`), into a stack buffer the step then reads. A libmvec call clobbers every vector
/// register, so made inside the step it spilled and reloaded the step's accumulators, constants
/// and operands around each of its two calls (forward 5.5 ms, 4.6 ms this way). Writing the
/// window loop out by hand instead of going through `Lanes8.blockSum` was slower still (7.4 ms):
/// LLVM's code for these loops changes a lot with their shape, so measure any rewrite.
/// What a `BCEStep` may be asked for beyond the sum, as a type: for the plain reduced forward
/// (no weight, no elementwise output, no gradients) every optional buffer's test folds away.
/// Tested per vector, those tests and the values they kept live were a third of the step's loop
/// (perf annotate, AMD EPYC Zen 5).
protocol BCERequest { static var plain: Bool { get } }
/// The sum alone.
enum BCEPlain: BCERequest { static let plain = true }
/// Whatever the buffers ask for.
enum BCEAny: BCERequest { static let plain = false }

/// The window of `BCEStep`.
enum BCEWindow {
    /// Elements whose logs are computed at once: 2 KiB of logs, well inside L1.
    static let size = 256
}

struct BCEStep<Request: BCERequest>: Lanes8Step {
    typealias V = SIMD8<Float>
    static var window: Int { BCEWindow.size }
    let b: ElementwiseBuffers
    /// `window` log x, then `window` log(1 − x), for elements `start..<end`.
    let logs: UnsafeMutablePointer<Float>
    /// The end of the chunk: no window reads past it.
    let limit: Int
    var start = 0, end = 0
    var inRange = SIMDMask<SIMD8<Int32>>(repeating: true)

    init(b: ElementwiseBuffers, logs: UnsafeMutablePointer<Float>, limit: Int) {
        self.b = b
        self.logs = logs
        self.limit = limit
    }

    @inline(__always)
    mutating func callAsFunction(_ i: Int, _ n: Int) -> V {
        if i >= end { fill(from: i) }
        let floor = V(repeating: -100), eps32 = V(repeating: Float(1e-12))
        // Pad lanes with ½, inside [0, 1].
        let x = Lanes8.load(b.x, i, n, pad: 0.5), y = Lanes8.load(b.y, i, n, pad: 0.5)
        inRange .&= (x .>= 0) .& (x .<= 1) .& (y .>= 0) .& (y .<= 1)
        let logX = Lanes8.load(logs, i - start, 8), log1mX = Lanes8.load(logs + Self.window, i - start, 8)
        var l = (y - 1) * log1mX.replacing(with: floor, where: log1mX .< floor)
            - y * logX.replacing(with: floor, where: logX .< floor)
        if Request.plain { return l }
        let w = b.w.map { Lanes8.load($0, i, n) }
        if let w { l *= w }
        if let out = b.out { Lanes8.store(l, out, i, n) }
        if let gx = b.gx, let gy = b.gy {
            var wg = b.up.map { Lanes8.load($0, i, n) } ?? V(repeating: b.uniform)
            if let w { wg = w * wg }
            // (x − y)/den first: for a subnormal x, wg·(x − y) would lose its digits.
            let den = x * (1 - x)
            Lanes8.store((x - y) / den.replacing(with: eps32, where: den .< eps32) * wg, gx, i, n)
            Lanes8.store(-(logX - log1mX) * wg, gy, i, n)
        }
        return l
    }

    /// log x and log1p(−x) of the window from element `i` (the step is called in order, so the
    /// window holds every element until the next call past it), a partial last vector padded
    /// with ½ (finite under both logs).
    @inline(never)
    mutating func fill(from i: Int) {
        start = i
        end = min(limit, i + Self.window)
        #if LOSSBENCH_AVX512
        // The AVX-512 build: 16 lanes per libmvec call (`_ZGVeN16v_logf`): forward 4.7 against
        // 5.4–5.8 ms at 1 thread on AMD EPYC (Zen 4). The window is a multiple of 16, so a
        // partial last vector's full store stays inside `logs`.
        @inline(__always) func load16(_ k: Int) -> SIMD16<Float> {
            let n = end - i - k
            return n >= 16 ? Streams.load(b.x, i + k) : Streams.loadPartial(b.x, i + k, n, pad: 0.5)
        }
        var k = 0
        while i + k < end {
            Streams.store(VectorMath.log(load16(k)), logs, k)
            k += 16
        }
        k = 0
        while i + k < end {
            Streams.store(VectorMath.log1pViaLog(-load16(k)), logs + Self.window, k)
            k += 16
        }
        #else
        var k = 0
        while i + k < end {
            let x = Lanes8.load(b.x, i + k, min(8, end - i - k), pad: 0.5)
            Lanes8.store(VectorMath.log(x), logs, k, 8)
            k += 8
        }
        k = 0
        while i + k < end {
            let x = Lanes8.load(b.x, i + k, min(8, end - i - k), pad: 0.5)
            Lanes8.store(VectorMath.log1pViaLog(-x), logs + Self.window, k, 8)
            k += 8
        }
        #endif
    }
}
