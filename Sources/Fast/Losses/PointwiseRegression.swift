@_spi(Kernels) import LossSpec
#if canImport(Glibc)
import Glibc
#endif

/// The per-element function of an `l(x − y)` loss, on 16 lanes, with its parameter (δ, β).
/// Both functions must be branch-free lane selects so the same code serves bodies and tails.
protocol RegressionKernel {
    static func loss(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float>
    static func derivative(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float>
}

/// The shared pipeline of L1, MSE, Huber and SmoothL1 in Float32, mirroring the Reference's
/// `PointwiseRegression`: validation (`PointwiseRegressionValidation`, shared with it),
/// warn-and-broadcast, functional weight, reduction, and gradients of input, target and weight.
///
/// Hot path (input and target of one shape, no weight): one fused pass per chunk of
/// `Parallel.elementChunk` that reads x and y (and grad_output for 'none') once and writes only
/// what is asked for — the elementwise output, grad_input and grad_target = −grad_input — into
/// uninitialised arrays (no zero-fill pass, no negation pass). These losses are memory-bound at
/// 2^22 elements, so the cost is the bytes moved: forward 8 B/element, forward+backward 16 B read
/// + 8 B written.
///
/// General path (broadcasting or a weight): the arguments are materialised on the broadcast shape
/// and gradients summed back (`Broadcasting`); correctness first.
enum FastRegression {
    enum WeightedMean { case byWeightSum, byNumel }

    static func evaluate<K: RegressionKernel>(
        _ kernel: K.Type, parameter: Float,
        input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>?,
        reduction: Reduction, reductionIsDeprecatedAlias: Bool, gradOutput: Tensor<Float>?,
        weightedMean: WeightedMean, threads: Int
    ) throws -> FastResult {
        let full = try PointwiseRegressionValidation.shape(
            input: input.shape, target: target.shape, weight: weight?.shape,
            reductionIsDeprecatedAlias: reductionIsDeprecatedAlias)
        if weight == nil && input.shape == target.shape {
            return try contiguous(K.self, parameter, input.scalars, target.scalars, shape: full,
                                  reduction: reduction, gradOutput: gradOutput, threads: threads)
        }
        return try general(K.self, parameter, input: input, target: target, weight: weight, full: full,
                           reduction: reduction, gradOutput: gradOutput, weightedMean: weightedMean, threads: threads)
    }

    // MARK: Hot path

    /// Equal shapes, no weight: one pass, specialised for what is requested.
    static func contiguous<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: [Float], _ y: [Float], shape: [Int],
        reduction: Reduction, gradOutput: Tensor<Float>?, threads: Int
    ) throws -> FastResult {
        let n = x.count
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: shape, divisor: Double(n))
        let wantElements = reduction == .none
        var out = wantElements ? FloatBuffers.uninitialized(n) : []
        var gx = upstream != nil ? FloatBuffers.uninitialized(n) : []
        var gt = upstream != nil ? FloatBuffers.uninitialized(n) : []
        let partials: [Double] = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                out.withUnsafeMutableBufferPointer { ob in
                    gx.withUnsafeMutableBufferPointer { gxb in
                        gt.withUnsafeMutableBufferPointer { gtb in
                            upstream.withElementwise { up, uniform in
                                guard n > 0, let xp = xb.baseAddress, let yp = yb.baseAddress else { return [] }
                                // An empty array may still have a base address: requested outputs are the non-empty ones.
                                let ptrs = UncheckedSendable((xp, yp, ob.isEmpty ? nil : ob.baseAddress,
                                                              gxb.isEmpty ? nil : gxb.baseAddress,
                                                              gtb.isEmpty ? nil : gtb.baseAddress, up))
                                return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                          initial: 0.0) { range in
                                    let (x, y, o, gx, gt, up) = ptrs.value
                                    switch (wantElements, gx, gt) {
                                    case (false, let gx?, let gt?):
                                        return fusedReduced(K.self, p, x, y, uniform, gx, gt, range)
                                    case (true, let gx?, let gt?):
                                        guard let o, let up else { return 0 }
                                        fusedElementwise(K.self, p, x, y, up, o, gx, gt, range)
                                        return 0
                                    case (true, _, _):
                                        guard let o else { return 0 }
                                        forwardElementwise(K.self, p, x, y, o, range)
                                        return 0
                                    default:
                                        return forwardReduced(K.self, p, x, y, range)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        result.setOutput(reduction, shape: shape, elements: out, partials: partials, divisor: Double(n))
        if upstream != nil {
            result.outputs["grad_input"] = Tensor(shape: shape, scalars: gx)
            result.outputs["grad_target"] = Tensor(shape: shape, scalars: gt)
        }
        return result
    }

    // The chunk kernels below call `K` directly, not through a closure, and are kept out of line
    // (one specialised function per kernel and mode): a closure handed to a generic stream helper
    // inside the large chunk closure was left un-inlined, and LLVM's function merging then turned
    // the four losses' copies into one loop with an indirect call per 16 elements (4× slower).

    /// 'sum'/'mean' forward over one chunk: Σ l(d) in four 16-lane accumulators.
    @inline(never)
    static func forwardReduced<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>
    ) -> Double {
        typealias V = SIMD16<Float>
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var i = range.lowerBound
        let end = range.upperBound
        while i + 64 <= end {
            a0 += K.loss(Streams.load(x, i) - Streams.load(y, i), p)
            a1 += K.loss(Streams.load(x, i + 16) - Streams.load(y, i + 16), p)
            a2 += K.loss(Streams.load(x, i + 32) - Streams.load(y, i + 32), p)
            a3 += K.loss(Streams.load(x, i + 48) - Streams.load(y, i + 48), p)
            i += 64
        }
        while i < end {
            let m = min(16, end - i)
            let l = K.loss(Streams.loadPartial(x, i, m) - Streams.loadPartial(y, i, m), p)
            a0 += l.replacing(with: 0, where: .!Streams.laneMask(m))
            i += m
        }
        return Streams.widenSum((a0 + a1) + (a2 + a3))
    }

    /// 'none' forward over one chunk: out = l(d).
    @inline(never)
    static func forwardElementwise<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>
    ) {
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            Streams.store(K.loss(Streams.load(x, i) - Streams.load(y, i), p), out, i)
            i += 16
        }
        if i < end {
            let m = end - i
            Streams.storePartial(K.loss(Streams.loadPartial(x, i, m) - Streams.loadPartial(y, i, m), p), out, i, m)
        }
    }

    /// 'sum'/'mean' forward+backward over one chunk: returns Σ l(d) and writes
    /// gx = u·l'(d), gt = −gx. Two 16-lane blocks per step, each with its own accumulator.
    @inline(never)
    static func fusedReduced<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ u: Float,
        _ gx: UnsafeMutablePointer<Float>, _ gt: UnsafeMutablePointer<Float>, _ range: Range<Int>
    ) -> Double {
        typealias V = SIMD16<Float>
        var a0 = V(), a1 = V()
        let uv = V(repeating: u)
        var i = range.lowerBound
        let end = range.upperBound
        while i + 32 <= end {
            let d0 = Streams.load(x, i) - Streams.load(y, i)
            let d1 = Streams.load(x, i + 16) - Streams.load(y, i + 16)
            a0 += K.loss(d0, p)
            a1 += K.loss(d1, p)
            let g0 = uv * K.derivative(d0, p), g1 = uv * K.derivative(d1, p)
            Streams.store(g0, gx, i)
            Streams.store(g1, gx, i + 16)
            Streams.store(-g0, gt, i)
            Streams.store(-g1, gt, i + 16)
            i += 32
        }
        while i < end {
            let m = min(16, end - i)
            let d = Streams.loadPartial(x, i, m) - Streams.loadPartial(y, i, m)
            a0 += K.loss(d, p).replacing(with: 0, where: .!Streams.laneMask(m))
            let g = uv * K.derivative(d, p)
            Streams.storePartial(g, gx, i, m)
            Streams.storePartial(-g, gt, i, m)
            i += m
        }
        return Streams.widenSum(a0 + a1)
    }

    /// 'none' forward+backward over one chunk: out = l(d), gx = up·l'(d), gt = −gx.
    @inline(never)
    static func fusedElementwise<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ up: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ gx: UnsafeMutablePointer<Float>, _ gt: UnsafeMutablePointer<Float>,
        _ range: Range<Int>
    ) {
        var i = range.lowerBound
        let end = range.upperBound
        while i + 16 <= end {
            let d = Streams.load(x, i) - Streams.load(y, i)
            Streams.store(K.loss(d, p), out, i)
            let g = Streams.load(up, i) * K.derivative(d, p)
            Streams.store(g, gx, i)
            Streams.store(-g, gt, i)
            i += 16
        }
        if i < end {
            let m = end - i
            let d = Streams.loadPartial(x, i, m) - Streams.loadPartial(y, i, m)
            Streams.storePartial(K.loss(d, p), out, i, m)
            let g = Streams.loadPartial(up, i, m) * K.derivative(d, p)
            Streams.storePartial(g, gx, i, m)
            Streams.storePartial(-g, gt, i, m)
        }
    }

