@_spi(Kernels) import LossSpec

extension Fast {
    /// Multi-label one-versus-all logistic loss in Float32, mirroring
    /// `torch.nn.functional.multilabel_soft_margin_loss` (see `Reference.multilabelSoftMarginLoss`
    /// for the definition, the class axis rule, reductions and edge cases).
    ///
    /// Hot path (the class axis is the last, i.e. the input is not outranked by target or weight):
    /// rows of the broadcast shape are processed in chunks of whole rows (`Parallel.elementChunk`
    /// elements, at least one row), so chunk boundaries depend only on the shape. One pass per row
    /// reads x, y (and the weight) once, sums `w·(y·(−logσ(x)) + (1 − y)·(−logσ(−x)))` with one
    /// vector exp and one log per element (256 at a time, `LogisticWindow`), and writes grad_input `w u (σ(x) − y)`,
    /// grad_target `−w u x` and the weight's gradient `u·l` (per chunk and class for a
    /// per-class weight, combined in chunk order), with `u = g/C`. Other layouts take a scalar path.
    ///
    /// Accuracy: a few roundings plus libmvec's ≤ 4 ulp per element; row sums are per-lane Float
    /// over 1 K-element blocks widened to Double; the batch reduction is in Double.
    package static func multilabelSoftMarginLoss(
        input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil,
        reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads
    ) throws -> FastResult {
        let layout = try MultiLabelSoftMarginLayout(input: input.shape, target: target.shape, weight: weight?.shape)
        let rows = Shape.count(layout.reducedShape)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.reducedShape,
                                         divisor: Double(rows))
        // Empty broadcast shapes (C = 0 gives NaN rows) take the scalar path: nothing to stream.
        let run = layout.classAxisIsLast && Shape.count(layout.full) > 0
            ? MultiLabelSoftMargin.rowwise(layout, input, target, weight, upstream, wantRows: reduction == .none,
                                           threads: threads)
            : MultiLabelSoftMargin.general(layout, input, target, weight, upstream)
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: layout.reducedShape, scalars: run.rows)
        case .sum: result.outputs["output"] = Tensor(scalar: Float(run.total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(run.total / Double(rows)))
        }
        guard upstream != nil else { return result }
        let full = layout.full
        result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: Broadcasting.sumToShape(run.gx, from: full, to: input.shape))
        result.outputs["grad_target"] = Tensor(shape: target.shape, scalars: Broadcasting.sumToShape(run.gy, from: full, to: target.shape))
        if let weight, let gw = run.gw {
            result.outputs["grad_weight"] = Tensor(shape: weight.shape, scalars: Broadcasting.sumToShape(gw.values, from: gw.shape, to: weight.shape))
        }
        return result
    }

    static func multilabelSoftMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try multilabelSoftMarginLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"),
                                     weight: a.float("weight"), reduction: o.reduction,
                                     gradOutput: a.float("grad_output"), threads: threads)
    }
}

/// The two evaluation paths of `Fast.multilabelSoftMarginLoss`.
enum MultiLabelSoftMargin {
    /// What a path returns: the unreduced loss per row ('none' only), Σ of it in Double, and the
    /// gradients on the broadcast shape (the weight's on `gw.shape`, which sums to its own shape).
    struct Run {
        var rows: [Float] = []
        var total = 0.0
        var gx: [Float] = []
        var gy: [Float] = []
        var gw: (values: [Float], shape: [Int])?
    }

    /// Pointers shared by the worker threads; each chunk touches only its own rows.
    struct RowBuffers: @unchecked Sendable {
        var x: UnsafePointer<Float>
        var y: UnsafePointer<Float>
        var perClass: UnsafePointer<Float>?
        var fullWeight: UnsafePointer<Float>?
        var up: UnsafePointer<Float>?
        var uniform: Float
        var rows: UnsafeMutablePointer<Float>?
        var gx: UnsafeMutablePointer<Float>?
        var gy: UnsafeMutablePointer<Float>?
        var gwFull: UnsafeMutablePointer<Float>?
    }

