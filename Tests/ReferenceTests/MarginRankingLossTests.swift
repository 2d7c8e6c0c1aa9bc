import Testing
import LossSpec
@testable import Reference

@Suite struct MarginRankingLossTests {
    let x1 = T([3], [1, 2, 0]), x2 = T([3], [2, 1, 0]), y = T([3], [1, 1, -1])

    @Test func valuesAndGradientsByHand() throws {
        // margin 0.5: z = −y(x1 − x2) + 0.5 = [1 + 0.5, −1 + 0.5, 0 + 0.5] → l = [1.5, 0, 0.5].
        // a = [1, 0, 1]: ∂/∂x1 = −y·a = [−1, 0, 1], ∂/∂x2 = [1, 0, −1], ∂/∂y = −(x1 − x2)·a = [1, 0, 0].
        let r = try Reference.marginRankingLoss(input1: x1, input2: x2, target: y, margin: 0.5, reduction: .none,
                                                gradOutput: T([3], [1, 1, 1]))
        #expect(r.output?.scalars == [1.5, 0, 0.5])
        #expect(r.outputs["grad_input1"]?.scalars == [-1, 0, 1])
        #expect(r.outputs["grad_input2"]?.scalars == [1, 0, -1])
        #expect(r.outputs["grad_target"]?.scalars == [1, 0, 0])
        #expect(try Reference.marginRankingLoss(input1: x1, input2: x2, target: y, margin: 0.5, reduction: .sum)
                    .output?.scalars == [2])
        expectClose(try Reference.marginRankingLoss(input1: x1, input2: x2, target: y, margin: 0.5).output?.scalars,
                    [2.0 / 3], rtol: 1e-15)
    }

    @Test func kinkAndNaNConventions() throws {
        // x1 = 0, x2 = 1, y = 1, margin −1: z = 1 − 1 = 0 exactly → l = 0 and every gradient 0.
        // x1 = NaN: l = NaN, a = [NaN > 0] = 0 → input gradients 0, ∂/∂y = −NaN·0 = NaN.
        // y = 0, margin −1: z = −1 → 0 (y is not restricted to ±1).
        let r = try Reference.marginRankingLoss(
            input1: T([3], [0, .nan, 5]), input2: T([3], [1, 0, 2]), target: T([3], [1, 1, 0]), margin: -1,
            reduction: .none, gradOutput: T([3], [2, 2, 2]))
        #expect(r.output?.scalars[0] == 0 && r.output?.scalars[1].isNaN == true && r.output?.scalars[2] == 0)
        #expect(r.outputs["grad_input1"]?.scalars == [0, 0, 0])
        #expect(r.outputs["grad_input2"]?.scalars == [0, 0, 0])
        let gy = try #require(r.outputs["grad_target"]?.scalars)
        #expect(gy[0] == 0 && gy[1].isNaN && gy[2] == 0)
    }

    @Test func broadcastingSumsGradientsBack() throws {
        // x1 (2,1) = [1, 2], x2 (1,2) = [0, 3], y (1,1) = 1, margin 0:
        // z = −(x1 − x2) = [[−1, 2], [−2, 1]] → l = [[0, 2], [0, 1]], Σ = 3, a = [[0, 1], [0, 1]].
        // ∂/∂x1 = −a summed over columns = [−1, −1]; ∂/∂x2 = a summed over rows = [0, 2];
        // ∂/∂y = Σ −(x1 − x2)·a = 2 + 1 = 3.
        let r = try Reference.marginRankingLoss(input1: T([2, 1], [1, 2]), input2: T([1, 2], [0, 3]),
                                                target: T([1, 1], [1]), reduction: .sum, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [3])
        #expect(r.outputs["grad_input1"]?.scalars == [-1, -1] && r.outputs["grad_input1"]?.shape == [2, 1])
        #expect(r.outputs["grad_input2"]?.scalars == [0, 2] && r.outputs["grad_input2"]?.shape == [1, 2])
        #expect(r.outputs["grad_target"]?.scalars == [3] && r.outputs["grad_target"]?.shape == [1, 1])
    }

    @Test func emptyAndZeroDim() throws {
        let e = T([0, 2], [])
        #expect(try Reference.marginRankingLoss(input1: e, input2: e, target: e).output?.scalars[0].isNaN == true)
        #expect(try Reference.marginRankingLoss(input1: e, input2: e, target: e, reduction: .sum).output?.scalars == [0])
        // 0-dim: max(0, −1·(1 − 2) + 0) = 1.
        let s = try Reference.marginRankingLoss(input1: T([], [1]), input2: T([], [2]), target: T([], [1]), reduction: .none)
        #expect(s.output?.shape == [] && s.output?.scalars == [1])
    }

    @Test(arguments: ["none", "mean", "sum"], [0.0, 0.7, -3.14])
    func finiteDifferences(reduction: String, margin: Double) throws {
        let full = [2, 3]
        let g = reduction == "none" ? T(full, [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(makeCase(
            .marginRankingLoss, options: ["reduction": .string(reduction), "margin": .number(margin)],
            floats: ["input1": T([2, 3], [0.3, -2.2, 4.5, -0.7, 1.1, -6]), "input2": T([1, 3], [1.9, 0.4, -0.8]),
                     "target": T([2, 1], [1, -0.5]), "grad_output": g]))
    }

    @Test func errors() {
        let v = T([2], [0, 1])
        expectError(makeCase(.marginRankingLoss, floats: ["input1": v, "input2": v, "target": T([1, 2], [1, 1])]),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.marginRankingLoss, floats: ["input1": v, "input2": T([1, 2], [1, 1]), "target": v]),
                    .shapeMismatch, argument: "input2")
        expectError(makeCase(.marginRankingLoss, floats: ["input1": v, "input2": T([3], [1, 1, 1]), "target": v]),
                    .shapeMismatch, argument: "input2")
        expectError(makeCase(.marginRankingLoss, options: ["reduction": .string("mean ")],
                             floats: ["input1": v, "input2": v, "target": v]), .invalidReduction)
        expectError(makeCase(.marginRankingLoss, options: ["margin": .string("1")],
                             floats: ["input1": v, "input2": v, "target": v]), .invalidOption, argument: "margin")
    }
}
