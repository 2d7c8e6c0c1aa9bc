import Foundation
import Testing
@testable import LossSpec
@testable import Reference

private func ce(_ input: Tensor<Double>, indices: Tensor<Int64>? = nil, probabilities: Tensor<Double>? = nil,
                weight: Tensor<Double>? = nil, ignoreIndex: Int = -100, smoothing: Double = 0,
                _ reduction: String, grad: Tensor<Double>? = nil) -> LossCase {
    var floats = ["input": input]
    if let probabilities { floats["target"] = probabilities }
    if let weight { floats["weight"] = weight }
    if let grad { floats["grad_output"] = grad }
    return makeCase(.crossEntropy,
                    options: ["reduction": .string(reduction), "ignore_index": .number(Double(ignoreIndex)),
                              "label_smoothing": .number(smoothing)],
                    floats: floats, ints: indices.map { ["target": $0] } ?? [:])
}

@Suite struct CrossEntropyLossTests {
    // Row 0 = [0, ln 3] has softmax [1/4, 3/4]; row 1 = [ln 3, 0] has [3/4, 1/4].
    let ln3 = log(3.0), ln4 = log(4.0)
    var x: Tensor<Double> { T([2, 2], [0, ln3, ln3, 0]) }

    @Test func indexTargetByHand() throws {
        // y = [1, 1]: l = [−ln(3/4), −ln(1/4)] = [ln4 − ln3, ln4].
        let y = I([2], [1, 1])
        expectClose(try Reference.evaluate(ce(x, indices: y, "none")).output?.scalars, [ln4 - ln3, ln4])
        expectClose(try Reference.evaluate(ce(x, indices: y, "sum")).output?.scalars, [2 * ln4 - ln3])
        // ∂/∂x = p − onehot: row 0 [1/4, −1/4], row 1 [3/4, −3/4]; 'mean' divides by W = 2.
        let r = try Reference.evaluate(ce(x, indices: y, "mean", grad: T([], [2])))
        expectClose(r.output?.scalars, [(2 * ln4 - ln3) / 2])
        expectClose(r.outputs["grad_input"]?.scalars, [0.25, -0.25, 0.75, -0.75], atol: 1e-16)
        #expect(r.outputs["grad_target"] == nil)
        expectScalesCover(r)
    }

    @Test func weightedMeanAndSmoothingShareTheDenominator() throws {
        // Uniform logits over 4 classes: logp = −ln 4 everywhere. w = [1, 2, 3, 4], ε = 0.2, y = 1:
        // l = 0.8·w_1·ln4 + (0.2/4)·Σw·ln4 = (1.6 + 0.5)·ln4; mean divides by W = w_1 = 2.
        let u = T([1, 4], [5, 5, 5, 5])
        let w = T([4], [1, 2, 3, 4])
        let r = try Reference.evaluate(ce(u, indices: I([1], [1]), weight: w, smoothing: 0.2, "mean", grad: T([], [1])))
        expectClose(r.output?.scalars, [2.1 * ln4 / 2])
        // ∂/∂x_k = [0.8·w_1·(p_k − [k=1]) + 0.05·(p_k·Σw − w_k)]/W with p_k = 1/4:
        // k=0: (0.4 + 0.05·(2.5 − 1))/2 = 0.2375; k=1: (−1.2 + 0.05·0.5)/2 = −0.5875;
        // k=2: (0.4 − 0.025)/2 = 0.1875; k=3: (0.4 − 0.075)/2 = 0.1625.
        expectClose(r.outputs["grad_input"]?.scalars, [0.2375, -0.5875, 0.1875, 0.1625], rtol: 1e-14)
        expectScalesCover(r)
    }

