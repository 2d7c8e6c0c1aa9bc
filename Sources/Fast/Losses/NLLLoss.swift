@_spi(Kernels) import LossSpec

/// The validated class-index target of NLL/CE: one class per position (−1 where ignored) and
/// `W = Σ_{valid n} w_{y_n}`, the 'mean' divisor (Docs/Losses/nll_loss.md).
struct ClassIndexTargets {
    let classes: [Int32]
    let weightSum: Double

    /// - Throws: `target_out_of_range` for the first class outside `[0, C)` that is not `ignoreIndex`.
    ///
    /// One tight loop with no calls: `ClassScores.targetClass` (the shared rule: ignore_index is
    /// tested before the range) is a cross-module call per position, which cost more than the whole
    /// NLL forward; it is called only for the first offending position, to raise its error.
    init(_ target: Tensor<Int64>, layout: ClassScores, weight: [Float]?, ignoreIndex: Int) throws {
        let n = target.count
        var classes = [Int32](repeating: -1, count: n)
        var sum = 0.0
        var firstBad = -1
        let c = Int64(layout.classes), ignored = Int64(ignoreIndex)
        target.scalars.withUnsafeBufferPointer { t in
            classes.withUnsafeMutableBufferPointer { out in
                for p in 0..<n {
                    let v = t[p]
                    if v == ignored { continue }
                    guard v >= 0 && v < c else {
                        firstBad = p
                        return
                    }
                    out[p] = Int32(truncatingIfNeeded: v)
                    sum += weight.map { Double($0[Int(v)]) } ?? 1
                }
            }
        }
        if firstBad >= 0 { _ = try layout.targetClass(target.scalars[firstBad], ignoreIndex: ignoreIndex) }
        self.classes = classes
        weightSum = sum
    }

    /// Positions per parallel chunk: about `Parallel.elementChunk` input elements, a function of
    /// the shape only, so chunk boundaries never depend on the thread count.
    static func chunk(classes: Int) -> Int { Swift.max(1, Parallel.elementChunk / Swift.max(1, classes)) }

    /// Positions per chunk for NLL's gather: one read per position, so chunks are counted in
    /// positions, small enough to split a (4096, C) batch across threads.
    static let gatherChunk = 512
}

