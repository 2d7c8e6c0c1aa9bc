import Foundation
import Testing
@testable import LossSpec
@testable import Reference

private func ctc(_ logProbs: Tensor<Double>, _ targets: Tensor<Int64>, _ inputLengths: [Int64],
                 _ targetLengths: [Int64], g: Tensor<Double>? = nil,
                 _ options: [String: JSONValue] = [:]) -> LossCase {
    var floats = ["log_probs": logProbs]
    floats["grad_output"] = g
    return makeCase(.ctcLoss, options: options, floats: floats,
                    ints: ["targets": targets, "input_lengths": I([inputLengths.count], inputLengths),
                           "target_lengths": I([targetLengths.count], targetLengths)])
}

/// log of probabilities given per frame, shaped (T, 1, C).
private func logOf(_ rows: [[Double]]) -> Tensor<Double> {
    T([rows.count, 1, rows[0].count], rows.flatMap { $0.map { Foundation.log($0) } })
}

/// log_softmax over the last dimension (the wrapper PyTorch's CTC gradcheck uses).
private func logSoftmax(_ z: Tensor<Double>) -> Tensor<Double> {
    let c = z.shape.last ?? 1
    var out = z.scalars
    for start in stride(from: 0, to: out.count, by: c) {
        let row = Array(z.scalars[start..<(start + c)])
        let m = row.max() ?? 0
        let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
        for j in 0..<c { out[start + j] = row[j] - lse }
    }
    return T(z.shape, out)
}

@Suite struct CTCLossTests {
    @Test func oneFrameEmptyTarget() throws {
        // T = 1, L = 0: the only path is the blank: loss = −log 0.25 = log 4.
        // γ_0(blank) = 1 → ∂ = exp(lp) − γ = (0.25 − 1, 0.75 − 0).
        let r = try Reference.evaluate(ctc(logOf([[0.25, 0.75]]), I([1, 0], []), [1], [0], g: T([1], [1]),
                                           ["reduction": .string("none")]))
        expectClose(r.output?.scalars, [Foundation.log(4)])
        expectClose(r.outputs["grad_log_probs"]?.scalars, [-0.75, 0.75])
    }

    @Test func oneFrameOneLabel() throws {
        // T = 1, L = 1 (label 1): loss = −lp_0(1) = log 2; γ_0(1) = 1 → (0.2, 0.5 − 1, 0.3).
        let r = try Reference.evaluate(ctc(logOf([[0.2, 0.5, 0.3]]), I([1], [1]), [1], [1], g: T([], [1]),
                                           ["reduction": .string("sum")]))
        expectClose(r.output?.scalars, [Foundation.log(2)])
        expectClose(r.outputs["grad_log_probs"]?.scalars, [0.2, -0.5, 0.3], atol: 1e-16)
    }

    @Test func twoFramesOneLabelByHand() throws {
        // Frames p_0 = (0.5, 0.5), p_1 = (0.25, 0.75) over (blank, 1); target "1".
        // Paths 11, 01, 10: P = 0.375 + 0.375 + 0.125 = 0.875 → loss = log(8/7).
        // Occupancies: t0 class 1 (paths 11, 10) 0.5/0.875 = 4/7, blank 3/7;
        //              t1 class 1 (paths 11, 01) 0.75/0.875 = 6/7, blank 1/7.
        // ∂ = exp(lp) − γ: t0 (0.5 − 3/7, 0.5 − 4/7) = (1/14, −1/14); t1 (0.25 − 1/7, 0.75 − 6/7) = (3/28, −3/28).
        // 'mean' with N = 1, L = 1 and g = 2 scales everything by 2.
        let r = try Reference.evaluate(ctc(logOf([[0.5, 0.5], [0.25, 0.75]]), I([1, 1], [1]), [2], [1],
                                           g: T([], [2])))
        expectClose(r.output?.scalars, [Foundation.log(8.0 / 7)], rtol: 1e-14)
        expectClose(r.outputs["grad_log_probs"]?.scalars, [1.0 / 7, -1.0 / 7, 3.0 / 14, -3.0 / 14], rtol: 1e-13)
    }

