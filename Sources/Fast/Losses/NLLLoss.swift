import LossSpec

/// The validated class-index target of NLL/CE: one class per position (−1 where ignored) and
/// `W = Σ_{valid n} w_{y_n}`, the 'mean' divisor (spec §4).
struct ClassIndexTargets {
    let classes: [Int32]
    let weightSum: Double

    /// - Throws: `target_out_of_range` for the first class outside `[0, C)` that is not `ignoreIndex`.
    init(_ target: Tensor<Int64>, layout: ClassScores, weight: [Float]?, ignoreIndex: Int) throws {
        var classes = [Int32](repeating: -1, count: target.count)
        var sum = 0.0
        for (p, t) in target.scalars.enumerated() {
            guard let y = try layout.targetClass(t, ignoreIndex: ignoreIndex) else { continue }
            classes[p] = Int32(y)
            sum += weight.map { Double($0[y]) } ?? 1
        }
        self.classes = classes
        weightSum = sum
    }

    /// Positions per parallel chunk: about `Parallel.elementChunk` input elements, a function of
    /// the shape only, so chunk boundaries never depend on the thread count.
    static func chunk(classes: Int) -> Int { Swift.max(1, Parallel.elementChunk / Swift.max(1, classes)) }
}

extension Fast {
    /// Negative log-likelihood in Float32, mirroring `torch.nn.functional.nll_loss` (see
    /// `Reference.nllLoss` for the definition, the W-divided 'mean', ignore_index and edge cases).
    ///
    /// Cost: one validation pass over the target, then one gather per position (the input is read
    /// only at the targeted entries); the gradient is a zero-filled tensor with one scatter per
    /// position. Accuracy: each term is one product; sums are accumulated in Double per chunk of
    /// positions and combined in chunk order.
    public static func nllLoss(input: Tensor<Float>, target: Tensor<Int64>, weight: Tensor<Float>? = nil,
                               ignoreIndex: Int = -100, reduction: Reduction = .mean,
                               gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (layout, w) = try NLLValidation.check(input: input.shape, target: target.shape, weight: weight)
        let targets = try ClassIndexTargets(target, layout: layout, weight: w, ignoreIndex: ignoreIndex)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: layout.positionShape,
                                         divisor: targets.weightSum)
        let count = layout.positions
        var out = reduction == .none ? [Float](repeating: 0, count: count) : []
        var grad = upstream != nil ? [Float](repeating: 0, count: input.count) : []
        let chunk = ClassIndexTargets.chunk(classes: 1)
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
