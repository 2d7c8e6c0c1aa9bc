@_spi(Kernels) import LossSpec

extension Fast {
    /// Connectionist temporal classification loss in Float32, mirroring
    /// `torch.nn.functional.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0,
    /// reduction='mean', zero_infinity=False)` (see `Reference.ctcLoss` for the shapes, the
    /// recursions, ATen's −inf conventions, zero_infinity, the 'mean' rule and PyTorch's gradient
    /// convention `G·(exp(lp) − γ)`).
    ///
    /// Cost: one chunk per sequence (deterministic for any thread count); per sequence the α and β
    /// recursions run over the extended states in SIMD8 blocks with a max-shifted log-add-exp of
    /// three terms (inline exp, libmvec log), and the gradient adds each state's posterior
    /// `exp(α + β + loss − lp)` (in [0, 1]) to its class, then writes `G·(exp(lp) − γ)` over the
    /// classes in SIMD8. O(T·(2L+1)) transcendental lanes per sequence, plus O(T·C) for the gradient.
    ///
    /// Accuracy: every recursion step adds one Float rounding of magnitude |α|, so α, β and the loss
    /// carry an absolute error ~u·Σ_t max|lp_t| — the Reference's scale for this loss.
    package static func ctcLoss(logProbs: Tensor<Float>, targets: Tensor<Int64>, inputLengths: Tensor<Int64>,
                               targetLengths: Tensor<Int64>, blank: Int = 0, reduction: Reduction = .mean,
                               zeroInfinity: Bool = false, gradOutput: Tensor<Float>? = nil,
                               threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let layout = try CTCLayout(logProbsShape: logProbs.shape, targets: targets, inputLengths: inputLengths,
                                   targetLengths: targetLengths, blank: blank)
        let n = layout.batch
        let outShape = logProbs.rank == 3 ? [n] : []
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: outShape, divisor: Double(n))
        var losses = [Float](repeating: 0, count: n)
        var grad = [Float](repeating: 0, count: upstream == nil ? 0 : logProbs.count)
        logProbs.scalars.withUnsafeBufferPointer { lp in
            losses.withUnsafeMutableBufferPointer { lb in
                grad.withUnsafeMutableBufferPointer { gb in
                    let io = UncheckedSendable((lp: lp, losses: lb, grad: gb))
                    Parallel.forEachChunk(count: n, chunk: 1, threads: threads, grain: 1) { _, range in
                        for b in range {
                            let sequence = CTCSequence(layout, b, io.value.lp)
                            var loss = sequence.forward()
                            let infinite = loss == .infinity
                            if zeroInfinity && infinite { loss = 0 }
                            io.value.losses[b] = loss
                            guard let upstream, !(zeroInfinity && infinite) else { continue }
                            var g: Float = switch upstream {
                            case .uniform(let u): u
                            case .elementwise(let e): e[b]
                            }
                            if reduction == .mean { g /= Float(max(layout.labels[b].count, 1)) }
                            sequence.backward(upstream: g, into: io.value.grad)
                        }
                    }
                }
            }
        }
        var result = FastResult()
        switch reduction {
        case .none:
            result.outputs["output"] = Tensor(shape: outShape, scalars: losses)
        case .sum:
            result.outputs["output"] = Tensor(scalar: Float(losses.reduce(0.0) { $0 + Double($1) }))
        case .mean, .batchmean:
            let total = zip(losses, layout.labels).reduce(0.0) { $0 + Double($1.0) / Double(max($1.1.count, 1)) }
            result.outputs["output"] = Tensor(scalar: Float(total / Double(n)))
        }
        if upstream != nil { result.outputs["grad_log_probs"] = Tensor(shape: logProbs.shape, scalars: grad) }
        return result
    }

    static func ctcLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try ctcLoss(logProbs: a.requiredFloat("log_probs"), targets: a.requiredInteger("targets"),
                    inputLengths: a.requiredInteger("input_lengths"), targetLengths: a.requiredInteger("target_lengths"),
                    blank: o.blank, reduction: o.reduction, zeroInfinity: o.zeroInfinity,
                    gradOutput: a.float("grad_output"), threads: threads)
    }
}

/// One batch element's lattice in Float32 log space, in buffers it owns.
///
/// Rows (one per frame) have stride `width`: two −inf pads, the `2L + 1` extended states, then
/// −inf pads to a multiple of 8 plus a block, so the shifted SIMD8 loads of s − 2…s + 2 never leave
/// the row and always read −inf outside the states.
private final class CTCSequence {
    typealias V = SIMD8<Float>
    let lp: UnsafeBufferPointer<Float>
    let b: Int, batch: Int, classes: Int, blank: Int
    let frames: Int
    let labels: [Int]
    let states: Int
    let width: Int
    /// lp_t(l'_s) at [t·width + 2 + s].
    let emissions: UnsafeMutablePointer<Float>
    let alpha: UnsafeMutablePointer<Float>
    /// All bits set where the s − 2 transition is allowed (s odd ≥ 3, l'_s ≠ l'_{s−2}), at [2 + s].
    let skip: UnsafeMutablePointer<UInt32>
    /// One row of scratch for `step`: each state's log-add-exp shift m.
    let shift: UnsafeMutablePointer<Float>
    var loss: Float = 0

