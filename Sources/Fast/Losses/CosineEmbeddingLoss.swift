@_spi(Kernels) import LossSpec

extension Fast {
    /// Cosine embedding loss in Float32, mirroring `torch.nn.functional.cosine_embedding_loss` (see
    /// `Reference.cosineEmbeddingLoss` for the definition with EPS32 in the squared norms, the
    /// label rule, gradients and edge cases; shapes are validated by the shared
    /// `CosineEmbeddingValidation`).
    ///
    /// Hot path (input1 and input2 of one shape, one label per row): rows in fixed chunks of at
    /// most 1024 (fewer for long rows, never depending on the thread count); per row one SIMD16
    /// pass over both inputs accumulates x1·x2, x1² and x2² together, and forward+backward
    /// re-reads the row from L1 to write both gradients, `G/√(AB)·other − G·cos/A·own`. Row losses
    /// are summed in Double per chunk, chunks combined in order. General path (broadcasting): the
    /// Reference's structure in scalar Float loops with Double sums.
    /// Accuracy: dot and norms are per-lane Float sums over at most D/32 terms each; cos takes a
    /// few more roundings (scale Σ|x1·x2|/√(AB), see the Reference).
    package static func cosineEmbeddingLoss(input1: Tensor<Float>, input2: Tensor<Float>, target: Tensor<Float>,
                                           margin: Float = 0, reduction: Reduction = .mean,
                                           gradOutput: Tensor<Float>? = nil,
                                           threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let s = try CosineEmbeddingValidation.shapes(input1: input1.shape, input2: input2.shape, target: target.shape)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: s.output,
                                         divisor: Double(Shape.count(s.output)))
        let r = input1.shape == input2.shape && target.shape == s.rows
            ? CosineRows.fused(input1.scalars, input2.scalars, target.scalars, rows: Shape.count(s.rows),
                               features: s.features, margin: margin, wantLoss: reduction == .none,
                               upstream: upstream, threads: threads)
            : CosineRows.general(input1, input2, target, s, margin: margin, upstream: upstream)
        var result = FastResult.generic(r, reduction: reduction, shape: s.output)
        guard upstream != nil else { return result }
        result.outputs["grad_input1"] = Tensor(shape: input1.shape, scalars: r.grad0)
        result.outputs["grad_input2"] = Tensor(shape: input2.shape, scalars: r.grad1)
        return result
    }

    static func cosineEmbeddingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try cosineEmbeddingLoss(input1: a.requiredFloat("input1"), input2: a.requiredFloat("input2"),
                                target: a.requiredFloat("target"), margin: Float(o.margin), reduction: o.reduction,
                                gradOutput: a.float("grad_output"), threads: threads)
    }
}

/// The row kernels of cosine_embedding_loss.
enum CosineRows {
    typealias V = SIMD16<Float>
    /// PyTorch's C++ `float` EPS added to each squared norm.
    static let eps32 = Float(1e-12)

    /// The loss of one row for label `y` and `∂loss/∂cos` (Docs/Losses/cosine_embedding_loss.md; 0 at the kink and for NaN).
    @inline(__always)
    static func label(_ cos: Float, _ y: Float, margin: Float) -> (value: Float, slope: Float) {
        if y == 1 { return (1 - cos, -1) }
        if y == -1 {
            let z = cos - margin
            return (z.isNaN ? z : (z > 0 ? z : 0), z > 0 ? 1 : 0)
        }
        return (0, 0)
    }