    @Test func smoothingThatMatchesTheSoftmaxHasZeroGradient() throws {
        // Row 0, y = 1, ε = 0.5, C = 2: the smoothed target [1/4, 3/4] equals the softmax, so
        // ∂/∂x = 0.5·(p − onehot) + 0.5·(p − 1/2) = [1/8 − 1/8, −1/8 + 1/8] = 0, while
        // l = 0.5·(ln4 − ln3) + (0.5/2)·(ln4 + ln4 − ln3) = ln4 − 0.75·ln3.
        let r = try Reference.evaluate(ce(T([2], [0, ln3]), indices: I([], [1]), smoothing: 0.5, "sum", grad: T([], [1])))
        expectClose(r.output?.scalars, [ln4 - 0.75 * ln3])
        expectClose(r.outputs["grad_input"]?.scalars, [0, 0], atol: 1e-15)
        // The zero comes from cancelling O(1) terms: its error scale must say so.
        #expect(try #require(r.scales["grad_input"]?.scalars).allSatisfy { $0 > 0.1 })
    }

    @Test func smoothingAtOrBelowZeroIsNone() throws {
        let y = I([2], [1, 0])
        let plain = try Reference.evaluate(ce(x, indices: y, "none")).output
        #expect(try Reference.evaluate(ce(x, indices: y, smoothing: -0.5, "none")).output == plain)
        #expect(try Reference.evaluate(ce(x, indices: y, smoothing: 0, "none")).output == plain)
    }

    @Test func probabilityTargetByHand() throws {
        // Row 0 with y = [1/4, 3/4]: l = −(¼·(−ln4) + ¾·(ln3 − ln4)) = ln4 − ¾·ln3; the input
        // gradient p·Σy − y vanishes and ∂/∂y = −logp = [ln4, ln4 − ln3]. 'mean' divides by N = 2
        // positions; row 1 (y = [1, 0]) adds −logp_0 = ln4 − ln3.
        let y = T([2, 2], [0.25, 0.75, 1, 0])
        let r = try Reference.evaluate(ce(x, probabilities: y, "mean", grad: T([], [2])))
        expectClose(r.output?.scalars, [(2 * ln4 - 1.75 * ln3) / 2])
        // Row 1: ∂/∂x = p − y = [3/4 − 1, 1/4]; times g/N = 1.
        expectClose(r.outputs["grad_input"]?.scalars, [0, 0, -0.25, 0.25], atol: 1e-15)
        expectClose(r.outputs["grad_target"]?.scalars, [ln4, ln4 - ln3, ln4 - ln3, ln4])
        expectScalesCover(r)
        // Weights w = [2, 1] on row 0: −(2·¼·(−ln4) + ¾·(ln3 − ln4)) = 1.25·ln4 − 0.75·ln3.
        let weighted = try Reference.evaluate(ce(T([2], [0, ln3]), probabilities: T([2], [0.25, 0.75]),
                                                 weight: T([2], [2, 1]), "none"))
        expectClose(weighted.output?.scalars, [1.25 * ln4 - 0.75 * ln3])
        #expect(weighted.output?.shape == [])
    }

    @Test func probabilitySmoothingMixesTheTarget() throws {
        // ε = 0.5, C = 2, y = [0, 1] → y' = [1/4, 3/4]: the same loss as the unsmoothed [1/4, 3/4];
        // ∂/∂y = −(1 − ε)·logp = −0.5·[−ln4, ln3 − ln4].
        let r = try Reference.evaluate(ce(T([2], [0, ln3]), probabilities: T([2], [0, 1]), smoothing: 0.5, "sum",
                                          grad: T([], [1])))
        expectClose(r.output?.scalars, [ln4 - 0.75 * ln3])
        expectClose(r.outputs["grad_target"]?.scalars, [0.5 * ln4, 0.5 * (ln4 - ln3)])
    }