    @Test func repeatedLabelsNeedABlankBetween() throws {
        // Target "1 1" in 3 frames: the only path is 1, blank, 1: P = 0.6·0.3·0.9.
        let p = [[0.4, 0.6], [0.3, 0.7], [0.1, 0.9]]
        let r = try Reference.evaluate(ctc(logOf(p), I([1, 2], [1, 1]), [3], [2], ["reduction": .string("sum")]))
        expectClose(r.output?.scalars, [-Foundation.log(0.6 * 0.3 * 0.9)], rtol: 1e-14)
        // In 2 frames it is infeasible: +inf; its gradient is NaN for t < T_b (∞ − ∞), 0 after.
        let g = try Reference.evaluate(ctc(logOf(p), I([1, 2], [1, 1]), [2], [2], g: T([1], [1]),
                                           ["reduction": .string("none")]))
        #expect(g.output?.scalars == [.infinity])
        let grad = try #require(g.outputs["grad_log_probs"]?.scalars)
        #expect(grad[0..<4].allSatisfy { $0.isNaN })
        #expect(Array(grad[4...]) == [0, 0])
        // zero_infinity: loss 0, whole slice 0.
        let z = try Reference.evaluate(ctc(logOf(p), I([1, 2], [1, 1]), [2], [2], g: T([1], [1]),
                                           ["reduction": .string("none"), "zero_infinity": .bool(true)]))
        #expect(z.output?.scalars == [0])
        #expect(z.outputs["grad_log_probs"]?.scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func zeroInputLength() throws {
        // T_b = 0: L = 0 → −0.0, L > 0 → +inf; no frame is used, so the gradient is 0 everywhere.
        let lp = T([2, 2, 2], [-1, -0.5, -2, -0.1, -0.3, -1.4, -0.7, -0.7])
        let r = try Reference.evaluate(ctc(lp, I([2, 1], [1, 1]), [0, 0], [0, 1], g: T([2], [1, 1]),
                                           ["reduction": .string("none")]))
        let out = try #require(r.output?.scalars)
        #expect(out[0] == 0 && out[0].sign == .minus)
        #expect(out[1] == .infinity)
        #expect(r.outputs["grad_log_probs"]?.scalars == [Double](repeating: 0, count: 8))
    }

    @Test func framesPastTheInputLengthGetNoGradient() throws {
        // Input length 1 of T = 2, empty target: loss = −lp_0(blank); frame 1 is ignored.
        let lp = logOf([[0.25, 0.75], [0.5, 0.5]])
        let r = try Reference.evaluate(ctc(lp, I([1, 0], []), [1], [0], g: T([], [1]), ["reduction": .string("sum")]))
        expectClose(r.output?.scalars, [Foundation.log(4)])
        expectClose(r.outputs["grad_log_probs"]?.scalars, [-0.75, 0.75, 0, 0])
    }

    @Test func meanDividesByTargetLengthThenBatch() throws {
        // b0: T_b = 1, L = 0 → −log 0.25 = log 4 (÷ max(0, 1) = 1).
        // b1: frames (0.9, 0.1), (0.25, 0.75), target "1": paths 11, 01, 10 →
        //     P = 0.1·0.75 + 0.9·0.75 + 0.1·0.25 = 0.775 (÷ L = 1).
        // Padded (2, 2) targets: entries past each L (−7, 99, −1) are never read, so never rejected.
        let lp = T([2, 2, 2], [0.25, 0.75, 0.9, 0.1, 0.5, 0.5, 0.25, 0.75].map { Foundation.log($0) })
        let targets = I([2, 2], [-7, 99, 1, -1])
        let expected = [Foundation.log(4), -Foundation.log(0.775)]
        let mean = try Reference.evaluate(ctc(lp, targets, [1, 2], [0, 1]))
        expectClose(mean.output?.scalars, [(expected[0] + expected[1]) / 2], rtol: 1e-14)
        let sum = try Reference.evaluate(ctc(lp, targets, [1, 2], [0, 1], ["reduction": .string("sum")]))
        expectClose(sum.output?.scalars, [expected[0] + expected[1]], rtol: 1e-14)
        // With 3 classes: b0 "1" in one frame = −log 0.5 (÷ 1); b1 "1 2" in two frames has the single
        // path 1, 2 → −log(0.5·0.3) (÷ L = 2).
        let lp3 = T([2, 2, 3], [0.2, 0.5, 0.3, 0.2, 0.5, 0.3, 0.2, 0.5, 0.3, 0.2, 0.5, 0.3].map { Foundation.log($0) })
        let m3 = try Reference.evaluate(ctc(lp3, I([3], [1, 1, 2]), [1, 2], [1, 2]))
        expectClose(m3.output?.scalars, [(Foundation.log(2) - Foundation.log(0.15) / 2) / 2], rtol: 1e-14)
    }

