import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Connectionist temporal classification loss, mirroring `torch.nn.functional.ctc_loss(log_probs,
    /// targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False)` with
    /// tensor lengths (Docs/Losses/ctc_loss.md), i.e. ATen's `ctc_loss_cpu` / `ctc_loss_backward_cpu`.
    ///
    /// **Shapes.** `log_probs` `(T, N, C)`, or unbatched `(T, C)` (N = 1, 'none' output 0-dim);
    /// `targets` padded `(N, S)` with `S ≥ max L_b` (entries past `L_b` are ignored), or 1-D
    /// concatenated with exactly `Σ L_b` entries (an unbatched 1-D target is concatenated; the padded
    /// unbatched form is `(1, S)`); `input_lengths`, `target_lengths` hold N integers in any shape
    /// (ATen flattens them: `(N)`, or 0-dim / `(1)` unbatched).
    ///
    /// **Forward** (per b, `T_b` = input length, extended target `l'` = blank, l₁, blank, …, l_L, blank):
    /// `α_0(0) = lp_0(blank)`, `α_0(1) = lp_0(l₁)`, `α_t(s) = lp_t(l'_s) + log(e^{α_{t−1}(s)} +
    /// e^{α_{t−1}(s−1)} + [l'_s ≠ l'_{s−2}]·e^{α_{t−1}(s−2)})`, and
    /// `loss_b = −log(e^{α_{T_b−1}(2L)} + e^{α_{T_b−1}(2L−1)})` (L = 0: `−α_{T_b−1}(0)`); each
    /// log-sum is max-shifted with ATen's convention that an all-−inf sum stays −inf. `T_b = 0` gives
    /// −0.0 for L = 0 and +inf otherwise; infeasible alignments give +inf.
    ///
    /// **zero_infinity** replaces +inf losses by 0 before the reduction and zeroes that element's
    /// whole gradient slice (NaN losses are kept).
    ///
    /// **Reduction.** 'none' → `(N)`; 'sum' → `Σ loss_b`; 'mean' → `(1/N)·Σ loss_b / max(L_b, 1)`.
    ///
    /// **Gradient** (log_probs only; PyTorch's convention, NOT the partial derivative of the loss):
    /// `∂[t,b,c] = G_b·(exp(lp_t(c)) − exp(log Σ_{s: l'_s = c} α_t(s)β_t(s) + loss_b − lp_t(c)))` for
    /// `t < T_b`, 0 for `t ≥ T_b`, with `G_b = g_b` ('none'), `g` ('sum'), `g/(N·max(L_b,1))` ('mean').
    /// The extra `exp(lp)` makes it the correct gradient *through a log_softmax* (whose Jacobian
    /// annihilates it). A +inf loss without zero_infinity gives NaN for every `t < T_b` (∞ − ∞ in the
    /// exponent), as in ATen.
    ///
    /// **Errors, in ATen's order.** numel(log_probs) = 0 (T, N or C is 0) → `empty_input`;
    /// log_probs not 2-/3-D, targets not 1-/2-D, padded targets whose first size is not N →
    /// `shape_mismatch`; blank ∉ [0, C) → `invalid_option`; lengths with numel ≠ N, a target length
    /// < 0, concatenated numel ≠ Σ L_b (or a sum that overflows), padded S < max L_b, an input length
    /// ∉ [0, T] → `invalid_length`.
    /// Deviation from PyTorch: a label (within its target length) outside [0, C) or equal to blank
    /// throws `target_out_of_range`; ATen does not validate labels (it reads arbitrary memory or
    /// treats a blank label literally), so no result for such input can claim PyTorch agreement.
    ///
    /// **Error scale.** Every recursion step adds one `lp`, so α, β and the loss carry absolute error
    /// ~u·Σ_{t<T_b} max_{c ∈ l'} |lp_t(c)| =: u·M_b; a loss element's scale is `|loss_b| + M_b`
    /// (divided like the result). In the gradient, the posterior `γ = exp(…)` has an exponent with
    /// error ~u·(2M_b + |lp|), so its scale is `|G_b|·(exp(lp) + γ·(1 + 2M_b + |lp|))`.
    public static func ctcLoss(logProbs: Tensor<Double>, targets: Tensor<Int64>, inputLengths: Tensor<Int64>,
                               targetLengths: Tensor<Int64>, blank: Int = 0, reduction: Reduction = .mean,
                               zeroInfinity: Bool = false, gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let problem = try CTCProblem(logProbs: logProbs, targets: targets, inputLengths: inputLengths,
                                     targetLengths: targetLengths, blank: blank)
        let n = problem.batch
        let outShape = logProbs.rank == 3 ? [n] : []
        var lattices: [CTCLattice] = []
        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        for b in 0..<n {
            let lattice = CTCLattice(problem, b)
            var loss = lattice.loss
            if zeroInfinity && loss == .infinity { loss = 0 }
            let divisor = reduction == .mean ? Double(max(lattice.labels.count, 1)) : 1
            values[b] = loss / divisor
            scales[b] = ((loss.isFinite ? abs(loss) : 0) + lattice.magnitude) / divisor
            lattices.append(lattice)
        }
        var builder = ResultBuilder()
        let (output, outputScale) = Reduce.apply(values, scales: scales, shape: outShape, reduction: reduction,
                                                 divisor: Double(n))
        builder.set("output", output, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: outShape, divisor: Double(n))
        else { return builder.result }

        var grad = [Double](repeating: 0, count: logProbs.count)
        var gradScale = [Double](repeating: 0, count: logProbs.count)
        for (b, lattice) in lattices.enumerated() {
            if zeroInfinity && lattice.loss == .infinity { continue }
            let divisor = reduction == .mean ? Double(max(lattice.labels.count, 1)) : 1
            lattice.backward(upstream: up[b] / divisor, grad: &grad, scale: &gradScale)
        }
        builder.set("grad_log_probs", Tensor(shape: logProbs.shape, scalars: grad),
                    scale: Tensor(shape: logProbs.shape, scalars: gradScale))
        return builder.result
    }

    static func ctcLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try ctcLoss(logProbs: c.requiredFloat("log_probs"), targets: c.requiredInteger("targets"),
                    inputLengths: c.requiredInteger("input_lengths"),
                    targetLengths: c.requiredInteger("target_lengths"), blank: o.blank, reduction: o.reduction,
                    zeroInfinity: o.zeroInfinity, gradOutput: c.float("grad_output"))
    }
}