    @Test func signedZerosAndEmptyInputs() throws {
        // A single class: logp = 0, so l = −1·0 = −0.0.
        let single = try #require(try Reference.evaluate(ce(T([2, 1], [3, -7]), indices: I([2], [0, 0]), "none")).output)
        #expect(single.scalars.allSatisfy { $0 == 0 && $0.sign == .minus })
        // Probability targets: PyTorch negates the sum, so an empty 'sum' is −0.0.
        let emptySum = try #require(try Reference.evaluate(ce(T([0, 3], []), probabilities: T([0, 3], []), "sum")).output)
        #expect(emptySum.scalars == [0] && emptySum.scalars[0].sign == .minus)
        #expect(try Reference.evaluate(ce(T([0, 3], []), probabilities: T([0, 3], []), "mean")).output?.scalars[0].isNaN == true)
        // C = 0 (probabilities): −0.0 per position, 'mean' NaN.
        #expect(try Reference.evaluate(ce(T([2, 0], []), probabilities: T([2, 0], []), "none")).output?.scalars.allSatisfy { $0.sign == .minus } == true)
        #expect(try Reference.evaluate(ce(T([2, 0], []), probabilities: T([2, 0], []), "mean")).output?.scalars[0].isNaN == true)
        // Index targets: empty 'sum' 0, 'mean' NaN; K-dim with no positions keeps its shape.
        #expect(try Reference.evaluate(ce(T([0, 3], []), indices: I([0], []), "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(ce(T([0, 3], []), indices: I([0], []), smoothing: 0.2, "mean")).output?.scalars[0].isNaN == true)
        #expect(try Reference.evaluate(ce(T([2, 3, 0], []), indices: I([2, 0], []), "none")).output?.shape == [2, 0])
        // C = 0 with every position ignored: 0 without smoothing, (ε/0)·0 = NaN with it.
        let noClass = T([2, 0], [])
        #expect(try Reference.evaluate(ce(noClass, indices: I([2], [-100, -100]), "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(ce(noClass, indices: I([2], [-100, -100]), smoothing: 0.1, "sum")).output?.scalars[0].isNaN == true)
    }

    @Test func nonFiniteLogits() throws {
        let inf = Double.infinity
        // A −inf logit: logp = −inf there. Targeted → inf; not targeted → ln1 = 0 … unless ε > 0.
        let v = T([2], [-inf, 0])
        #expect(try Reference.evaluate(ce(v, indices: I([], [1]), "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(ce(v, indices: I([], [0]), "sum")).output?.scalars == [inf])
        #expect(try Reference.evaluate(ce(v, indices: I([], [1]), smoothing: 0.1, "sum")).output?.scalars == [inf])
        // Probability 0 at a −inf logit: 0·(−inf) = NaN.
        #expect(try Reference.evaluate(ce(v, probabilities: T([2], [0, 1]), "sum")).output?.scalars[0].isNaN == true)
        // With ε > 0 the gradient stays finite: p = [0, 1], y = 0:
        // 0.9·(p − [1, 0]) + 0.1·(p − 1/2) = [−0.9 − 0.05, 0.9 + 0.05].
        let r = try Reference.evaluate(ce(v, indices: I([], [0]), smoothing: 0.1, "sum", grad: T([], [1])))
        expectClose(r.outputs["grad_input"]?.scalars, [-0.95, 0.95], rtol: 1e-15)
        // A NaN row that is ignored: loss 0, but autograd's 0 − p·0 is NaN.
        let ignored = try Reference.evaluate(ce(T([2, 2], [.nan, 0, 1, 2]), indices: I([2], [-100, 1]), "none",
                                                grad: T([2], [1, 1])))
        #expect(ignored.output?.scalars[0] == 0)
        let g = try #require(ignored.outputs["grad_input"]?.scalars)
        #expect(g[0].isNaN && g[1].isNaN && g[2].isFinite)
    }

