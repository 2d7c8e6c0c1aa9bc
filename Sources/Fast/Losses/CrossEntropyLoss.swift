import Foundation
@_spi(Kernels) import LossSpec

extension Fast {
    /// Cross entropy of logits with class-index targets in Float32, mirroring
    /// `torch.nn.functional.cross_entropy` (see `Reference.crossEntropy` for the definition,
    /// label smoothing, the W-divided 'mean', ignore_index and every edge case). A target of the
    /// input's shape is a probability target and must be Float (`invalid_value` here, as in the
    /// Reference).
    ///
    /// Cost, contiguous rows (`(C)`, `(N, C)`): per row one max pass, one pass of `exp(x − m)`
    /// (the inline softmax exp, `VectorMath.expNonPositive`, below 1 ulp) summing `S` (and
    /// `Σ w·(x − m)` for smoothing) while storing the numerators in the gradient buffer and
    /// prefetching the next row, and for the backward one in-place pass writing
    /// `a·w_c − p_c·ΣG` (the softmax − one-hot of the Reference, scaled); rows chunked by about
    /// `Parallel.elementChunk` elements across threads. K-dim inputs (classes `S` apart) use a scalar strided path.
    /// Accuracy: `logp` to a few ulp of `|x − m| + log S`; row sums in Float per lane, the
    /// reduction in Double in chunk order.
    package static func crossEntropy(input: Tensor<Float>, target: Tensor<Int64>, weight: Tensor<Float>? = nil,
                                    ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Double = 0,
                                    gradOutput: Tensor<Float>? = nil,
                                    threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (layout, _, w) = try CrossEntropyValidation.check(
            input: input.shape, target: target.shape, targetIsFloat: false, weight: weight,
            ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)
        let targets = try ClassIndexTargets(target, layout: layout, weight: w, ignoreIndex: ignoreIndex)
        return try CrossEntropyIndexPath(layout: layout, input: input, targets: targets, weight: w,
                                         smoothing: labelSmoothing > 0 ? labelSmoothing : 0)
            .evaluate(reduction: reduction, gradOutput: gradOutput, threads: threads)
    }

    /// Cross entropy with class-probability targets (the target has the input's shape), mirroring
    /// `torch.nn.functional.cross_entropy`; 'mean' divides by the number of positions. Returns
    /// `grad_input` and `grad_target` with a gradient. `ignore_index` must be negative.
    ///
    /// Cost, contiguous rows: per row one max pass and one pass of `exp(x − m)` that also reads
    /// the target (`q = Σ w·y'·(x − m) − log S·Σ w·y'`), storing the numerators when a gradient
    /// is wanted; the backward is one more pass writing both gradients. K-dim inputs use the
    /// scalar strided path. Accuracy as for index targets.
    package static func crossEntropy(input: Tensor<Float>, probabilities target: Tensor<Float>,
                                    weight: Tensor<Float>? = nil, ignoreIndex: Int = -100,
                                    reduction: Reduction = .mean, labelSmoothing: Double = 0,
                                    gradOutput: Tensor<Float>? = nil,
                                    threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (layout, _, w) = try CrossEntropyValidation.check(
            input: input.shape, target: target.shape, targetIsFloat: true, weight: weight,
            ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)
        return try CrossEntropyProbabilityPath(layout: layout, input: input, target: target, weight: w,
                                               smoothing: labelSmoothing > 0 ? labelSmoothing : 0)
            .evaluate(reduction: reduction, gradOutput: gradOutput, threads: threads)
    }

    static func crossEntropy(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        // The target's dtype picks the path; the Float argument is used as already rounded.
        guard let dtype = a.dtypes["target"] else {
            throw LossError(.invalidOption, argument: "target", "cross_entropy needs the tensor argument 'target'")
        }
        let input = try a.requiredFloat("input"), weight = try a.float("weight")
        let gradOutput = try a.float("grad_output")
        switch dtype {
        case .int64:
            return try crossEntropy(input: input, target: a.requiredInteger("target"), weight: weight,
                                    ignoreIndex: o.ignoreIndex, reduction: o.reduction,
                                    labelSmoothing: o.labelSmoothing, gradOutput: gradOutput, threads: threads)
        case .float64:
            return try crossEntropy(input: input, probabilities: a.requiredFloat("target"), weight: weight,
                                    ignoreIndex: o.ignoreIndex, reduction: o.reduction,
                                    labelSmoothing: o.labelSmoothing, gradOutput: gradOutput, threads: threads)
        }
    }
}

