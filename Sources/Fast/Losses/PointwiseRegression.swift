import LossSpec

/// The per-element function of an `l(x − y)` loss, on 16 lanes, with its parameter (δ, β).
protocol RegressionKernel {
    static func loss(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float>
    static func derivative(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float>
}

/// The shared pipeline of L1, MSE, Huber and SmoothL1 in Float32, mirroring the Reference's
/// `PointwiseRegression`: validation, warn-and-broadcast, functional weight, reduction, and
/// gradients of input, target and weight.
///
/// Hot path (input and target of one shape, no weight): a single fused pass per chunk that reads
/// x and y once and writes the output and both gradients; chunks of `Parallel.elementChunk`.
enum FastRegression {
    enum WeightedMean { case byWeightSum, byNumel }

    static func evaluate<K: RegressionKernel>(
        _ kernel: K.Type, parameter: Float,
        input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>?,
        reduction: Reduction, reductionIsDeprecatedAlias: Bool, gradOutput: Tensor<Float>?,
        weightedMean: WeightedMean, threads: Int
    ) throws -> FastResult {
        let full = try Shape.broadcast([("input", input.shape), ("target", target.shape)])
        if let weight {
            guard weight.shape == input.shape else {
                throw LossError(.shapeMismatch, argument: "weight",
                                "weights and input must have the same size: weight \(weight.shape), input \(input.shape)")
            }
            guard !reductionIsDeprecatedAlias else {
                throw LossError(.invalidReduction, argument: "reduction",
                                "invalid reduction mode 'elementwise_mean' with a weight; expected one of 'none', 'mean', 'sum'")
            }
        }
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
        let p = parameter

        let partials: [Double] = x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                out.withUnsafeMutableBufferPointer { ob in
                    gx.withUnsafeMutableBufferPointer { gb in
                        gw.withUnsafeMutableBufferPointer { gwb in
                            let xs = UncheckedSendable(xb.baseAddress), ys = UncheckedSendable(yb.baseAddress)
                            // An empty array still has a base address: requested outputs are the non-empty ones.
                            let os = UncheckedSendable(wantElements ? ob.baseAddress : nil)
                            let gs = UncheckedSendable(gb.isEmpty ? nil : gb.baseAddress)
                            let gws = UncheckedSendable(gwb.isEmpty ? nil : gwb.baseAddress)
                            return w.withOptionalBuffer { wp in
                                let ws = UncheckedSendable(wp)
                                return upstream.withElementwise { up, uniform in
                                    let ups = UncheckedSendable(up)
                                    return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads, initial: 0.0) { range in
                                        regressionChunk(K.self, p, xs.value!, ys.value!, ws.value, ups.value, uniform,
                                                        os.value, gs.value, gws.value, range)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let total = partials.reduce(0, +)
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: full, scalars: out)
        case .sum: result.outputs["output"] = Tensor(scalar: Float(total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(total / divisor))
        }
        guard upstream != nil else { return result }
        result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: Broadcasting.sumToShape(gx, from: full, to: input.shape))
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

    /// One chunk: Σ w·l(d), and where requested the elementwise output, grad_input = up·w·l'(d)
    /// and the weight's per-element gradient up·l(d).
    @inline(__always)
    static func regressionChunk<K: RegressionKernel>(
        _ k: K.Type, _ p: Float, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ w: UnsafePointer<Float>?,
        _ up: UnsafePointer<Float>?, _ uniform: Float,
        _ out: UnsafeMutablePointer<Float>?, _ gx: UnsafeMutablePointer<Float>?, _ gw: UnsafeMutablePointer<Float>?,
        _ range: Range<Int>
    ) -> Double {
        typealias V = SIMD16<Float>
        if w == nil && out == nil && gx == nil {
            return Streams.sum(x, y, range) { a, b in K.loss(a - b, p) }
        }
        var acc0 = V(), acc1 = V()
        var i = range.lowerBound
        let end = range.upperBound
        let u = V(repeating: uniform)
        func step(_ n: Int) {
            let full = n == 16
            let xv = full ? Streams.load(x, i) : Streams.loadPartial(x, i, n)
            let yv = full ? Streams.load(y, i) : Streams.loadPartial(y, i, n)
            let d = xv - yv
            var l = K.loss(d, p)
            let wv = w.map { full ? Streams.load($0, i) : Streams.loadPartial($0, i, n) }
            if let gw {
                let g = up.map { full ? Streams.load($0, i) : Streams.loadPartial($0, i, n) } ?? u
                let v = g * l
                if full { Streams.store(v, gw, i) } else { Streams.storePartial(v, gw, i, n) }
            }
            if let wv { l *= wv }
            if let out { if full { Streams.store(l, out, i) } else { Streams.storePartial(l, out, i, n) } }
            if let gx {
                var g = up.map { full ? Streams.load($0, i) : Streams.loadPartial($0, i, n) } ?? u
                if let wv { g *= wv }
                let v = g * K.derivative(d, p)
                if full { Streams.store(v, gx, i) } else { Streams.storePartial(v, gx, i, n) }
            }
            if full {
                if (i & 16) == 0 { acc0 += l } else { acc1 += l }
            } else {
                acc0 += l.replacing(with: 0, where: .!Streams.laneMask(n))
            }
        }
        while i + 16 <= end {
            step(16)
            i += 16
        }
        if i < end { step(end - i) }
        return Streams.widenSum(acc0 + acc1)
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