    // MARK: General path

    /// Broadcasting and/or a weight: materialise the arguments on the broadcast shape, one pass for
    /// Σ w·l and the per-element outputs, then sum gradients back onto each argument's shape.
    static func general<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>?, full: [Int],
        reduction: Reduction, gradOutput: Tensor<Float>?, weightedMean: WeightedMean, threads: Int
    ) throws -> FastResult {
        let x = Broadcasting.expand(input, to: full)
        let y = Broadcasting.expand(target, to: full)
        let w = weight.map { Broadcasting.expand($0, to: full) }
        let n = x.count
        var divisor = Double(n)
        if let weight, weightedMean == .byWeightSum {
            divisor = weight.scalars.reduce(0.0) { $0 + Double($1) }
        }
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: full, divisor: divisor)
        let wantElements = reduction == .none
        var out = wantElements ? [Float](repeating: 0, count: n) : []
        var gx = upstream != nil ? [Float](repeating: 0, count: n) : []
        var gw = (upstream != nil && w != nil) ? [Float](repeating: 0, count: n) : []

        let partials: [Double] = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                out.withUnsafeMutableBufferPointer { ob in
                    gx.withUnsafeMutableBufferPointer { gb in
                        gw.withUnsafeMutableBufferPointer { gwb in
                            w.withOptionalBuffer { wp in
                                upstream.withElementwise { up, uniform in
                                    guard n > 0, let xp = xb.baseAddress, let yp = yb.baseAddress else { return [] }
                                    let ptrs = UncheckedSendable((xp, yp, wp, up,
                                                                  ob.isEmpty ? nil : ob.baseAddress,
                                                                  gb.isEmpty ? nil : gb.baseAddress,
                                                                  gwb.isEmpty ? nil : gwb.baseAddress))
                                    return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                              initial: 0.0) { range in
                                        let (x, y, w, up, o, g, gw) = ptrs.value
                                        return generalChunk(K.self, p, x, y, w, up, uniform, o, g, gw, range)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        let total = result.setOutput(reduction, shape: full, elements: out, partials: partials, divisor: divisor)
        guard upstream != nil else { return result }
        result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: Broadcasting.sumToShape(gx, from: full, to: input.shape))
        // Summed from −gx per element, so each broadcast sum matches grad_input's with the sign flipped.
        result.outputs["grad_target"] = Tensor(shape: target.shape,
                                               scalars: Broadcasting.sumToShape(gx.map { -$0 }, from: full, to: target.shape))
        if let weight {
            var g = Broadcasting.sumToShape(gw, from: full, to: weight.shape)
            if weightedMean == .byWeightSum && reduction == .mean {
                // ∂(S/W)/∂w_j = Σ_{b→j} l_b/W − S/W²: the second term once per weight element.
                let correction = Double(gradOutput?.scalars.first ?? 0) * (total / divisor) / divisor
                g = g.map { Float(Double($0) - correction) }
            }
            result.outputs["grad_weight"] = Tensor(shape: weight.shape, scalars: g)
        }
        return result
    }

    /// One chunk of the general path: Σ w·l(d), and where requested the elementwise output,
    /// grad_input = up·w·l'(d) and the weight's per-element gradient up·l(d).
    @inline(never)
    static func generalChunk<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>?,
        _ up: UnsafePointer<Float>?, _ uniform: Float,
        _ out: UnsafeMutablePointer<Float>?, _ gx: UnsafeMutablePointer<Float>?, _ gw: UnsafeMutablePointer<Float>?,
        _ range: Range<Int>
    ) -> Double {
        typealias V = SIMD16<Float>
        var acc = V()
        var i = range.lowerBound
        let u = V(repeating: uniform)
        while i < range.upperBound {
            let m = min(16, range.upperBound - i)
            let d = Streams.loadPartial(x, i, m) - Streams.loadPartial(y, i, m)
            let g = up.map { Streams.loadPartial($0, i, m) } ?? u
            var l = K.loss(d, p)
            if let gw { Streams.storePartial(g * l, gw, i, m) }
            let wv = w.map { Streams.loadPartial($0, i, m) }
            if let wv { l *= wv }
            if let out { Streams.storePartial(l, out, i, m) }
            if let gx { Streams.storePartial(g * (wv ?? V(repeating: 1)) * K.derivative(d, p), gx, i, m) }
            acc += l.replacing(with: 0, where: .!Streams.laneMask(m))
            i += m
        }
        return Streams.widenSum(acc)
    }
}

extension FastResult {
    /// Sets `output` of an elementwise loss: the elements for 'none', else the chunk partials
    /// summed in chunk order in Double (÷ `divisor` for 'mean'), rounded once to Float.
    ///
    /// - Returns: the sum of the partials.
    @discardableResult
    mutating func setOutput(_ reduction: Reduction, shape: [Int], elements: [Float], partials: [Double],
                            divisor: Double) -> Double {
        let total = partials.reduce(0, +)
        switch reduction {
        case .none: outputs["output"] = Tensor(shape: shape, scalars: elements)
        case .sum: outputs["output"] = Tensor(scalar: Float(total))
        case .mean, .batchmean: outputs["output"] = Tensor(scalar: Float(total / divisor))
        }
        return total
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with the array's base address, or nil when there is no array.
    @inline(__always)
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let a): a.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}

extension Optional where Wrapped == Upstream {
    /// Calls `body` with the elementwise upstream pointer (nil if uniform or absent) and the
    /// uniform value (0 if absent).
    @inline(__always)
    func withElementwise<R>(_ body: (UnsafePointer<Float>?, Float) -> R) -> R {
        switch self {
        case .some(.elementwise(let g)): g.withUnsafeBufferPointer { body($0.baseAddress, 0) }
        case .some(.uniform(let u)): body(nil, u)
        case .none: body(nil, 0)
        }
    }
}
