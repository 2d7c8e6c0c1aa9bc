import Foundation
import Testing
@testable import LossSpec
@testable import Reference

@Suite struct SoftMarginLossTests {
    // t = −y·x = [0, 1, 1]
    let x = T([3], [0, 1, -2])
    let y = T([3], [1, -1, 0.5])

    @Test func valuesByHand() throws {
        // l = log(1 + eᵗ) = [log 2, log(1 + e), log(1 + e)]
        let l1e = log(1 + M_E)
        expectClose(try Reference.softMarginLoss(input: x, target: y, reduction: .none).output?.scalars,
                    [log(2), l1e, l1e])
        expectClose(try Reference.softMarginLoss(input: x, target: y, reduction: .sum).output?.scalars,
                    [log(2) + 2 * l1e])
        expectClose(try Reference.softMarginLoss(input: x, target: y, reduction: .mean).output?.scalars,
                    [(log(2) + 2 * l1e) / 3])
    }

    @Test func gradientByHandAndNoTargetGradient() throws {
        // ∂/∂x = −y·σ(t)·g with σ(0) = ½, σ(1) = e/(1 + e); 'sum', g = 2
        let s1 = M_E / (1 + M_E)
        let r = try Reference.softMarginLoss(input: x, target: y, reduction: .sum, gradOutput: T([], [2]))
        expectClose(r.outputs["grad_input"]?.scalars, [-1, 2 * s1, -s1])
        #expect(r.outputs["grad_target"] == nil)
    }

    @Test func computedLiterallySoExpOverflowsToInfAndNaNGradient() throws {
        // t = 800 overflows exp → loss inf, gradient inf/inf = NaN; t = −800 → exp = 0 → loss 0,
        // gradient −0; y = 0 → log 2 and gradient −0.
        let r = try Reference.softMarginLoss(input: T([3], [-800, 800, 5]), target: T([3], [1, 1, 0]),
                                             reduction: .none, gradOutput: T([3], [1, 1, 1]))
        expectClose(r.output?.scalars, [.infinity, 0, log(2)])
        let g = try #require(r.outputs["grad_input"]?.scalars)
        #expect(g[0].isNaN)
        #expect(g[1] == 0 && g[1].sign == .minus)
        #expect(g[2] == 0 && g[2].sign == .minus)
    }

    @Test func targetBroadcastsButNeverEnlarges() throws {
        // input (2, 2), target (2) = [1, −1] broadcast over rows: t = [−x₀₀, x₀₁, −x₁₀, x₁₁] = [0, 0, 0, 0]
        let r = try Reference.softMarginLoss(input: T([2, 2], [0, 0, 0, 0]), target: T([2], [1, -1]),
                                             reduction: .none)
        #expect(r.output?.shape == [2, 2])
        expectClose(r.output?.scalars, [log(2), log(2), log(2), log(2)])
        expectError(makeCase(.softMarginLoss, floats: ["input": T([2], [1, 2]), "target": T([2, 2], [1, 1, 1, 1])]),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.softMarginLoss, floats: ["input": T([2, 1], [1, 2]), "target": T([2, 2], [1, 1, 1, 1])]),
                    .shapeMismatch, argument: "target")
        expectError(makeCase(.softMarginLoss, floats: ["input": T([2], [1, 2]), "target": T([3], [1, 1, 1])]),
                    .shapeMismatch)
    }

    @Test func zeroDimAndEmpty() throws {
        // 0-dim: t = −(−1)(0) = 0 → log 2
        expectClose(try Reference.softMarginLoss(input: T([], [0]), target: T([], [-1])).output?.scalars, [log(2)])
        let e = T([0, 2], [])
        #expect(try Reference.softMarginLoss(input: e, target: T([2], [1, 1])).output?.scalars[0].isNaN == true)
        #expect(try Reference.softMarginLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
        #expect(try Reference.softMarginLoss(input: e, target: e, reduction: .none).output?.shape == [0, 2])
    }

    @Test func errors() {
        expectError(makeCase(.softMarginLoss, options: ["reduction": .string("batchmean")],
                             floats: ["input": x, "target": y]), .invalidReduction, argument: "reduction")
        expectError(makeCase(.softMarginLoss, options: ["reduction": .string("none")],
                             floats: ["input": x, "target": y, "grad_output": T([2], [1, 1])]),
                    .shapeMismatch, argument: "grad_output")
    }

    @Test(arguments: ["none", "mean", "sum", "elementwise_mean"])
    func finiteDifferences(reduction: String) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -4])
        let y = T([3], [1, -1, 0.4])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(
            makeCase(.softMarginLoss, options: ["reduction": .string(reduction)],
                     floats: ["input": x, "target": y, "grad_output": g]))
    }
}
