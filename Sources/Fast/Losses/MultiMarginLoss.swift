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

    /// Σ l_n over `rows`, writing `out` and `grad` where requested.
    @inline(__always)
    func run<P: HingePower>(_ rows: Range<Int>, _ power: P.Type) -> Double {
        let c = classes
        let zero = V(repeating: 0), one = V(repeating: 1)
        var total = 0.0
        for n in rows {
            let row = x + n * c
            let gradRow = grad.map { $0 + n * c }
            let t = y[n]
            let a = V(repeating: margin - row[t])
            let wy = w?[t] ?? 1
            // s = u·w_y/C; a term's gradient is s (p = 1) or 2s·z (p = 2).
            let s = (up?[n] ?? uniform) * wy / Float(c)
            let h = V(repeating: P.squared ? 2 * s : s)
            // Σz^p in two interleaved accumulators; Σz (p = 2) or the active count (p = 1).
            var acc0 = zero, acc1 = zero, aux = zero
            var i = 0
            while i < c {
                let lanes = min(16, c - i)
                let full = lanes == 16
                let z = a + (full ? Streams.load(row, i) : Streams.loadPartial(row, i, lanes))
                var m = z .> 0
                if !full { m = m .& Streams.laneMask(lanes) }
                if t >= i && t < i + 16 { m[t - i] = false }
                let zm = zero.replacing(with: z, where: m)
                if P.squared {
                    if (i & 16) == 0 { acc0.addProduct(zm, zm) } else { acc1.addProduct(zm, zm) }
                    aux += zm
                } else {
                    if (i & 16) == 0 { acc0 += zm } else { acc1 += zm }
                    aux += zero.replacing(with: one, where: m)
                }
                if let gradRow {
                    let g = zero.replacing(with: P.squared ? h * z : h, where: m)
                    if full { Streams.store(g, gradRow, i) } else { Streams.storePartial(g, gradRow, i, lanes) }
                }
                i += 16
            }
            // A row with no active term contributes exactly 0 to the loss and the target's
            // gradient, even when w_y is NaN or ±inf (PyTorch multiplies by w_y only inside the
            // z > 0 branch); aux is the active count (p = 1) or Σz over active terms (p = 2), both
            // zero exactly when nothing is active.
            let auxSum = Streams.widenSum(aux)
            let l = auxSum == 0 ? 0 : Double(wy) * Streams.widenSum(acc0 + acc1) / Double(c)
            out?[n] = Float(l)
            total += l
            // The target's gradient: −Σ over active terms of the term gradient.
            gradRow?[t] = auxSum == 0 ? 0 : Float(-Double(h[0]) * auxSum)
        }
        return total
    }
}
