@_spi(Kernels) import LossSpec

extension Fast {
    /// Multi-label hinge loss in Float32, mirroring `torch.nn.functional.multilabel_margin_loss` (see
    /// `Reference.multilabelMarginLoss` for the definition, reduction rule, edge cases and errors;
    /// the validation is the shared `MarginLossValidation.multilabelMargin`).
    ///
    /// Cost: per row, the target set T as an additive lane bitmap (0 or −inf per class, padded to 16
    /// with −inf so the tail needs no extra mask), then one SIMD pass over the row per label j of the
    /// prefix J: `z = (1 − x_j) + x_i` under the strict `z > 0` test on `z + bitmap`, which drops
    /// i ∈ T and NaN. (An Int32 bitmap compared lane-wise compiled to a scalar loop: 100× slower.)
    /// The backward counts active terms per class in the gradient row itself (+1 at i, −1 at j, exact
    /// integers in Float) and scales the row once by s = u/C, so each gradient is one rounding from
    /// exact. Rows are chunked by `MarginLossRows`. Accuracy: z one rounding from exact; a row sums
    /// |J|·C/16 terms per lane in Float, rows add up in Double.
    package static func multilabelMarginLoss(input: Tensor<Float>, target: Tensor<Int64>,
                                            reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil,
                                            threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let layout = try MarginLossValidation.multilabelMargin(input: input.shape, target: target.shape,
                                                               labels: target.scalars)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.outputShape,
                                         divisor: Double(layout.batch))
        return input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { t in
                MarginLossRows.run(layout: layout, reduction: reduction, upstream: upstream,
                                   gradShape: input.shape, threads: threads) { rows, out, grad, uniform, up in
                    // x and t hold N·C elements, non-empty whenever there are rows.
                    guard let x = x.baseAddress, let t = t.baseAddress else { return 0 }
                    return multilabelMarginRows(rows, classes: layout.classes, x: x, t: t, out: out, grad: grad,
                                                uniform: uniform, up: up)
                }
            }
        }
    }

    static func multilabelMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try multilabelMarginLoss(input: a.requiredFloat("input"), target: a.requiredInteger("target"),
                                 reduction: o.reduction, gradOutput: a.float("grad_output"), threads: threads)
    }

    /// One chunk of rows: Σ l_n, writing `out` and `grad` where requested. Labels were validated
    /// to lie in [−1, C), so every index before a row's first −1 is a class.
    static func multilabelMarginRows(_ rows: Range<Int>, classes c: Int, x: UnsafePointer<Float>,
                                     t: UnsafePointer<Int64>, out: UnsafeMutablePointer<Float>?,
                                     grad: UnsafeMutablePointer<Float>?, uniform: Float,
                                     up: UnsafePointer<Float>?) -> Double {
        typealias V = SIMD16<Float>
        let zero = V(repeating: 0), one = V(repeating: 1)
        // The target set as an additive bitmap: −inf for i ∈ T (and the padding to 16 lanes), 0
        // otherwise, so `z + bar` keeps z exactly for i ∉ T and fails `> 0` for i ∈ T (−inf, or
        // NaN when z = +inf). Reset after each row.
        let padded = (c + 15) / 16 * 16
        var inTarget = [Float](repeating: 0, count: padded)
        for i in c..<padded { inTarget[i] = -.infinity }
        var total = 0.0
        inTarget.withUnsafeMutableBufferPointer { bits in
            guard let bits = bits.baseAddress else { return }
            for n in rows {
                let row = x + n * c, labels = t + n * c
                let gradRow = grad.map { $0 + n * c }
                var count = 0
                while count < c && labels[count] >= 0 {
                    bits[Int(labels[count])] = -.infinity
                    count += 1
                }
                var acc0 = zero, acc1 = zero
                for k in 0..<count {
                    let j = Int(labels[k])
                    let a = V(repeating: 1 - row[j])
                    var active = zero
                    var i = 0
                    while i < c {
                        let lanes = min(16, c - i)
                        let full = lanes == 16
                        let z = a + (full ? Streams.load(row, i) : Streams.loadPartial(row, i, lanes))
                        let m = z + Streams.load(bits, i) .> 0
                        let zm = zero.replacing(with: z, where: m)
                        if (i & 16) == 0 { acc0 += zm } else { acc1 += zm }
                        if let gradRow {
                            let hits = zero.replacing(with: one, where: m)
                            active += hits
                            let g = (full ? Streams.load(gradRow, i) : Streams.loadPartial(gradRow, i, lanes)) + hits
                            if full { Streams.store(g, gradRow, i) } else { Streams.storePartial(g, gradRow, i, lanes) }
                        }
                        i += 16
                    }
                    // j ∈ T, so the passes never touch its slot: it only collects −(active count).
                    gradRow?[j] -= Streams.laneSum(active)
                }
                let l = Streams.widenSum(acc0 + acc1) / Double(c)
                out?[n] = Float(l)
                total += l
                if let gradRow, count > 0 {
                    // Only counted slots are scaled: an untouched slot stays 0 even for a non-finite s.
                    let s = V(repeating: (up?[n] ?? uniform) / Float(c))
                    var i = 0
                    while i < c {
                        let lanes = min(16, c - i)
                        let g = lanes == 16 ? Streams.load(gradRow, i) : Streams.loadPartial(gradRow, i, lanes)
                        let scaled = g.replacing(with: g * s, where: g .!= 0)
                        if lanes == 16 { Streams.store(scaled, gradRow, i) } else { Streams.storePartial(scaled, gradRow, i, lanes) }
                        i += 16
                    }
                }
                for k in 0..<count { bits[Int(labels[k])] = 0 }
            }
        }
        return total
    }
}