extension Fast {
    /// Negative log-likelihood in Float32, mirroring `torch.nn.functional.nll_loss` (see
    /// `Reference.nllLoss` for the definition, the W-divided 'mean', ignore_index and edge cases).
    ///
    /// Cost: one validation pass over the target, then one gather per position (the input is read
    /// only at the targeted entries); the gradient is a zero-filled tensor with one scatter per
    /// position. Accuracy: each term is one product; sums are accumulated in Double per chunk of
    /// positions and combined in chunk order.
    package static func nllLoss(input: Tensor<Float>, target: Tensor<Int64>, weight: Tensor<Float>? = nil,
                               ignoreIndex: Int = -100, reduction: Reduction = .mean,
                               gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (layout, w) = try NLLValidation.check(input: input.shape, target: target.shape, weight: weight)
        if gradOutput == nil, w == nil, reduction != .none, layout.spatial == 1 {
            return try nllGather(input, target, layout: layout, ignoreIndex: ignoreIndex, reduction: reduction)
        }
        let targets = try ClassIndexTargets(target, layout: layout, weight: w, ignoreIndex: ignoreIndex)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.positionShape,
                                         divisor: targets.weightSum)
        let count = layout.positions
        var out = reduction == .none ? [Float](repeating: 0, count: count) : []
        var grad = upstream != nil ? FloatBuffers.zeros(input.count, threads: threads) : []
        // The gather reads one element per row: each read is a cache miss, so the forward is bound
        // by memory latency, not bandwidth. Small chunks of positions let both cores keep misses in
        // flight; the chunk is a function of the shape only.
        let chunk = ClassIndexTargets.gatherChunk
        let contiguous = layout.spatial == 1, classes = layout.classes
        let partials: [Double] = input.scalars.withUnsafeBufferPointer { xb in
            targets.classes.withUnsafeBufferPointer { yb in
                out.withUnsafeMutableBufferPointer { ob in
                    grad.withUnsafeMutableBufferPointer { gb in
                        w.withOptionalBuffer { wp in
                            upstream.withElementwise { up, uniform in
                                let x = UncheckedSendable(xb), y = UncheckedSendable(yb), o = UncheckedSendable(ob)
                                let g = UncheckedSendable(gb), ws = UncheckedSendable(wp), ups = UncheckedSendable(up)
                                let wantGrad = upstream != nil, wantOut = reduction == .none
                                return Parallel.mapChunks(count: count, chunk: chunk, threads: threads, initial: 0.0) { range in
                                    var sum = 0.0
                                    for p in range {
                                        let cls = Int(y.value[p])
                                        guard cls >= 0 else { continue }
                                        // Rows without spatial positions skip index()'s division.
                                        let k = contiguous ? p * classes + cls : layout.index(position: p, class: cls)
                                        let wy = ws.value.map { $0[cls] } ?? 1
                                        let l = -wy * x.value[k]
                                        sum += Double(l)
                                        if wantOut { o.value[p] = l }
                                        if wantGrad { g.value[k] = -wy * (ups.value.map { $0[p] } ?? uniform) }
                                    }
                                    return sum
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = FastResult()
        result.outputs["output"] = reducedOutput(out, partials.reduce(0, +), shape: layout.positionShape,
                                                 reduction: reduction, divisor: targets.weightSum)
        if upstream != nil { result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: grad) }
        return result
    }

    /// The forward-only, unweighted NLL of (N, C) or (C) rows: validation and gather in one pass.
    ///
    /// Each position reads its target and one input element, a row (4 KB for C = 1000) apart: every
    /// read is a cache and TLB miss, so the loop is bound by memory latency. It keeps four
    /// independent sums so that loads overlap, and never builds the class array of the general
    /// path. The first out-of-range target (in position order) raises the shared error.
    static func nllGather(_ input: Tensor<Float>, _ target: Tensor<Int64>, layout: ClassScores,
                          ignoreIndex: Int, reduction: Reduction) throws -> FastResult {
        let n = layout.positions, c = layout.classes
        var sum = 0.0, valid = 0, firstBad = -1
        let ignored = Int64(ignoreIndex), classes = Int64(c)
        input.scalars.withUnsafeBufferPointer { x in
            target.scalars.withUnsafeBufferPointer { t in
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                var count = 0
                var p = 0
                func term(_ p: Int) -> Float? {
                    let v = t[p]
                    if v == ignored { return 0 }
                    guard v >= 0 && v < classes else { return nil }
                    count += 1
                    return x[p * c + Int(v)]
                }
                // Float partials over at most n/4 terms each, widened before they are combined.
                while p + 4 <= n {
                    guard let a = term(p), let b = term(p + 1), let d = term(p + 2), let e = term(p + 3) else {
                        break
                    }
                    s0 += a; s1 += b; s2 += d; s3 += e
                    p += 4
                }
                while p < n {
                    guard let a = term(p) else { break }
                    s0 += a
                    p += 1
                }
                if p < n {
                    firstBad = (p..<n).first { q in t[q] != ignored && (t[q] < 0 || t[q] >= classes) } ?? p
                }
                sum = -((Double(s0) + Double(s1)) + (Double(s2) + Double(s3)))
                valid = count
            }
        }
        if firstBad >= 0 { _ = try layout.targetClass(target.scalars[firstBad], ignoreIndex: ignoreIndex) }
        var result = FastResult()
        result.outputs["output"] = reducedOutput([], sum, shape: layout.positionShape, reduction: reduction,
                                                 divisor: Double(valid))
        return result
    }

    /// The output of a loss whose 'mean' divides by `divisor`: the elementwise values for 'none',
    /// else the (Double) total, divided for 'mean'.
    static func reducedOutput(_ elements: [Float], _ total: Double, shape: [Int], reduction: Reduction,
                              divisor: Double) -> Tensor<Float> {
        switch reduction {
        case .none: Tensor(shape: shape, scalars: elements)
        case .sum: Tensor(scalar: Float(total))
        case .mean, .batchmean: Tensor(scalar: Float(total / divisor))
        }
    }

    static func nllLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try nllLoss(input: a.requiredFloat("input"), target: a.requiredInteger("target"), weight: a.float("weight"),
                    ignoreIndex: o.ignoreIndex, reduction: o.reduction, gradOutput: a.float("grad_output"),
                    threads: threads)
    }
}