    init(_ layout: CTCLayout, _ b: Int, _ lp: UnsafeBufferPointer<Float>) {
        self.lp = lp
        self.b = b
        batch = layout.batch
        classes = layout.classes
        blank = layout.blank
        frames = layout.inputLengths[b]
        labels = layout.labels[b]
        states = 2 * labels.count + 1
        width = (states + 7) / 8 * 8 + 16
        let cells = frames * width
        emissions = .allocate(capacity: cells)
        emissions.initialize(repeating: -.infinity, count: cells)
        alpha = .allocate(capacity: cells)
        alpha.initialize(repeating: -.infinity, count: cells)
        skip = .allocate(capacity: width)
        skip.initialize(repeating: 0, count: width)
        shift = .allocate(capacity: width)
        shift.initialize(repeating: 0, count: width)
    }

    deinit {
        emissions.deallocate()
        alpha.deallocate()
        skip.deallocate()
        shift.deallocate()
    }

    func label(_ s: Int) -> Int { s % 2 == 0 ? blank : labels[s / 2] }

    /// ATen's log-add-exp of three terms: max-shifted, an all-−inf sum stays −inf. The shift is
    /// clamped to −greatestFiniteMagnitude instead of ATen's "−inf → 0": the same −inf result,
    /// without a mask (NaN still propagates through exp(NaN − m)).
    @inline(__always)
    static func logAdd(_ a: V, _ b: V, _ c: V) -> V {
        let (sum, m) = shiftedSum(a, b, c)
        return logOfSum(sum) + m
    }

    /// The two halves of `logAdd`: the sum of the shifted exponentials (in [1, 3], or 0, or
    /// NaN), and the shift m; `logAdd` = log(sum) + m.
    @inline(__always)
    static func shiftedSum(_ a: V, _ b: V, _ c: V) -> (sum: V, m: V) {
        var m = a.replacing(with: b, where: b .> a)
        m = m.replacing(with: c, where: c .> m)
        m = m.replacing(with: -.greatestFiniteMagnitude, where: m .< -.greatestFiniteMagnitude)
        // Every shifted term is ≤ 0, −inf or NaN: the inline exp's domain (no call, no spills).
        let sum = VectorMath.expNonPositive(a - m) + VectorMath.expNonPositive(b - m) + VectorMath.expNonPositive(c - m)
        return (sum, m)
    }

    /// log of a shifted sum (in [1, 3], 0 for a state nothing reaches, or NaN), with log 0 = −inf
    /// taken here: libmvec's log sends every vector with a 0 lane down its special-case path (a
    /// scalar logf per such lane and an errno update), and the unreachable states of the early
    /// frames and the padding lanes of every row's last block are 0. The same bits as
    /// `VectorMath.log(sum)`; ctc_loss's forward 1.66 → 1.35 ms, backward 4.2 → 3.5 ms at
    /// 1 thread on AMD EPYC (Zen 5). (Running four sequences' recursions frame by frame in turn,
    /// to give the core independent work beside each step's chain, measured no faster.)
    @inline(__always)
    static func logOfSum(_ sum: V) -> V {
        let empty = sum .== 0
        return VectorMath.log(sum.replacing(with: 1, where: empty)).replacing(with: -.infinity, where: empty)
    }

    /// `mask ? x : y` lane by lane, with plain bitwise operations (integer SIMD comparisons and
    /// SIMDMask selects compile to scalar lane loops).
    @inline(__always)
    static func select(_ mask: UnsafePointer<UInt32>, _ i: Int, _ x: V, _ y: V) -> V {
        let m = UnsafeRawPointer(mask + i).loadUnaligned(as: SIMD8<UInt32>.self)
        let xb = unsafeBitCast(x, to: SIMD8<UInt32>.self), yb = unsafeBitCast(y, to: SIMD8<UInt32>.self)
        return unsafeBitCast((xb & m) | (yb & ~m), to: V.self)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }

    @inline(__always)
    static func partial(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int) -> V {
        var v = V(repeating: 0)
        for j in 0..<n { v[j] = p[i + j] }
        return v
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }

