import Foundation
import Testing
@testable import LossSpec
@testable import Reference

@Suite struct PoissonNLLLossTests {
    let x = T([3], [0, 1, -1])
    let y = T([3], [2, 0, 3])

    /// S(y) = y log y − y + ½ log(2πy), the Stirling term for y > 1.
    func stirling(_ y: Double) -> Double { y * log(y) - y + 0.5 * log(2 * Double.pi * y) }

    @Test func logInputByHand() throws {
        // l = eˣ − y·x = [1 − 0, e − 0, e⁻¹ + 3]
        let l = [1, M_E, exp(-1.0) + 3]
        expectClose(try Reference.poissonNLLLoss(input: x, target: y, reduction: .none).output?.scalars, l)
        expectClose(try Reference.poissonNLLLoss(input: x, target: y, reduction: .sum).output?.scalars,
                    [4 + M_E + exp(-1.0)])
        expectClose(try Reference.poissonNLLLoss(input: x, target: y, reduction: .mean).output?.scalars,
                    [(4 + M_E + exp(-1.0)) / 3])
        // full adds S(y) only where y > 1: y = 2 and y = 3
        expectClose(try Reference.poissonNLLLoss(input: x, target: y, full: true, reduction: .none).output?.scalars,
                    [1 + stirling(2), M_E, exp(-1.0) + 3 + stirling(3)])
    }

    @Test func logInputGradients() throws {
        // 'sum', g = 1: ∂/∂x = eˣ − y = [−1, e, e⁻¹ − 3]; ∂/∂y = −x = [0, −1, 1]
        let r = try Reference.poissonNLLLoss(input: x, target: y, reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.outputs["grad_input"]?.scalars, [-1, M_E, exp(-1.0) - 3])
        expectClose(r.outputs["grad_target"]?.scalars, [0, -1, 1])
        // full: + log y + 1/(2y) where y > 1; the trap: NaN at y = 0 although the term is masked
        let f = try Reference.poissonNLLLoss(input: x, target: y, full: true, reduction: .sum, gradOutput: T([], [1]))
        expectClose(f.outputs["grad_input"]?.scalars, [-1, M_E, exp(-1.0) - 3])
        expectClose(f.outputs["grad_target"]?.scalars, [log(2) + 0.25, .nan, 1 + log(3) + 1.0 / 6], rtol: 1e-15)
    }

    @Test func stirlingMaskAtOneAndBelow() throws {
        // y = 1 is masked (strict y > 1): loss and target gradient equal the non-full ones, exactly.
        // y = 0.5 likewise; y = −1 gets a NaN target gradient (log of a negative, times the masked 0).
        let xs = T([3], [0.5, 0.5, 0.5]), ys = T([3], [1, 0.5, -1])
        let plain = try Reference.poissonNLLLoss(input: xs, target: ys, reduction: .none, gradOutput: T([3], [1, 1, 1]))
        let full = try Reference.poissonNLLLoss(input: xs, target: ys, full: true, reduction: .none,
                                                gradOutput: T([3], [1, 1, 1]))
        #expect(full.output == plain.output)
        #expect(full.outputs["grad_input"] == plain.outputs["grad_input"])
        let g = try #require(full.outputs["grad_target"]?.scalars)
        #expect(g[0] == -0.5 && g[1] == -0.5 && g[2].isNaN)
    }

    @Test func nonLogInputByHand() throws {
        // eps = 0.5: v = x + eps = [1, 2]; l = x − y·log v = [0.5 − 2·0, 1.5 − 0] = [0.5, 1.5]
        let xs = T([2], [0.5, 1.5]), ys = T([2], [2, 0])
        let r = try Reference.poissonNLLLoss(input: xs, target: ys, logInput: false, eps: 0.5, reduction: .none,
                                             gradOutput: T([2], [1, 1]))
        expectClose(r.output?.scalars, [0.5, 1.5])
        // ∂/∂x = 1 − y/v = [1 − 2/1, 1 − 0/2] = [−1, 1]; ∂/∂y = −log v = [−0, −log 2]
        expectClose(r.outputs["grad_input"]?.scalars, [-1, 1])
        expectClose(r.outputs["grad_target"]?.scalars, [-0, -log(2)])
        // default eps = 1e-8: x = 0 gives log(1e-8)
        let d = try Reference.poissonNLLLoss(input: T([], [0]), target: T([], [1]), logInput: false)
        expectClose(d.output?.scalars, [-log(1e-8)])
        // x + eps < 0 → log of a negative → NaN, passed through
        let n = try Reference.poissonNLLLoss(input: T([], [-1]), target: T([], [1]), logInput: false)
        #expect(n.output?.scalars[0].isNaN == true)
    }

    @Test func broadcastingAndEmpty() throws {
        // input (2, 1) against target (3): 6 elements; x = 0 → l = 1 − 0 for each; Σ = 6
        let r = try Reference.poissonNLLLoss(input: T([2, 1], [0, 0]), target: T([3], [1, 2, 3]), reduction: .sum,
                                             gradOutput: T([], [1]))
        #expect(r.output?.scalars == [6])
        // ∂/∂x = 1 − y summed over the target axis: 3 − 6 = −3 per row; ∂/∂y = −x summed: 0
        #expect(r.outputs["grad_input"]?.scalars == [-3, -3])
        #expect(r.outputs["grad_target"]?.shape == [3])
        let e = T([0], [])
        #expect(try Reference.poissonNLLLoss(input: e, target: e).output?.scalars[0].isNaN == true)
        #expect(try Reference.poissonNLLLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
    }

    @Test func errors() {
        // The functional compares strings: the deprecated alias is rejected.
        expectError(makeCase(.poissonNLLLoss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": x, "target": y]), .invalidReduction, argument: "reduction")
        expectError(makeCase(.poissonNLLLoss, floats: ["input": x, "target": T([2], [1, 1])]), .shapeMismatch)
        expectError(makeCase(.poissonNLLLoss, options: ["full": .number(1)], floats: ["input": x, "target": y]),
                    .invalidOption, argument: "full")
    }

    /// Targets stay away from the Stirling mask's jump at y = 1.
    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func finiteDifferences(reduction: String, logInput: Bool) throws {
        let x = T([2, 3], [0.3, 1.2, 2.5, 0.7, 0.1, 0.4])
        let y = T([3], [0.2, 1.9, 3.1])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        for full in [false, true] {
            try checkGradientsByFiniteDifferences(
                makeCase(.poissonNLLLoss, options: ["reduction": .string(reduction), "log_input": .bool(logInput),
                                                    "full": .bool(full), "eps": .number(0.01)],
                         floats: ["input": x, "target": y, "grad_output": g]))
        }
    }
}