    @Test func ignoredAndZeroWeightMeans() throws {
        let all = try Reference.evaluate(ce(x, indices: I([2], [-100, -100]), smoothing: 0.3, "mean", grad: T([], [1])))
        #expect(all.output?.scalars[0].isNaN == true)
        #expect(all.outputs["grad_input"]?.scalars == [0, 0, 0, 0])
        #expect(try Reference.evaluate(ce(x, indices: I([2], [-100, -100]), "sum")).output?.scalars == [0])
        // Weights [1, −1] over targets [0, 1]: W = 0. PyTorch divides the nll and smoothing sums by
        // W separately, so ±inf terms meet: NaN.
        let w = T([2], [1, -1])
        #expect(try Reference.evaluate(ce(x, indices: I([2], [0, 1]), weight: w, smoothing: 0.4, "mean")).output?.scalars[0].isNaN == true)
        // Without smoothing, G_y = w_y·(−g/0): −inf in row 0, +inf in row 1 (w = −1). Through
        // log_softmax, G_k − p_k·ΣG: NaN at y (inf − inf), −p_k·G_y at the other class.
        let r = try Reference.evaluate(ce(x, indices: I([2], [0, 1]), weight: w, "mean", grad: T([], [1])))
        let g = try #require(r.outputs["grad_input"]?.scalars)
        #expect(g[0].isNaN && g[1] == .infinity && g[2] == -.infinity && g[3].isNaN)
    }

    @Test(arguments: ["none", "mean", "sum"])
    func finiteDifferences(reduction: String) throws {
        let input = T([2, 3, 2], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.1, 0.2, -0.8, 1.9, 0.5, -2.0])
        let g = reduction == "none" ? T([2, 2], [0.7, -1.3, 0.4, 2.1]) : T([], [1.7])
        let w = T([3], [0.5, 1.5, 2])
        for smoothing in [0.0, 0.3] {
            for weight in [nil, w] {
                try checkGradientsByFiniteDifferences(
                    ce(input, indices: I([2, 2], [2, 0, -100, 1]), weight: weight, smoothing: smoothing, reduction, grad: g))
                let y = T([2, 3, 2], [0.2, 0.5, 0.3, 0.1, 0.5, 0.4, 0.9, 0.0, 0.05, 0.6, 0.05, 0.4])
                try checkGradientsByFiniteDifferences(
                    ce(input, probabilities: y, weight: weight, smoothing: smoothing, reduction, grad: g))
            }
        }
        let flat = T([4], [0.5, -0.25, 1.5, 0])
        let scalarG = reduction == "none" ? T([], [0.6]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(ce(flat, indices: I([], [2]), smoothing: 0.1, reduction, grad: scalarG))
    }

    @Test func errors() {
        let y = I([2], [0, 1])
        expectError(ce(x, indices: y, smoothing: 1.5, "mean"), .invalidOption, argument: "label_smoothing")
        expectError(ce(x, probabilities: T([2, 2], [1, 0, 0, 1]), ignoreIndex: 0, "mean"), .invalidOption, argument: "ignore_index")
        expectError(ce(x, indices: I([2, 2], [0, 1, 1, 0]), "mean"), .invalidValue, argument: "target")
        expectError(ce(x, probabilities: T([2], [0, 1]), "mean"), .invalidValue, argument: "target")
        expectError(ce(T([], [1]), indices: I([], [0]), "mean"), .shapeMismatch, argument: "input")
        expectError(ce(x, indices: I([2], [0, 2]), "mean"), .targetOutOfRange, argument: "target")
        expectError(ce(x, indices: I([2], [0, -1]), "mean"), .targetOutOfRange, argument: "target")
        expectError(ce(x, indices: y, weight: T([3], [1, 1, 1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(ce(x, probabilities: T([2, 2], [1, 0, 0, 1]), weight: T([1, 2], [1, 1]), "mean"),
                    .shapeMismatch, argument: "weight")
        expectError(ce(x, indices: I([3], [0, 1, 1]), "mean"), .shapeMismatch, argument: "target")
        expectError(ce(T([2, 2, 3], Array(repeating: 0, count: 12)), indices: I([2, 2], [0, 1, 1, 0]), "mean"),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.crossEntropy, floats: ["input": x]), .invalidOption, argument: "target")
    }
}