    /// One step of a recursion over a row: `logAdd(r[s], r[s ± 1], r[s ± 2] if allowed) + lp_t(l'_s)`
    /// (`direction` −1 for α reading the previous frame, +1 for β reading the next), pads kept −inf.
    ///
    /// In two loops over the row: the shifted sums and shifts of every block, then their logs.
    /// A libmvec log clobbers every vector register, so called inside the first loop it spilled
    /// and reloaded that loop's operands around each block; in a loop of its own it has nothing to
    /// spill. The arithmetic, and so every result bit, is `logAdd`'s.
    @inline(__always)
    func step(from source: UnsafePointer<Float>, to row: UnsafeMutablePointer<Float>, emissions lpt: UnsafePointer<Float>,
              direction: Int) {
        let negInf = V(repeating: -.infinity)
        for s in stride(from: 0, to: states, by: 8) {
            let q = 2 + s
            // α's skip from s − 2 is allowed at s; β's skip from s + 2 is allowed at s + 2.
            let far = Self.select(skip, direction < 0 ? q : q + 2, Self.load(source, q + 2 * direction), negInf)
            let (sum, m) = Self.shiftedSum(Self.load(source, q), Self.load(source, q + direction), far)
            Self.store(sum, row, q)
            Self.store(m, shift, q)
        }
        for s in stride(from: 0, to: states, by: 8) {
            let q = 2 + s
            Self.store((Self.logOfSum(Self.load(row, q)) + Self.load(shift, q)) + Self.load(lpt, q), row, q)
        }
        // The last block also wrote lanes past the states: restore their −inf.
        for q in (2 + states)..<(2 + (states + 7) / 8 * 8) { row[q] = -.infinity }
    }

    /// The α recursion and the loss: `−log(e^{α(2L)} + e^{α(2L−1)})` at the last frame (L = 0:
    /// `−α(0)`); no frame: −0.0 for an empty target, +inf otherwise.
    func forward() -> Float {
        guard frames > 0 else {
            loss = labels.isEmpty ? -0.0 : .infinity
            return loss
        }
        for s in stride(from: 3, to: states, by: 2) where label(s) != label(s - 2) { skip[2 + s] = .max }
        let extended = (0..<states).map(label)
        for t in 0..<frames {
            let row = (t * batch + b) * classes
            for s in 0..<states { emissions[t * width + 2 + s] = lp[row + extended[s]] }
        }
        alpha[2] = emissions[2]
        if states > 1 { alpha[3] = emissions[3] }
        for t in 1..<frames {
            step(from: alpha + (t - 1) * width, to: alpha + t * width, emissions: emissions + t * width, direction: -1)
        }
        let last = (frames - 1) * width + 2
        if labels.isEmpty {
            loss = -alpha[last]
        } else {
            loss = -Self.logAdd(V(repeating: alpha[last + states - 1]), V(repeating: alpha[last + states - 2]),
                                V(repeating: -.infinity))[0]
        }
        return loss
    }

    /// β recursion, per-class posteriors and `G·(exp(lp) − γ)` for t < T_b into this element's rows
    /// of `grad` (rows t ≥ T_b stay 0). γ of a class with no state is `exp(−inf + loss − lp)`: 0,
    /// or NaN where lp = −inf or the loss is +inf, as ATen's log-space accumulation gives.
    func backward(upstream g: Float, into grad: UnsafeMutableBufferPointer<Float>) {
        guard frames > 0, let out = grad.baseAddress, let lpBase = lp.baseAddress else { return }
        let padded = (classes + 7) / 8 * 8
        // One scratch block: β (frames·width), the posterior row (width), γ (padded), class flags.
        let beta = UnsafeMutablePointer<Float>.allocate(capacity: frames * width + width + padded)
        let used = UnsafeMutablePointer<UInt32>.allocate(capacity: padded)
        defer {
            beta.deallocate()
            used.deallocate()
        }
        beta.initialize(repeating: -.infinity, count: frames * width + width + padded)
        let posterior = beta + frames * width, gamma = posterior + width
        used.initialize(repeating: 0, count: padded)
        used[blank] = .max
        for l in labels { used[l] = .max }

        let lastRow = (frames - 1) * width + 2
        beta[lastRow + states - 1] = emissions[lastRow + states - 1]
        if states > 1 { beta[lastRow + states - 2] = emissions[lastRow + states - 2] }
        let (z, gv, base) = (V(repeating: loss), V(repeating: g), V(repeating: -Float.infinity + loss))
        for t in stride(from: frames - 1, through: 0, by: -1) {
            let current = beta + t * width, lpt = emissions + t * width, at = alpha + t * width
            if t < frames - 1 { step(from: current + width, to: current, emissions: lpt, direction: 1) }
            // Each state's posterior exp(α + β + loss − lp) (in [0, 1]), added to its class.
            for s in stride(from: 0, to: states, by: 8) {
                let q = 2 + s
                Self.store(VectorMath.exp(Self.load(at, q) + Self.load(current, q) + z - Self.load(lpt, q)), posterior, q)
            }
            for c in 0..<padded { gamma[c] = 0 }
            for s in stride(from: 0, to: states, by: 2) { gamma[blank] += posterior[2 + s] }
            for (i, l) in labels.enumerated() { gamma[l] += posterior[3 + 2 * i] }
            let row = lpBase + (t * batch + b) * classes
            let target = out + (t * batch + b) * classes
            var c = 0
            while c < classes {
                let lanes = min(8, classes - c)
                let l = lanes == 8 ? Self.load(row, c) : Self.partial(row, c, lanes)
                let gammaV = Self.select(used, c, Self.load(gamma, c), VectorMath.exp(base - l))
                let v = (VectorMath.exp(l) - gammaV) * gv
                if lanes == 8 { Self.store(v, target, c) } else { for j in 0..<lanes { target[c + j] = v[j] } }
                c += 8
            }
        }
    }
}