    @Test func meanGradientUsesTargetLengths() throws {
        // Batch of two identical T = 1 frames, targets "1" (L = 1) and "" (L = 0), 'mean', g = 1:
        // G_b = 1/(N·max(L_b,1)) = 1/2 for both. b0: γ(1) = 1; b1: γ(blank) = 1.
        let lp = T([1, 2, 3], [0.2, 0.5, 0.3, 0.2, 0.5, 0.3].map { Foundation.log($0) })
        let r = try Reference.evaluate(ctc(lp, I([1], [1]), [1, 1], [1, 0], g: T([], [1])))
        expectClose(r.output?.scalars, [(Foundation.log(2) + Foundation.log(5)) / 2], rtol: 1e-14)
        expectClose(r.outputs["grad_log_probs"]?.scalars,
                    [0.1, -0.25, 0.15, -0.4, 0.25, 0.15], rtol: 1e-14, atol: 1e-17)
    }

    @Test func matchesPyTorch() throws {
        // torch 2.15, float64:
        //   z = torch.tensor([[[0.5,-1.0,0.25]],[[1.5,0.0,-0.5]],[[-0.75,1.0,0.5]],[[0.0,0.25,2.0]]])
        //   lp = z.log_softmax(2).detach().requires_grad_()
        //   l = F.ctc_loss(lp, torch.tensor([[1,2]]), torch.tensor([4]), torch.tensor([2]), blank=0, reduction='sum')
        //   l.backward(); l.item(), lp.grad.flatten().tolist()
        let z = T([4, 1, 3], [0.5, -1.0, 0.25, 1.5, 0.0, -0.5, -0.75, 1.0, 0.5, 0.0, 0.25, 2.0])
        let r = try Reference.evaluate(ctc(logSoftmax(z), I([1, 2], [1, 2]), [4], [2], g: T([], [1]),
                                           ["reduction": .string("sum")]))
        expectClose(r.output?.scalars, [1.302992167243041], rtol: 1e-13)
        expectClose(r.outputs["grad_log_probs"]?.scalars, [
            -0.3224244334180631, -0.06660036571851959, 0.3890247991365822, 0.04374308605443311,
            -0.1308801084283324, 0.08713702237389899, 0.047144651379187205, -0.17741774297049484,
            0.13027309159130737, 0.07788508759563628, 0.13274212717162806, -0.21062721476726454,
        ], rtol: 1e-12, atol: 1e-15)
    }

    @Test func unbatchedAndConcatenatedFormsAgree() throws {
        let z = T([4, 1, 3], [0.5, -1.0, 0.25, 1.5, 0.0, -0.5, -0.75, 1.0, 0.5, 0.0, 0.25, 2.0])
        let lp = logSoftmax(z)
        let padded = try Reference.evaluate(ctc(lp, I([1, 3], [1, 2, 0]), [4], [2], g: T([1], [0.5]),
                                                ["reduction": .string("none")]))
        let concatenated = try Reference.evaluate(ctc(lp, I([2], [1, 2]), [4], [2], g: T([1], [0.5]),
                                                      ["reduction": .string("none")]))
        #expect(padded.outputs == concatenated.outputs)
        // Unbatched (T, C), lengths 0-dim: output 0-dim, gradient (T, C), same numbers.
        let unbatched = try Reference.evaluate(makeCase(
            .ctcLoss, options: ["reduction": .string("none")],
            floats: ["log_probs": lp.reshaped([4, 3]), "grad_output": T([], [0.5])],
            ints: ["targets": I([2], [1, 2]), "input_lengths": I([], [4]), "target_lengths": I([], [2])]))
        #expect(unbatched.output == padded.output?.reshaped([]))
        #expect(unbatched.outputs["grad_log_probs"] == padded.outputs["grad_log_probs"]?.reshaped([4, 3]))
    }

