@_spi(Kernels) import LossSpec

extension Fast {
    /// Multi-class hinge loss in Float32, mirroring `torch.nn.functional.multi_margin_loss` (see
    /// `Reference.multiMarginLoss` for the definition, reduction rule, edge cases and errors; the
    /// validation is the shared `MarginLossValidation.multiMargin`).
    ///
    /// Cost: one read of the input; forward+backward writes each gradient row in the same pass.
    /// Per row, `a = margin − x_y` once, then 16 classes at a time `z = a + x_i` (the Reference's
    /// association, so infinities and NaN behave alike) under PyTorch's strict `z > 0` test as a
    /// lane mask that also excludes `i = y` (NaN compares false and is dropped). The target's own
    /// gradient, `−s·(active count)` (p = 1) or `−2s·Σz` (p = 2), comes from the same pass.
    /// Rows are chunked by `MarginLossRows`. Accuracy: each z is one rounding from exact; a row
    /// sums ≤ C/32 terms per lane in Float, rows add up in Double.
    package static func multiMarginLoss(input: Tensor<Float>, target: Tensor<Int64>, p: Double = 1,
                                       margin: Float = 1, weight: Tensor<Float>? = nil,
                                       reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil,
                                       threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let layout = try MarginLossValidation.multiMargin(input: input.shape, target: target.shape,
                                                          weight: weight?.shape, p: p)
        let classes = try MarginLossValidation.classIndices(target.scalars, classes: layout.classes)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.outputShape,
                                         divisor: Double(layout.batch))
        return input.scalars.withUnsafeBufferPointer { x in
            classes.withUnsafeBufferPointer { y in
                weight.map(\.scalars).withOptionalBuffer { w in
                    MarginLossRows.run(layout: layout, reduction: reduction, upstream: upstream,
                                       gradShape: input.shape, threads: threads) { rows, out, grad, uniform, up in
                        // x and y are non-empty whenever there are rows (C ≥ 1, N ≥ 1).
                        guard let x = x.baseAddress, let y = y.baseAddress else { return 0 }
                        let k = MultiMarginRows(classes: layout.classes, margin: margin, x: x, y: y, w: w,
                                                out: out, grad: grad, uniform: uniform, up: up)
                        return p == 2 ? k.run(rows, SquaredHinge.self) : k.run(rows, LinearHinge.self)
                    }
                }
            }
        }
    }

    static func multiMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try multiMarginLoss(input: a.requiredFloat("input"), target: a.requiredInteger("target"), p: o.p,
                            margin: Float(o.margin), weight: a.float("weight"), reduction: o.reduction,
                            gradOutput: a.float("grad_output"), threads: threads)
    }
}

/// The hinge power p of `multi_margin_loss`, as a type so each row loop is specialised.
protocol HingePower { static var squared: Bool { get } }
enum LinearHinge: HingePower { static var squared: Bool { false } }
enum SquaredHinge: HingePower { static var squared: Bool { true } }

/// One chunk of `multi_margin_loss` rows over raw buffers.
struct MultiMarginRows {
    typealias V = SIMD16<Float>
    let classes: Int
    let margin: Float
    let x: UnsafePointer<Float>
    let y: UnsafePointer<Int>
    let w: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>?
    let grad: UnsafeMutablePointer<Float>?
    let uniform: Float
    let up: UnsafePointer<Float>?

    /// Σ l_n over `rows`, writing `out` and `grad` where requested (each row by `MultiMarginSweep`).
    @inline(__always)
    func run<P: HingePower>(_ rows: Range<Int>, _ power: P.Type) -> Double {
        let c = classes
        var total = 0.0
        for n in rows {
            let row = x + n * c
            let t = y[n]
            let a = V(repeating: margin - row[t])
            let wy = w?[t] ?? 1
            // s = u·w_y/C; a term's gradient is s (p = 1) or 2s·z (p = 2).
            let s = (up?[n] ?? uniform) * wy / Float(c)
            let h = V(repeating: P.squared ? 2 * s : s)
            let gradRow = grad.map { $0 + n * c }
            var sweep = MultiMarginSweep<P>(row: row, classes: c, target: t, a: a, h: h)
            if gradRow != nil { sweep.run(gradRow, WithGradient.self) } else { sweep.run(nil, WithoutGradient.self) }
            // A row with no active term contributes exactly 0 to the loss and the target's
            // gradient, even when w_y is NaN or ±inf (PyTorch multiplies by w_y only inside the
            // z > 0 branch); aux is the active count (p = 1) or Σz over active terms (p = 2), both
            // zero exactly when nothing is active.
            let auxSum = Streams.widenSum(sweep.aux)
            let l = auxSum == 0 ? 0 : Double(wy) * Streams.widenSum(sweep.acc0 + sweep.acc1) / Double(c)
            out?[n] = Float(l)
            total += l
            // The target's gradient: −Σ over active terms of the term gradient.
            gradRow?[t] = auxSum == 0 ? 0 : Float(-Double(h[0]) * auxSum)
        }
        return total
    }
}

