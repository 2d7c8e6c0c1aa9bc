import Foundation
import Testing
@_spi(Kernels) import LossSpec
@testable import Reference

@Suite struct MultiLabelSoftMarginLossTests {
    // x = log 3 → σ = 3/4, logσ(x) = log(3/4), logσ(−x) = log(1/4); x = 0 → logσ = −log 2.
    let x = T([2, 2], [0, log(3), 0, log(3)])
    let y = T([2, 2], [1, 0, 0, 1])

    @Test func valuesByHand() throws {
        // Row 0: l = [−logσ(0), −logσ(−log 3)] = [log 2, log 4] → L = 1.5 log 2.
        // Row 1: l = [−logσ(0), −logσ(log 3)] = [log 2, log(4/3)] → L = log(8/3)/2.
        let l0 = 1.5 * log(2.0), l1 = log(8.0 / 3) / 2
        expectClose(try Reference.multilabelSoftMarginLoss(input: x, target: y, reduction: .none).output?.scalars,
                    [l0, l1], rtol: 1e-15)
        expectClose(try Reference.multilabelSoftMarginLoss(input: x, target: y, reduction: .sum).output?.scalars,
                    [l0 + l1], rtol: 1e-15)
        expectClose(try Reference.multilabelSoftMarginLoss(input: x, target: y).output?.scalars,
                    [(l0 + l1) / 2], rtol: 1e-15)
    }

    @Test func unbatchedWeightedGradientsByHand() throws {
        // (C) input → 0-dim output. x = [0, log 3], y = [1, 0], w = [2, 3], C = 2, g = 1:
        // L = (2 log 2 + 3 log 4)/2 = 4 log 2;
        // ∂/∂x = w(σ − y)/C = [2·(−0.5)/2, 3·0.75/2] = [−0.5, 1.125];
        // ∂/∂y = −w x/C = [0, −1.5 log 3];  ∂/∂w = l/C = [log 2 / 2, log 2].
        let r = try Reference.multilabelSoftMarginLoss(
            input: T([2], [0, log(3)]), target: T([2], [1, 0]), weight: T([2], [2, 3]), reduction: .none,
            gradOutput: T([], [1]))
        #expect(r.output?.shape == [])
        expectClose(r.output?.scalars, [4 * log(2)], rtol: 1e-15)
        expectClose(r.outputs["grad_input"]?.scalars, [-0.5, 1.125], rtol: 1e-15)
        expectClose(r.outputs["grad_target"]?.scalars, [0, -1.5 * log(3)], rtol: 1e-15)
        expectClose(r.outputs["grad_weight"]?.scalars, [log(2) / 2, log(2)], rtol: 1e-15)
    }

    @Test func meanDividesWeightGradientByBatch() throws {
        // 'mean' over N = 2 rows, g = 1, w (C) = [1, 1]: ∂/∂w_c = Σ_n l_nc / (C·N)
        // = [(log 2 + log 2)/4, (log 4 + log(4/3))/4] = [log 2 / 2, log(16/3)/4].
        let r = try Reference.multilabelSoftMarginLoss(input: x, target: y, weight: T([2], [1, 1]),
                                                       gradOutput: T([], [1]))
        expectClose(r.outputs["grad_weight"]?.scalars, [log(2) / 2, log(16.0 / 3) / 4], rtol: 1e-15)
    }

    @Test func classDimensionOfSizeZeroIsNaN() throws {
        let r = try Reference.multilabelSoftMarginLoss(input: T([2, 0], []), target: T([2, 0], []), reduction: .none)
        #expect(r.output?.shape == [2])
        #expect(r.output?.scalars.allSatisfy(\.isNaN) == true)
        let e = T([0, 3], [])
        #expect(try Reference.multilabelSoftMarginLoss(input: e, target: e).output?.scalars[0].isNaN == true)
        #expect(try Reference.multilabelSoftMarginLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
    }

    @Test func outrankingTargetSumsOverInputsClassAxis() throws {
        // PyTorch sums over axis input.dim() − 1 = 0 of the (2, 3) broadcast shape, C = 3:
        // x = 0 everywhere, y = 0.5 → l = log 2 each → L (3) = [2 log 2 / 3] × 3.
        let r = try Reference.multilabelSoftMarginLoss(input: T([3], [0, 0, 0]), target: T([2, 3], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
                                                       reduction: .none)
        #expect(r.output?.shape == [3])
        expectClose(r.output?.scalars, [Double](repeating: 2 * log(2.0) / 3, count: 3), rtol: 1e-15)
    }

    @Test func stableForLargeLogits() throws {
        // x = [800, −800], y = [0, 1]: l = [800, 800] → L = 800; finite, no overflow.
        let r = try Reference.multilabelSoftMarginLoss(input: T([2], [800, -800]), target: T([2], [0, 1]), reduction: .sum)
        #expect(r.output?.scalars == [800])
    }

    @Test(arguments: ["none", "mean", "sum"], [nil, [3], [2, 1], [2, 2, 3]] as [[Int]?])
    func finiteDifferences(reduction: String, weightShape: [Int]?) throws {
        // A (2, 2, 3) weight outranks the input: the class axis becomes axis 1, leaving (2, 3).
        let full = weightShape == [2, 2, 3] ? [2, 3] : [2]
        var floats = ["input": T([2, 3], [0.3, -2.2, 4.5, -0.7, 1.1, -6]),
                      "target": T([3], [0.2, 1, -0.1]),
                      "grad_output": reduction == "none" ? T(full, [0.7, -1.3, 0.4, 2.1, -0.6, 1.1].prefix(Shape.count(full)).map { $0 }) : T([], [1.7])]
        if let weightShape {
            floats["weight"] = T(weightShape, (0..<Shape.count(weightShape)).map { 0.5 - 0.3 * Double($0) })
        }
        try checkGradientsByFiniteDifferences(
            makeCase(.multilabelSoftMarginLoss, options: ["reduction": .string(reduction)], floats: floats))
    }

    @Test func errors() {
        expectError(makeCase(.multilabelSoftMarginLoss, floats: ["input": T([], [1]), "target": T([], [1])]),
                    .shapeMismatch, argument: "input")
        expectError(makeCase(.multilabelSoftMarginLoss, floats: ["input": T([3], [0, 0, 0]), "target": T([4], [0, 0, 0, 0])]),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.multilabelSoftMarginLoss,
                             floats: ["input": T([3], [0, 0, 0]), "target": T([3], [0, 0, 0]), "weight": T([2], [1, 1])]),
                    .shapeMismatch, argument: "weight")
        expectError(makeCase(.multilabelSoftMarginLoss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": T([3], [0, 0, 0]), "target": T([3], [0, 0, 0])]),
                    .invalidReduction, argument: "reduction")
    }
}