    /// Σ x1·x2, Σ x1², Σ x2² over `d` features from offset `base`, in one pass.
    @inline(__always)
    static func stats(_ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>, _ base: Int, _ d: Int) -> (Float, Float, Float) {
        var dot0 = V(), dot1 = V(), a0 = V(), a1 = V(), b0 = V(), b1 = V()
        var k = 0
        while k + 32 <= d {
            let u0 = Streams.load(x1, base + k), v0 = Streams.load(x2, base + k)
            let u1 = Streams.load(x1, base + k + 16), v1 = Streams.load(x2, base + k + 16)
            dot0 += u0 * v0; a0 += u0 * u0; b0 += v0 * v0
            dot1 += u1 * v1; a1 += u1 * u1; b1 += v1 * v1
            k += 32
        }
        if k + 16 <= d {
            let u = Streams.load(x1, base + k), v = Streams.load(x2, base + k)
            dot0 += u * v; a0 += u * u; b0 += v * v
            k += 16
        }
        if k < d {
            // Zero padding adds exact zeros.
            let u = Streams.loadPartial(x1, base + k, d - k), v = Streams.loadPartial(x2, base + k, d - k)
            dot1 += u * v; a1 += u * u; b1 += v * v
        }
        return (Streams.laneSum(dot0 + dot1), Streams.laneSum(a0 + a1), Streams.laneSum(b0 + b1))
    }

    /// g1 = c·x2 + c1·x1 and g2 = c·x1 + c2·x2 over one row.
    @inline(__always)
    static func gradients(_ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>, _ g1: UnsafeMutablePointer<Float>,
                          _ g2: UnsafeMutablePointer<Float>, _ base: Int, _ d: Int, c: Float, c1: Float, c2: Float) {
        let cv = V(repeating: c), c1v = V(repeating: c1), c2v = V(repeating: c2)
        var k = 0
        while k + 16 <= d {
            let u = Streams.load(x1, base + k), v = Streams.load(x2, base + k)
            Streams.store(cv * v + c1v * u, g1, base + k)
            Streams.store(cv * u + c2v * v, g2, base + k)
            k += 16
        }
        if k < d {
            let n = d - k
            let u = Streams.loadPartial(x1, base + k, n), v = Streams.loadPartial(x2, base + k, n)
            Streams.storePartial(cv * v + c1v * u, g1, base + k, n)
            Streams.storePartial(cv * u + c2v * v, g2, base + k, n)
        }
    }

    /// Rows per parallel chunk: up to 1024, and about 64 K floats per input at most.
    static func chunkRows(features: Int) -> Int {
        max(1, min(1024, 65_536 / max(features, 1)))
    }