/// Whether a row sweep writes gradients, as a type so each sweep is specialised without the test.
protocol GradientFlag { static var on: Bool { get } }
enum WithGradient: GradientFlag { static var on: Bool { true } }
enum WithoutGradient: GradientFlag { static var on: Bool { false } }

/// One row of `MultiMarginRows.run`: the sweep over its classes with the loss's accumulators.
///
/// The active lanes are those with `z > 0`, a compare used directly as the select's mask. The
/// target's own class is removed by setting its `z` to −inf in the one block that holds it, and
/// a partial last block is padded with x = −inf, so no other mask is combined in: and-ing masks
/// (a lane insert for the target, a tail mask) made LLVM shuttle every mask through bytes and
/// back, a dozen instructions per block. (A −inf z stays −inf or becomes NaN for any a, and both
/// fail `z > 0`.) Blocks alternate between two accumulators, written out as a two-block loop,
/// and the sweep is specialised with and without a gradient row (`GradientFlag`), so no parity
/// or nil test is left in the loop. A struct rather than nested functions: closures capturing
/// the accumulators were boxed when not inlined, and the forward pass ran 7× slower.
struct MultiMarginSweep<P: HingePower> {
    typealias V = SIMD16<Float>
    let row: UnsafePointer<Float>
    let classes: Int
    let target: Int
    /// margin − x_y in every lane.
    let a: V
    /// A term's gradient factor: s (p = 1) or 2s (p = 2).
    let h: V
    /// Σz^p in two interleaved accumulators; Σz (p = 2) or the active count (p = 1).
    var acc0 = V(repeating: 0), acc1 = V(repeating: 0), aux = V(repeating: 0)

    init(row: UnsafePointer<Float>, classes: Int, target: Int, a: V, h: V) {
        self.row = row
        self.classes = classes
        self.target = target
        self.a = a
        self.h = h
    }

    /// z of block `i`, with the target's lane at −inf when the block holds it.
    @inline(__always)
    func z(_ i: Int, _ x: V) -> V {
        var z = a + x
        let k = target &- i
        if UInt(bitPattern: k) < 16 { z[k] = -.infinity }
        return z
    }

    @inline(__always)
    mutating func block<G: GradientFlag>(_ i: Int, _ z: V, odd: Bool, _ gradRow: UnsafeMutablePointer<Float>?, _: G.Type) {
        let zero = V(repeating: 0)
        let m = z .> 0
        let zm = zero.replacing(with: z, where: m)
        if P.squared {
            if odd { acc1.addProduct(zm, zm) } else { acc0.addProduct(zm, zm) }
            aux += zm
        } else {
            if odd { acc1 += zm } else { acc0 += zm }
            aux += zero.replacing(with: V(repeating: 1), where: m)
        }
        if G.on, let gradRow {
            let g = zero.replacing(with: P.squared ? h * z : h, where: m)
            if i + 16 <= classes { Streams.store(g, gradRow, i) } else { Streams.storePartial(g, gradRow, i, classes - i) }
        }
    }

    @inline(__always)
    mutating func run<G: GradientFlag>(_ gradRow: UnsafeMutablePointer<Float>?, _ flag: G.Type) {
        let c = classes
        var i = 0
        while i + 32 <= c {
            let z0 = z(i, Streams.load(row, i)), z1 = z(i + 16, Streams.load(row, i + 16))
            block(i, z0, odd: false, gradRow, flag)
            block(i + 16, z1, odd: true, gradRow, flag)
            i += 32
        }
        var odd = false
        if i + 16 <= c {
            block(i, z(i, Streams.load(row, i)), odd: false, gradRow, flag)
            odd = true
            i += 16
        }
        if i < c {
            block(i, z(i, Streams.loadPartial(row, i, c - i, pad: -.infinity)), odd: odd, gradRow, flag)
        }
    }
}