/// Per-chunk partial sums of the two cross-entropy terms.
private struct TermSums: Sendable {
    var a = 0.0, b = 0.0
}

/// The class-index path: `l_n = (1−ε)·nll_n + (ε/C)·smooth_n`, each term reduced on its own as
/// in the Reference (so W = 0 and C = 0 give PyTorch's non-finite results).
private struct CrossEntropyIndexPath {
    let layout: ClassScores
    let input: Tensor<Float>
    let targets: ClassIndexTargets
    let weight: [Float]?
    let smoothing: Double

    func evaluate(reduction: Reduction, gradOutput: Tensor<Float>?, threads: Int) throws -> FastResult {
        let count = layout.positions, classes = layout.classes
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.positionShape,
                                         divisor: targets.weightSum)
        let wantOut = reduction == .none
        var nllOut = wantOut ? [Float](repeating: 0, count: count) : []
        var smoothOut = wantOut && smoothing > 0 ? [Float](repeating: 0, count: count) : []
        // Every row writes all its classes (C = 0 has no element), so no zero fill is needed.
        var grad = upstream != nil ? FloatBuffers.uninitialized(input.count) : []
        let eps = Float(smoothing)
        let classWeightSum = SoftmaxRow.weightSum(weight, classes: classes)
        let contiguous = layout.spatial == 1