    @Test func blankMayBeAnyClass() throws {
        // blank = 2 relabels the classes: (blank, 1) of the 2-frame case become classes (2, 0).
        let lp = T([2, 1, 3], [0.5, 0.0, 0.5, 0.75, 0.0, 0.25].map { Foundation.log($0) })
        let r = try Reference.evaluate(ctc(lp, I([1], [0]), [2], [1], g: T([], [1]),
                                           ["blank": .number(2), "reduction": .string("sum")]))
        expectClose(r.output?.scalars, [Foundation.log(8.0 / 7)], rtol: 1e-14)
        // Class 1 has probability 0: lp = −inf makes γ's exponent −inf − (−inf) = NaN, as in ATen
        // (torch 2.15 gives [-0.0714…, nan, 0.0714…, -0.1071…, nan, 0.1071…] for this case).
        expectClose(r.outputs["grad_log_probs"]?.scalars, [-1.0 / 14, .nan, 1.0 / 14, -3.0 / 28, .nan, 3.0 / 28],
                    rtol: 1e-13)
        // A class in no path with lp finite: γ = 0, so its gradient is exp(lp)·G.
        let finite = T([1, 1, 3], [0.5, 0.25, 0.25].map { Foundation.log($0) })
        let f = try Reference.evaluate(ctc(finite, I([1], [0]), [1], [1], g: T([], [1]),
                                           ["blank": .number(2), "reduction": .string("sum")]))
        expectClose(f.outputs["grad_log_probs"]?.scalars, [-0.5, 0.25, 0.25])
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func gradientThroughLogSoftmaxMatchesFiniteDifferences(reduction: String, zeroInfinity: Bool) throws {
        // PyTorch's CTC gradient is only a true gradient after a log_softmax: d/dz_j = Σ_c ∂_c (δ_cj − softmax_j).
        // Batch of 3: padded targets with a repeat, an empty target, and an infeasible one
        // (zero_infinity then removes its inf; without it the objective is inf and FD is skipped).
        let (t, n, c) = (5, 3, 4)
        let z = T([t, n, c], (0..<(t * n * c)).map { Foundation.sin(Double($0) * 1.7) * 1.3 })
        let targets = I([3, 3], [1, 1, 3, 0, 0, 0, 2, 2, 2])
        let lengths: [Int64] = zeroInfinity ? [3, 0, 3] : [3, 0, 2]
        let inputs: [Int64] = [5, 4, zeroInfinity ? 4 : 5]
        let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
        let options: [String: JSONValue] = ["reduction": .string(reduction), "blank": .number(0),
                                            "zero_infinity": .bool(zeroInfinity)]
        func objective(_ z: Tensor<Double>) throws -> Double {
            let out = try #require(try Reference.evaluate(ctc(logSoftmax(z), targets, inputs, lengths, options)).output)
            return zip(out.scalars, g.scalars).map { $0 * $1 }.reduce(0, +)
        }
        let r = try Reference.evaluate(ctc(logSoftmax(z), targets, inputs, lengths, g: g, options))
        let dlp = try #require(r.outputs["grad_log_probs"]?.scalars)
        let lp = logSoftmax(z).scalars
        for row in stride(from: 0, to: z.count, by: c) {
            let dsum = (0..<c).map { dlp[row + $0] }.reduce(0, +)
            for j in 0..<c {
                let analytic = dlp[row + j] - Foundation.exp(lp[row + j]) * dsum
                let h = 1e-6
                var plus = z, minus = z
                plus[row + j] += h
                minus[row + j] -= h
                let fd = (try objective(plus) - objective(minus)) / (2 * h)
                #expect(abs(fd - analytic) <= 1e-7 + 1e-6 * abs(analytic), "z[\(row + j)]: \(analytic) vs \(fd)")
            }
        }
    }

    @Test func scales() throws {
        // |loss| + Σ_t max |lp| over the used classes: log(8/7) + (|log .5| + |log .25|) for the 2-frame case.
        let r = try Reference.evaluate(ctc(logOf([[0.5, 0.5], [0.25, 0.75]]), I([1], [1]), [2], [1],
                                           ["reduction": .string("sum")]))
        let s = try #require(r.scales["output"]?.scalars.first)
        expectClose([s], [Foundation.log(8.0 / 7) + Foundation.log(2) + Foundation.log(4)], rtol: 1e-14)
    }

    @Test func errors() {
        let lp = T([4, 2, 3], (0..<24).map { -Double($0) / 10 })
        // numel 0 first (before any other check).
        expectError(ctc(T([0, 2, 3], []), I([2], [1, 1]), [0, 0], [1, 1], ["blank": .number(9)]), .emptyInput,
                    argument: "log_probs")
        expectError(ctc(T([4, 0, 3], []), I([0], []), [], []), .emptyInput)
        expectError(ctc(T([4, 2, 0], []), I([2], [1, 1]), [4, 4], [1, 1]), .emptyInput)
        expectError(ctc(T([4], [1, 2, 3, 4]), I([1], [1]), [4], [1]), .shapeMismatch, argument: "log_probs")
        expectError(ctc(T([4, 2, 3, 1], lp.scalars), I([2], [1, 1]), [4, 4], [1, 1]), .shapeMismatch,
                    argument: "log_probs")
        expectError(ctc(lp, I([], [1]), [4, 4], [1, 0]), .shapeMismatch, argument: "targets")
        expectError(ctc(lp, I([2, 1, 1], [1, 1]), [4, 4], [1, 1]), .shapeMismatch, argument: "targets")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [1, 1], ["blank": .number(3)]), .invalidOption, argument: "blank")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [1, 1], ["blank": .number(-1)]), .invalidOption, argument: "blank")
        expectError(ctc(lp, I([2], [1, 1]), [4], [1, 1]), .invalidLength, argument: "input_lengths")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [2]), .invalidLength, argument: "target_lengths")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [-1, 3]), .invalidLength, argument: "target_lengths")
        expectError(ctc(lp, I([3], [1, 1, 2]), [4, 4], [1, 1]), .invalidLength, argument: "targets")
        expectError(ctc(lp, I([3], [1, 1, 2]), [4, 4], [Int64.max, 2]), .invalidLength)
        expectError(ctc(lp, I([3, 1], [1, 1, 2]), [4, 4], [1, 1]), .shapeMismatch, argument: "targets")
        expectError(ctc(lp, I([2, 1], [1, 1]), [4, 4], [1, 2]), .invalidLength, argument: "targets")
        expectError(ctc(lp, I([2], [1, 1]), [5, 4], [1, 1]), .invalidLength, argument: "input_lengths")
        expectError(ctc(lp, I([2], [1, 1]), [-1, 4], [1, 1]), .invalidLength, argument: "input_lengths")
        // Unbatched 1-D targets are concatenated and must hold exactly L labels.
        expectError(makeCase(.ctcLoss, floats: ["log_probs": T([4, 3], Array(lp.scalars[0..<12]))],
                             ints: ["targets": I([3], [1, 2, 1]), "input_lengths": I([], [4]),
                                    "target_lengths": I([], [2])]), .invalidLength, argument: "targets")
        // Deviation from PyTorch: labels are validated.
        expectError(ctc(lp, I([2], [1, 3]), [4, 4], [1, 1]), .targetOutOfRange, argument: "targets")
        expectError(ctc(lp, I([2], [-1, 1]), [4, 4], [1, 1]), .targetOutOfRange, argument: "targets")
        expectError(ctc(lp, I([2], [1, 2]), [4, 4], [1, 1], ["blank": .number(2)]), .targetOutOfRange,
                    argument: "targets")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [1, 1], g: T([], [1]), ["reduction": .string("none")]),
                    .shapeMismatch, argument: "grad_output")
        expectError(ctc(lp, I([2], [1, 1]), [4, 4], [1, 1], ["reduction": .string("avg")]), .invalidReduction)
        expectError(makeCase(.ctcLoss, floats: ["log_probs": lp, "targets": T([2], [1, 1])],
                             ints: ["input_lengths": I([2], [4, 4]), "target_lengths": I([2], [1, 1])]),
                    .invalidValue, argument: "targets")
    }
}
