import Testing
import LossSpec
@testable import Reference

@Suite struct HingeEmbeddingLossTests {
    @Test func exactRuleForEveryTarget() throws {
        // margin 1, x = [0.3, 0.3, 0.3, 1.5, 1, 1]; y = [1, −1, 0, −1, −1, 2]:
        // l = [x, max(0, 1 − 0.3), 0.3 + 0.7, max(0, −0.5), max(0, 0), 1 + max(0, 0)] = [0.3, 0.7, 1, 0, 0, 1].
        // ∂/∂x = [y ≠ −1] − [y ≠ 1]·[1 − x > 0] = [1, −1, 1 − 1, 0, 0 (kink), 1 − 0].
        let r = try Reference.hingeEmbeddingLoss(
            input: T([6], [0.3, 0.3, 0.3, 1.5, 1, 1]), target: T([6], [1, -1, 0, -1, -1, 2]), reduction: .none,
            gradOutput: T([6], [1, 1, 1, 1, 1, 1]))
        expectClose(r.output?.scalars, [0.3, 0.7, 1, 0, 0, 1], rtol: 1e-15)
        #expect(r.outputs["grad_input"]?.scalars == [1, -1, 0, 0, 0, 1])
        #expect(r.outputs["grad_target"] == nil)
        expectClose(try Reference.hingeEmbeddingLoss(input: T([2], [0.3, 0.3]), target: T([2], [1, -1]))
                        .output?.scalars, [0.5], rtol: 1e-15)
        expectClose(try Reference.hingeEmbeddingLoss(input: T([2], [0.3, 0.3]), target: T([2], [1, -1]),
                                                     reduction: .sum).output?.scalars, [1], rtol: 1e-15)
    }

    @Test func nonFiniteInputs() throws {
        // NaN, y = 1 → NaN, ∂ = 1;  NaN, y = −1 → NaN, ∂ = 0 (NaN > 0 is false);
        // +inf, y = −1 → max(0, −inf) = 0, ∂ = 0;  −inf, y = 1 → −inf, ∂ = 1.
        let r = try Reference.hingeEmbeddingLoss(
            input: T([4], [.nan, .nan, .infinity, -.infinity]), target: T([4], [1, -1, -1, 1]), reduction: .none,
            gradOutput: T([4], [1, 1, 1, 1]))
        let l = try #require(r.output?.scalars)
        #expect(l[0].isNaN && l[1].isNaN && l[2] == 0 && l[3] == -.infinity)
        #expect(r.outputs["grad_input"]?.scalars == [1, 0, 0, 1])
    }

    @Test func targetMayEnlargeTheOutput() throws {
        // x (2) = [0.5, 2], y (3,2) rows [1, 1], [−1, −1], [0, 0], margin 1:
        // l = [[0.5, 2], [0.5, 0], [1, 2]] → Σ = 6; ∂/∂x per column: [1 − 1 + 0, 1 + 0 + 1] = [0, 2].
        let r = try Reference.hingeEmbeddingLoss(input: T([2], [0.5, 2]), target: T([3, 2], [1, 1, -1, -1, 0, 0]),
                                                 reduction: .sum, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [6])
        #expect(r.outputs["grad_input"]?.scalars == [0, 2] && r.outputs["grad_input"]?.shape == [2])
        let none = try Reference.hingeEmbeddingLoss(input: T([2], [0.5, 2]), target: T([3, 2], [1, 1, -1, -1, 0, 0]),
                                                    reduction: .none)
        #expect(none.output?.shape == [3, 2])
    }

    @Test func emptyAndZeroDim() throws {
        let e = T([0], [])
        #expect(try Reference.hingeEmbeddingLoss(input: e, target: e).output?.scalars[0].isNaN == true)
        #expect(try Reference.hingeEmbeddingLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
        // 0-dim: x = 0.3, y = −1, margin 1 → 0.7.
        let s = try Reference.hingeEmbeddingLoss(input: T([], [0.3]), target: T([], [-1]), reduction: .none)
        #expect(s.output?.shape == [])
        expectClose(s.output?.scalars, [0.7], rtol: 1e-15)
    }

    @Test(arguments: ["none", "mean", "sum"], [1.0, 0.0, -2.0, 7.0])
    func finiteDifferences(reduction: String, margin: Double) throws {
        let g = reduction == "none" ? T([2, 4], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1, 0.9, -0.2]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(makeCase(
            .hingeEmbeddingLoss, options: ["reduction": .string(reduction), "margin": .number(margin)],
            floats: ["input": T([4], [0.35, -2.2, 4.5, -0.7]), "target": T([2, 4], [1, -1, -1, 0, -1, 2, 1, -1]),
                     "grad_output": g]))
    }

    @Test func errors() {
        expectError(makeCase(.hingeEmbeddingLoss, floats: ["input": T([2], [0, 1]), "target": T([3], [1, 1, 1])]),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.hingeEmbeddingLoss, options: ["reduction": .string("batchmean")],
                             floats: ["input": T([1], [0]), "target": T([1], [1])]), .invalidReduction)
    }
}