    /// Hot path: (N, D) inputs of one shape (or (D) with N = 1) and one label per row.
    static func fused(_ x1: [Float], _ x2: [Float], _ y: [Float], rows: Int, features d: Int, margin: Float,
                      wantLoss: Bool, upstream: Upstream?, threads: Int) -> Pointwise3.Result {
        var total = 0.0
        var loss: [Float] = [], g1: [Float] = [], g2: [Float] = []
        let grads = upstream != nil
        loss = Pointwise3.produce(wantLoss, rows) { lp in
            g1 = Pointwise3.produce(grads, rows * d) { g1p in
                g2 = Pointwise3.produce(grads, rows * d) { g2p in
                    total = x1.withUnsafeBufferPointer { b1 in
                        x2.withUnsafeBufferPointer { b2 in
                            y.withUnsafeBufferPointer { by in
                                upstream.withElementwise { up, uniform in
                                    let p = UncheckedSendable((b1.baseAddress, b2.baseAddress, by.baseAddress, up, lp, g1p, g2p))
                                    return Parallel.mapChunks(count: rows, chunk: chunkRows(features: d), threads: threads,
                                                              initial: 0.0) { range in
                                        guard let ys = p.value.2 else { return 0 }
                                        // D = 0 leaves the input buffers empty; a zero-length row never reads them.
                                        let x1p = p.value.0 ?? UnsafePointer(ys), x2p = p.value.1 ?? UnsafePointer(ys)
                                        var sum = 0.0
                                        for row in range {
                                            let base = row * d
                                            let (dot, s1, s2) = stats(x1p, x2p, base, d)
                                            let a = s1 + eps32, b = s2 + eps32
                                            let root = (a * b).squareRoot()
                                            let cos = dot / root
                                            let (value, slope) = label(cos, ys[row], margin: margin)
                                            sum += Double(value)
                                            p.value.4?[row] = value
                                            if let g1 = p.value.5, let g2 = p.value.6 {
                                                let g = (p.value.3?[row] ?? uniform) * slope
                                                gradients(x1p, x2p, g1, g2, base, d, c: g / root, c1: -g * cos / a, c2: -g * cos / b)
                                            }
                                        }
                                        return sum
                                    }.reduce(0, +)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Pointwise3.Result(total: total, loss: loss, grad0: g1, grad1: g2)
    }

    /// General path (input broadcasting, a target broadcast against the rows): the Reference's
    /// structure — norms over each input's own rows, dot products over the broadcast rows,
    /// gradients summed back — in scalar loops with Double sums.
    static func general(_ in1: Tensor<Float>, _ in2: Tensor<Float>, _ target: Tensor<Float>,
                        _ s: CosineEmbeddingValidation.Shapes, margin: Float, upstream: Upstream?) -> Pointwise3.Result {
        let d = s.features, rows = Shape.count(s.rows)
        let x1 = Broadcasting.expand(in1, to: s.full), x2 = Broadcasting.expand(in2, to: s.full)
        func norms(_ t: Tensor<Float>) -> [Float] {
            let own = Array(t.shape.dropLast()), f = t.shape.last ?? 0
            let perOwnRow = (0..<Shape.count(own)).map { r in
                Float((0..<f).reduce(0.0) { $0 + Double(t.scalars[r * f + $1]) * Double(t.scalars[r * f + $1]) }) + eps32
            }
            return Shape.broadcastIndices(from: own, to: s.rows).map { perOwnRow[$0] }
        }
        let a = norms(in1), b = norms(in2)
        var cos = [Float](repeating: 0, count: rows), root = cos
        for r in 0..<rows {
            let dot = (0..<d).reduce(0.0) { $0 + Double(x1[r * d + $1]) * Double(x2[r * d + $1]) }
            root[r] = (a[r] * b[r]).squareRoot()
            cos[r] = Float(dot) / root[r]
        }
        let rowOf = Shape.broadcastIndices(from: s.rows, to: s.output)
        let ys = Broadcasting.expand(target, to: s.output)
        let labelled = ys.indices.map { label(cos[rowOf[$0]], ys[$0], margin: margin) }
        var result = Pointwise3.Result(total: labelled.reduce(0.0) { $0 + Double($1.value) }, loss: labelled.map(\.value))
        guard let upstream else { return result }
        let up: [Float]
        switch upstream {
        case .uniform(let u): up = [Float](repeating: u, count: ys.count)
        case .elementwise(let e): up = e
        }
        let g = Broadcasting.sumToShape(ys.indices.map { up[$0] * labelled[$0].slope }, from: s.output, to: s.rows)

        /// One input's gradient: the dot-product term summed back from the broadcast shape, plus
        /// its own norm's term `x·Σ_rows (−G·cos/norm)`.
        func gradient(of input: Tensor<Float>, other: [Float], norms: [Float]) -> [Float] {
            var dotTerm = [Float](repeating: 0, count: rows * d)
            for r in 0..<rows {
                for k in 0..<d { dotTerm[r * d + k] = g[r] / root[r] * other[r * d + k] }
            }
            var values = Broadcasting.sumToShape(dotTerm, from: s.full, to: input.shape)
            let own = Array(input.shape.dropLast()), f = input.shape.last ?? 0
            let coefficient = Broadcasting.sumToShape((0..<rows).map { -g[$0] * cos[$0] / norms[$0] }, from: s.rows, to: own)
            for r in 0..<Shape.count(own) {
                for k in 0..<f { values[r * f + k] += coefficient[r] * input.scalars[r * f + k] }
            }
            return values
        }
        result.grad0 = gradient(of: in1, other: x2, norms: a)
        result.grad1 = gradient(of: in2, other: x1, norms: b)
        return result
    }
}