/// Validated CTC inputs (`CTCLayout`, shared with Fast) with the log-probabilities.
private struct CTCProblem {
    let logProbs: [Double]
    let time: Int, batch: Int, classes: Int, blank: Int
    let inputLengths: [Int]
    let labels: [[Int]]

    init(logProbs: Tensor<Double>, targets: Tensor<Int64>, inputLengths: Tensor<Int64>,
         targetLengths: Tensor<Int64>, blank: Int) throws {
        let layout = try CTCLayout(logProbsShape: logProbs.shape, targets: targets, inputLengths: inputLengths,
                                   targetLengths: targetLengths, blank: blank)
        self.logProbs = logProbs.scalars
        time = layout.time
        batch = layout.batch
        classes = layout.classes
        self.blank = blank
        self.inputLengths = layout.inputLengths
        labels = layout.labels
    }
}

/// ATen's three-term log-sum-exp: max-shifted, an all-−inf sum is −inf (the shift becomes 0).
private func logSum(_ a: Double, _ b: Double, _ c: Double = -.infinity) -> Double {
    var m = a
    if b > m { m = b }
    if c > m { m = c }
    if m == -.infinity { m = 0 }
    return log(exp(a - m) + exp(b - m) + exp(c - m)) + m
}

/// The forward lattice α of one batch element and its loss; computes β and the gradient on demand.
private struct CTCLattice {
    let problem: CTCProblem
    let b: Int
    let inputLength: Int
    let labels: [Int]
    /// Σ_{t<T_b} max_{c ∈ l'} |lp_t(c)| (finite parts): the magnitude the recursions' rounding scales with.
    let magnitude: Double
    private(set) var alpha: [Double] = []
    private(set) var loss: Double = 0