    static func rowwise(_ layout: MultiLabelSoftMarginLayout, _ input: Tensor<Float>, _ target: Tensor<Float>,
                        _ weight: Tensor<Float>?, _ upstream: Upstream?, wantRows: Bool, threads: Int) -> Run {
        let full = layout.full
        let length = full[layout.classAxis]
        let rowCount = Shape.count(layout.reducedShape)
        let n = rowCount * length
        let classes = Double(layout.classes)
        let x = Broadcasting.expand(input, to: full), y = Broadcasting.expand(target, to: full)
        // A weight whose leading sizes are all 1 is one value per class: read it per row instead of
        // expanding it, and sum its gradient per chunk. Any other weight is expanded to `full`.
        var perClassWeight: [Float]? = nil, fullWeight: [Float]? = nil
        if let w = weight {
            if w.shape.dropLast().allSatisfy({ $0 == 1 }) {
                perClassWeight = Broadcasting.expand(Tensor(shape: [w.shape.last ?? 1], scalars: w.scalars), to: [length])
            } else {
                fullWeight = Broadcasting.expand(w, to: full)
            }
        }
        let wantGradients = upstream != nil
        var rows = FloatBuffers.uninitialized(wantRows ? rowCount : 0)
        var gx = FloatBuffers.uninitialized(wantGradients ? n : 0)
        var gy = FloatBuffers.uninitialized(wantGradients ? n : 0)
        var gwFull = FloatBuffers.uninitialized(wantGradients && fullWeight != nil ? n : 0)
        let perClassGradient = wantGradients && perClassWeight != nil
        let rowsPerChunk = max(1, Parallel.elementChunk / max(length, 1))
        var partials: [(sum: Double, gw: [Double])] = []
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                perClassWeight.withOptionalBuffer { wc in
                    fullWeight.withOptionalBuffer { wf in
                        upstream.withElementwise { up, uniform in
                            rows.withUnsafeMutableBufferPointer { rb in
                                withMutablePointers(&gx, &gy, &gwFull) { gxp, gyp, gwp in
                                    guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return }
                                    let b = RowBuffers(x: xp, y: yp, perClass: wc, fullWeight: wf, up: up, uniform: uniform,
                                                       rows: rb.isEmpty ? nil : rb.baseAddress, gx: gxp, gy: gyp, gwFull: gwp)
                                    partials = Parallel.mapChunks(count: rowCount, chunk: rowsPerChunk, threads: threads,
                                                                  initial: (0.0, [])) { range in
                                        rowChunk(b, range, length: length, classes: classes,
                                                 perClassGradient: perClassGradient)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var run = Run(rows: rows, total: partials.reduce(0) { $0 + $1.sum }, gx: gx, gy: gy)
        if perClassGradient, let weight {
            var sums = [Double](repeating: 0, count: length)
            for p in partials {
                for c in 0..<min(length, p.gw.count) { sums[c] += p.gw[c] }
            }
            // [length] sums onto the weight's last size (1 for a broadcast scalar), which holds all
            // of its elements since its leading sizes are 1.
            let last = weight.shape.last ?? 1
            run.gw = (Broadcasting.sumToShape(sums.map { Float($0) }, from: [length], to: [last]), weight.shape)
        } else if fullWeight != nil {
            run.gw = (gwFull, full)
        }
        return run
    }

    /// Rows `range`: each row's loss Σ w·l / C, and the gradients where requested.
    @inline(__always)
    static func rowChunk(_ b: RowBuffers, _ range: Range<Int>, length: Int, classes: Double,
                         perClassGradient: Bool) -> (sum: Double, gw: [Double]) {
        // Per-class weight gradient of this chunk's rows, in Double: a chunk may hold thousands
        // of short rows.
        var gw = [Double](repeating: 0, count: perClassGradient ? length : 0)
        var total = 0.0
        gw.withUnsafeMutableBufferPointer { gwb in
          withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * LogisticWindow.size) { values in
            let gwp = gwb.isEmpty ? nil : gwb.baseAddress
            for r in range {
                let base = r * length
                // The upstream gradient of this row's elements: g/C (g/(rows·C) for 'mean').
                let u = SIMD8<Float>(repeating: Float(Double(b.up.map { $0[r] } ?? b.uniform) / classes))
                var step = MultiLabelSoftMarginStep(b: b, base: base, end: base + length, u: u, gw: gwp,
                                                    window: LogisticWindow(values: values.baseAddress!))
                let rowSum = Lanes8.blockSum(base..<base + length, &step)
                let value = rowSum / classes
                b.rows?[r] = Float(value)
                total += value
            }
          }
        }
        return (total, gw)
    }

    /// Any layout, including a class axis that is not the last (an outranked input): scalar loops
    /// over the broadcast shape, mirroring the Reference.
    static func general(_ layout: MultiLabelSoftMarginLayout, _ input: Tensor<Float>, _ target: Tensor<Float>,
                        _ weight: Tensor<Float>?, _ upstream: Upstream?) -> Run {
        let full = layout.full
        let x = Broadcasting.expand(input, to: full), y = Broadcasting.expand(target, to: full)
        let w = weight.map { Broadcasting.expand($0, to: full) }
        let n = x.count, rowCount = Shape.count(layout.reducedShape), classes = Double(layout.classes)
        var unweighted = [Float](repeating: 0, count: n)
        var sums = [Double](repeating: 0, count: rowCount)
        var sigmoid = unweighted
        for k in 0..<n {
            let xv = SIMD8<Float>(repeating: x[k])
            let t = LogisticTerms(xv)
            unweighted[k] = y[k] * t.negLogSigmoid[0] + (1 - y[k]) * t.negLogSigmoidOfNegative[0]
            sigmoid[k] = t.sigmoid(xv)[0]
            sums[layout.row(k)] += Double((w?[k] ?? 1) * unweighted[k])
        }
        var run = Run(rows: sums.map { Float($0 / classes) }, total: sums.reduce(0) { $0 + $1 / classes })
        guard let upstream else { return run }
        var gx = [Float](repeating: 0, count: n), gy = gx, gw = gx
        for k in 0..<n {
            let g: Float
            switch upstream {
            case .uniform(let v): g = v
            case .elementwise(let values): g = values[layout.row(k)]
            }
            let u = Float(Double(g) / classes), wu = (w?[k] ?? 1) * u
            gx[k] = wu * (sigmoid[k] - y[k])
            gy[k] = -wu * x[k]
            gw[k] = u * unweighted[k]
        }
        run.gx = gx
        run.gy = gy
        if w != nil { run.gw = (gw, full) }
        return run
    }
}

/// Eight elements of one row of `rowChunk`: the weighted loss terms, and the gradients where
/// requested (the per-class weight gradient accumulated in Double into `gw`).
struct MultiLabelSoftMarginStep: Lanes8Step {
    let b: MultiLabelSoftMargin.RowBuffers
    /// The row's first element and its end, and the upstream gradient of its elements.
    let base: Int, end: Int, u: SIMD8<Float>
    let gw: UnsafeMutablePointer<Double>?
    var window: LogisticWindow

    @inline(__always)
    mutating func callAsFunction(_ i: Int, _ n: Int) -> SIMD8<Float> {
        let x = Lanes8.load(b.x, i, n), y = Lanes8.load(b.y, i, n)
        if window.needsFill(i) { window.fill(b.x, from: i, limit: end) }
        let t = LogisticWindow.terms(x, at: i, values: window.values, start: window.start)
        let unweighted = y * t.negLogSigmoid + (1 - y) * t.negLogSigmoidOfNegative
        let w = b.perClass.map { Lanes8.load($0, i - base, n) } ?? b.fullWeight.map { Lanes8.load($0, i, n) }
        if let gx = b.gx, let gy = b.gy {
            let wu = w.map { $0 * u } ?? u
            Lanes8.store(wu * (t.sigmoid(x) - y), gx, i, n)
            Lanes8.store(-wu * x, gy, i, n)
            if let gw {
                let v = u * unweighted, c = i - base
                if n == 8 {
                    let p = UnsafeMutableRawPointer(gw + c)
                    p.storeBytes(of: p.loadUnaligned(as: SIMD8<Double>.self) + SIMD8<Double>(v), as: SIMD8<Double>.self)
                } else {
                    for k in 0..<n { gw[c + k] += Double(v[k]) }
                }
            } else if let gwFull = b.gwFull {
                Lanes8.store(u * unweighted, gwFull, i, n)
            }
        }
        return w.map { $0 * unweighted } ?? unweighted
    }
}