        let partials: [TermSums] = input.scalars.withUnsafeBufferPointer { xb in
            targets.classes.withUnsafeBufferPointer { yb in
                nllOut.withUnsafeMutableBufferPointer { nb in
                    smoothOut.withUnsafeMutableBufferPointer { sb in
                        grad.withUnsafeMutableBufferPointer { gb in
                            weight.withOptionalBuffer { wp in
                                upstream.withElementwise { up, uniform in
                                    let s = UncheckedSendable((x: xb.baseAddress, y: yb, n: nb, sm: sb, g: gb.baseAddress,
                                                               w: wp, up: up))
                                    let wantGrad = upstream != nil, wantSmooth = smoothing > 0
                                    let chunk = ClassIndexTargets.chunk(classes: classes)
                                    return Parallel.mapChunks(count: count, chunk: chunk, threads: threads,
                                                              initial: TermSums()) { range in
                                        guard let x = s.value.x, classes > 0 else { return TermSums() }
                                        var sums = TermSums()
                                        for p in range {
                                            let y = Int(s.value.y[p])
                                            let u = wantGrad ? (s.value.up.map { $0[p] } ?? uniform) : 0
                                            let g = wantGrad ? s.value.g : nil
                                            let (nll, smooth) = contiguous && u.isFinite
                                                ? Self.row(x + p * classes, classes, y: y, weight: s.value.w, eps: eps,
                                                           classWeightSum: classWeightSum, u: u, grad: g.map { $0 + p * classes })
                                                : Self.stridedRow(x, layout: layout, position: p, y: y, weight: s.value.w,
                                                                  eps: eps, u: u, grad: g)
                                            sums.a += Double(nll)
                                            sums.b += Double(smooth)
                                            if wantOut { s.value.n[p] = nll }
                                            if wantOut && wantSmooth { s.value.sm[p] = smooth }
                                        }
                                        return sums
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        let c = Double(classes)
        switch reduction {
        case .none:
            let elements = smoothing > 0
                ? zip(nllOut, smoothOut).map { (1 - eps) * $0 + (eps / Float(classes)) * $1 }
                : nllOut
            result.outputs["output"] = Tensor(shape: layout.positionShape, scalars: elements)
        case .sum, .mean, .batchmean:
            let divisor = reduction == .sum ? 1 : targets.weightSum
            let nll = partials.reduce(0) { $0 + $1.a } / divisor
            let smooth = partials.reduce(0) { $0 + $1.b } / divisor
            let value = smoothing > 0 ? (1 - smoothing) * nll + (smoothing / c) * smooth : nll
            result.outputs["output"] = Tensor(scalar: Float(value))
        }
        if upstream != nil { result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: grad) }
        return result
    }

    /// A contiguous row with a finite upstream `u`: returns `(nll, smooth)` and writes the row's
    /// gradient `G_c − p_c·ΣG` with `G_c = a·w_c + [c = y]·b`, `a = −(ε/C)·u`,
    /// `b = −(1−ε)·w_y·u` (`y < 0`: ignored, `G = 0`).
    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ n: Int, y: Int, weight w: UnsafePointer<Float>?, eps: Float,
                    classWeightSum: Float, u: Float, grad: UnsafeMutablePointer<Float>?) -> (Float, Float) {
        let m = SoftmaxRow.max(x, n)
        let smoothing = eps > 0 && y >= 0
        let (s, t) = SoftmaxRow.expSum(x, n, max: m, weight: w, shifted: smoothing, store: grad)
        let logS = Foundation.log(s)
        var nll: Float = 0, smooth: Float = 0
        if y >= 0 {
            let wy = w.map { $0[y] } ?? 1
            nll = -wy * ((x[y] - m) - logS)
            // Σ_c −w_c·logp_c = −(Σ w_c·(x_c − m) − log S·Σ w_c).
            if smoothing { smooth = -(t - logS * classWeightSum) }
        }
        guard let grad else { return (nll, smooth) }
        guard y >= 0 else {
            // G = 0, yet 0·p is NaN where the row is (0/S keeps S's NaN).
            SoftmaxRow.scaleInPlace(grad, n, a: 0, weight: nil, c: 0 / s)
            return (nll, smooth)
        }
        let wy = w.map { $0[y] } ?? 1
        let a = eps > 0 ? -(eps / Float(n)) * u : 0
        let b = wy * -((eps > 0 ? 1 - eps : 1) * u)
        // Without smoothing Σ_c w_c does not enter (a NaN weight of another class must not leak in).
        let sumG = eps > 0 ? b + a * classWeightSum : b
        let py = grad[y] / s
        SoftmaxRow.scaleInPlace(grad, n, a: a, weight: eps > 0 ? w : nil, c: sumG / s)
        grad[y] = (b + a * wy) - py * sumG
        return (nll, smooth)
    }

    /// Any row, scalar, classes `S` apart, in the Reference's operation order (used for K-dim
    /// inputs and for a non-finite upstream, where `G − p·ΣG` must produce the same NaN/inf).
    static func stridedRow(_ x: UnsafePointer<Float>, layout: ClassScores, position: Int, y: Int,
                           weight w: UnsafePointer<Float>?, eps: Float, u: Float,
                           grad: UnsafeMutablePointer<Float>?) -> (Float, Float) {
        let classes = layout.classes
        let row = StridedSoftmaxRow(x, base: layout.index(position: position, class: 0), stride: layout.spatial,
                                    classes: classes)
        var nll: Float = 0, smooth: Float = 0
        if y >= 0 {
            nll = -(w.map { $0[y] } ?? 1) * row.logp(y)
            if eps > 0 {
                var sum = 0.0  // Double, as in StridedSoftmaxRow: C terms in sequence
                for c in 0..<classes { sum += Double(-(w.map { $0[c] } ?? 1) * row.logp(c)) }
                smooth = Float(sum)
            }
        }
        guard let grad else { return (nll, smooth) }
        let a = y >= 0 && eps > 0 ? -(eps / Float(classes)) * u : 0
        let b = y >= 0 ? (w.map { $0[y] } ?? 1) * -((eps > 0 ? 1 - eps : 1) * u) : 0
        func g(_ c: Int) -> Float {
            var v: Float = c == y ? b : 0
            if eps > 0 && y >= 0 { v += a * (w.map { $0[c] } ?? 1) }
            return v
        }
        var total = 0.0
        for c in 0..<classes { total += Double(g(c)) }
        let sumG = Float(total)
        for c in 0..<classes { grad[row.index(c)] = g(c) - row.p(c) * sumG }
        return (nll, smooth)
    }
}

/// The class-probability path: `l_n = −Σ_c w_c·y'_c·logp_c` with `y' = (1−ε)·y + ε/C`;
/// 'mean' divides by the number of positions (NaN for C = 0, as PyTorch).
private struct CrossEntropyProbabilityPath {
    let layout: ClassScores
    let input: Tensor<Float>
    let target: Tensor<Float>
    let weight: [Float]?
    let smoothing: Double

    func evaluate(reduction: Reduction, gradOutput: Tensor<Float>?, threads: Int) throws -> FastResult {
        let count = layout.positions, classes = layout.classes
        let divisor = classes == 0 ? 0 : Double(count)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.positionShape, divisor: divisor)
        let wantOut = reduction == .none
        var q = wantOut ? [Float](repeating: 0, count: count) : []
        // Every row writes all its classes (C = 0 has no element), so no zero fill is needed.
        var gradX = upstream != nil ? FloatBuffers.uninitialized(input.count) : []
        var gradY = gradX
        let eps = Float(smoothing), spread = smoothing > 0 ? Float(smoothing) / Float(classes) : 0
        let keep: Float = smoothing > 0 ? 1 - eps : 1

        let partials: [Double] = input.scalars.withUnsafeBufferPointer { xb in
            target.scalars.withUnsafeBufferPointer { tb in
                q.withUnsafeMutableBufferPointer { qb in
                    gradX.withUnsafeMutableBufferPointer { gxb in
                        gradY.withUnsafeMutableBufferPointer { gyb in
                            weight.withOptionalBuffer { wp in
                                upstream.withElementwise { up, uniform in
                                    let s = UncheckedSendable((x: xb.baseAddress, t: tb.baseAddress, q: qb,
                                                               gx: gxb.baseAddress, gy: gyb.baseAddress, w: wp, up: up))
                                    let wantGrad = upstream != nil
                                    let chunk = ClassIndexTargets.chunk(classes: classes)
                                    return Parallel.mapChunks(count: count, chunk: chunk, threads: threads,
                                                              initial: 0.0) { range in
                                        guard let x = s.value.x, let t = s.value.t, classes > 0 else { return 0 }
                                        var sum = 0.0
                                        let u0 = uniform
                                        for p in range where layout.spatial == 1 {
                                            let u = s.value.up.map { $0[p] } ?? u0
                                            let base = p * classes
                                            let qn = Self.row(x + base, t + base, classes, weight: s.value.w, keep: keep,
                                                              spread: spread, u: u,
                                                              gradX: wantGrad ? s.value.gx.map { $0 + base } : nil,
                                                              gradY: wantGrad ? s.value.gy.map { $0 + base } : nil)
                                            sum += Double(qn)
                                            if wantOut { s.value.q[p] = -qn }
                                        }
                                        for p in range where layout.spatial != 1 {
                                            let row = StridedSoftmaxRow(x, base: layout.index(position: p, class: 0),
                                                                        stride: layout.spatial, classes: classes)
                                            // y'_c = (1−ε)·y_c + ε/C; only ε > 0 touches y.
                                            func smoothed(_ c: Int) -> Float {
                                                smoothing > 0 ? keep * t[row.index(c)] + spread : t[row.index(c)]
                                            }
                                            var qn: Float = 0, weighted: Float = 0
                                            for c in 0..<classes {
                                                let wc = s.value.w.map { $0[c] } ?? 1
                                                qn += wc * smoothed(c) * row.logp(c)
                                                weighted += wc * smoothed(c)
                                            }
                                            sum += Double(qn)
                                            if wantOut { s.value.q[p] = -qn }
                                            guard wantGrad, let gx = s.value.gx, let gy = s.value.gy else { continue }
                                            let u = s.value.up.map { $0[p] } ?? uniform
                                            for c in 0..<classes {
                                                let wc = s.value.w.map { $0[c] } ?? 1
                                                let k = row.index(c)
                                                gx[k] = u * (row.p(c) * weighted - wc * smoothed(c))
                                                gy[k] = -u * keep * wc * row.logp(c)
                                            }
                                        }
                                        return sum
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        result.outputs["output"] = Fast.reducedOutput(q, -partials.reduce(0, +), shape: layout.positionShape,
                                                      reduction: reduction, divisor: divisor)
        if upstream != nil {
            result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: gradX)
            result.outputs["grad_target"] = Tensor(shape: input.shape, scalars: gradY)
        }
        return result
    }

    /// A contiguous row: returns `q = Σ w_c·y'_c·logp_c`, computed in one exp pass as
    /// `Σ w·y'·(x − m) − log S·Σ w·y'`, and writes `u·(p_c·Σ w·y' − w_c·y'_c)` and
    /// `−u·(1−ε)·w_c·logp_c` in a second pass over the stored numerators `exp(x − m)`.
    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int, weight w: UnsafePointer<Float>?,
                    keep: Float, spread: Float, u: Float,
                    gradX: UnsafeMutablePointer<Float>?, gradY: UnsafeMutablePointer<Float>?) -> Float {
        typealias V = SIMD16<Float>
        let m = SoftmaxRow.max(x, n)
        let mv = V(repeating: m), keepV = V(repeating: keep), spreadV = V(repeating: spread)
        @inline(__always) func smoothed(_ i: Int, _ k: Int) -> V {
            let tv = k == 16 ? Streams.load(t, i) : Streams.loadPartial(t, i, k)
            let y = spread != 0 ? keepV * tv + spreadV : tv
            guard let w else { return y }
            return (k == 16 ? Streams.load(w, i) : Streams.loadPartial(w, i, k)) * y
        }
        var s0 = V(), a0 = V(), b0 = V()
        // k = 16 in the body (constant after inlining); only the tail builds a lane mask.
        @inline(__always) func accumulate(_ i: Int, _ k: Int) {
            let d = (k == 16 ? Streams.load(x, i) : Streams.loadPartial(x, i, k)) - mv
            var e = SoftmaxRow.exp(d), wy = smoothed(i, k), wd = wy * d
            if k < 16 {
                let outside = .!Streams.laneMask(k)
                e.replace(with: 0, where: outside)
                wy.replace(with: 0, where: outside)
                wd.replace(with: 0, where: outside)
            }
            if let gradX { if k == 16 { Streams.store(e, gradX, i) } else { Streams.storePartial(e, gradX, i, k) } }
            s0 += e
            a0 += wd
            b0 += wy
        }
        var i = 0
        while i + 16 <= n {
            accumulate(i, 16)
            i += 16
        }
        if i < n { accumulate(i, n - i) }
        let sum = Streams.laneSum(s0), b = Streams.laneSum(b0)
        let logS = Foundation.log(sum)
        let q = Streams.laneSum(a0) - logS * b
        guard let gradX, let gradY else { return q }
        let c = V(repeating: b / sum), uv = V(repeating: u), ty = V(repeating: -u * keep)
        let logSV = V(repeating: logS)
        @inline(__always) func gradients(_ i: Int, _ k: Int) {
            let wy = smoothed(i, k)
            let e = k == 16 ? Streams.load(gradX, i) : Streams.loadPartial(UnsafePointer(gradX), i, k)
            let logp = ((k == 16 ? Streams.load(x, i) : Streams.loadPartial(x, i, k)) - mv) - logSV
            let wv = w.map { k == 16 ? Streams.load($0, i) : Streams.loadPartial($0, i, k) } ?? V(repeating: 1)
            let gx = uv * (e * c - wy), gy = ty * wv * logp
            if k == 16 {
                Streams.store(gx, gradX, i)
                Streams.store(gy, gradY, i)
            } else {
                Streams.storePartial(gx, gradX, i, k)
                Streams.storePartial(gy, gradY, i, k)
            }
        }
        i = 0
        while i + 16 <= n {
            gradients(i, 16)
            i += 16
        }
        if i < n { gradients(i, n - i) }
        return q
    }
}