    var states: Int { 2 * labels.count + 1 }

    func label(_ s: Int) -> Int { s % 2 == 0 ? problem.blank : labels[s / 2] }

    func lp(_ t: Int, _ c: Int) -> Double { problem.logProbs[(t * problem.batch + b) * problem.classes + c] }

    init(_ problem: CTCProblem, _ b: Int) {
        self.problem = problem
        self.b = b
        inputLength = problem.inputLengths[b]
        labels = problem.labels[b]
        let used = Set([problem.blank] + labels)
        var m = CompensatedSum()
        for t in 0..<inputLength {
            m.add(used.map { c in
                let v = problem.logProbs[(t * problem.batch + b) * problem.classes + c]
                return v.isFinite ? abs(v) : 0
            }.max() ?? 0)
        }
        magnitude = m.value
        guard inputLength > 0 else {
            loss = labels.isEmpty ? -0.0 : .infinity
            return
        }
        let width = states
        alpha = [Double](repeating: -.infinity, count: inputLength * width)
        alpha[0] = lp(0, problem.blank)
        if !labels.isEmpty { alpha[1] = lp(0, labels[0]) }
        for t in 1..<inputLength {
            let previous = (t - 1) * width
            for s in 0..<width {
                let c = label(s)
                let a1 = alpha[previous + s]
                let a2 = s > 0 ? alpha[previous + s - 1] : -.infinity
                let a3 = s > 1 && label(s - 2) != c ? alpha[previous + s - 2] : -.infinity
                alpha[t * width + s] = logSum(a1, a2, a3) + lp(t, c)
            }
        }
        let last = (inputLength - 1) * width
        if labels.isEmpty {
            loss = -alpha[last]
        } else {
            loss = -logSum(alpha[last + width - 1], alpha[last + width - 2])
        }
    }

    /// Writes `G·(exp(lp) − γ)` for t < T_b into this element's slice of `grad` (ATen's
    /// `ctc_loss_backward_cpu`: β recursion, log-accumulation of αβ per class in descending s).
    func backward(upstream g: Double, grad: inout [Double], scale: inout [Double]) {
        guard inputLength > 0 else { return }
        let width = states
        let classes = problem.classes
        var beta = [Double](repeating: -.infinity, count: inputLength * width)
        var occupancy = [Double](repeating: -.infinity, count: inputLength * classes)
        let last = inputLength - 1
        let top = 2 * labels.count
        beta[last * width + top] = lp(last, problem.blank)
        occupancy[last * classes + problem.blank] = alpha[last * width + top] + beta[last * width + top]
        if !labels.isEmpty {
            let c = label(top - 1)
            beta[last * width + top - 1] = lp(last, c)
            occupancy[last * classes + c] = alpha[last * width + top - 1] + beta[last * width + top - 1]
        }
        for t in stride(from: inputLength - 2, through: 0, by: -1) {
            let next = (t + 1) * width
            for s in stride(from: top, through: 0, by: -1) {
                let c = label(s)
                let b1 = beta[next + s]
                let b2 = s < top ? beta[next + s + 1] : -.infinity
                let b3 = s < top - 1 && label(s + 2) != c ? beta[next + s + 2] : -.infinity
                beta[t * width + s] = logSum(b1, b2, b3) + lp(t, c)
                let ab = alpha[t * width + s] + beta[t * width + s]
                let k = t * classes + c
                if occupancy[k] == -.infinity {
                    occupancy[k] = ab
                } else {
                    let m = occupancy[k] < ab ? ab : occupancy[k]
                    occupancy[k] = log(exp(occupancy[k] - m) + exp(ab - m)) + m
                }
            }
        }
        for t in 0..<inputLength {
            for c in 0..<classes {
                let l = lp(t, c)
                let gamma = exp(occupancy[t * classes + c] + loss - l)
                let index = (t * problem.batch + b) * classes + c
                grad[index] = (exp(l) - gamma) * g
                let spread = gamma.isFinite ? gamma * (1 + 2 * magnitude + (l.isFinite ? abs(l) : 0)) : 0
                scale[index] = abs(g) * (exp(l) + spread)
            }
        }
    }
}
