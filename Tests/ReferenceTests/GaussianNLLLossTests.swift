import Foundation
import Testing
@testable import LossSpec
@testable import Reference

@Suite struct GaussianNLLLossTests {
    // d = x − y = [1, 1]
    let x = T([2], [1, 2])
    let y = T([2], [0, 1])
    let v = T([2], [1, 4])

    @Test func valuesByHand() throws {
        // l = ½(log v + d²/v) = [½(0 + 1), ½(log 4 + ¼)] = [0.5, log 2 + 0.125]
        let l = [0.5, log(2) + 0.125]
        expectClose(try Reference.gaussianNLLLoss(input: x, target: y, variance: v, reduction: .none).output?.scalars, l)
        expectClose(try Reference.gaussianNLLLoss(input: x, target: y, variance: v).output?.scalars,
                    [(0.625 + log(2)) / 2])
        // full adds ½ log 2π to every element
        let c = 0.5 * log(2 * Double.pi)
        expectClose(try Reference.gaussianNLLLoss(input: x, target: y, variance: v, full: true, reduction: .sum)
                        .output?.scalars, [0.625 + log(2) + 2 * c])
    }

    @Test func gradientsByHand() throws {
        // 'sum', g = 1: ∂/∂x = d/v = [1, ¼]; ∂/∂y = −d/v; ∂/∂var = ½(1/v − d²/v²) = [0, ½(¼ − 1/16)]
        let r = try Reference.gaussianNLLLoss(input: x, target: y, variance: v, reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.outputs["grad_input"]?.scalars, [1, 0.25])
        expectClose(r.outputs["grad_target"]?.scalars, [-1, -0.25])
        expectClose(r.outputs["grad_var"]?.scalars, [0, 0.09375])
    }

    @Test func clampIsInvisibleToAutograd() throws {
        // var = 0 and −0 with eps = 0.5 → v = 0.5: l = ½(log ½ + 1/½) = 1 − ½ log 2 and the var gradient is
        // evaluated at v = ½: ½(2 − 4) = −1 (not the 0 of a clamp that autograd could see)
        let r = try Reference.gaussianNLLLoss(input: T([2], [1, 1]), target: T([2], [0, 0]), variance: T([2], [0, -0.0]),
                                              eps: 0.5, reduction: .none, gradOutput: T([2], [1, 1]))
        expectClose(r.output?.scalars, [1 - 0.5 * log(2), 1 - 0.5 * log(2)])
        expectClose(r.outputs["grad_var"]?.scalars, [-1, -1])
        expectClose(r.outputs["grad_input"]?.scalars, [2, 2])
    }

    @Test func homoscedasticVarIsUnsqueezedAndItsGradientSummed() throws {
        // input (2, 2) = [[1, 2], [3, 4]], target 0, var (2) = [1, 2] per row:
        // row 0: ½(0 + 1), ½(0 + 4) = 0.5, 2; row 1: ½(log 2 + 9/2), ½(log 2 + 8) → Σ = 8.75 + log 2
        let xs = T([2, 2], [1, 2, 3, 4]), zero = T([2, 2], [0, 0, 0, 0])
        for varShape in [[2], [2, 1]] {
            let r = try Reference.gaussianNLLLoss(input: xs, target: zero, variance: T(varShape, [1, 2]), reduction: .sum,
                                                  gradOutput: T([], [1]))
            expectClose(r.output?.scalars, [8.75 + log(2)])
            // ∂/∂var row 0: ½(1 − 1) + ½(1 − 4) = −1.5; row 1: ½(½ − 9/4) + ½(½ − 4) = −2.625
            expectClose(r.outputs["grad_var"]?.scalars, [-1.5, -2.625])
            #expect(r.outputs["grad_var"]?.shape == varShape)
        }
        // var (1, 2): same rank, one mismatching dimension of size 1 → broadcast over rows:
        // ∂/∂var column 0: ½(1 − 1) + ½(1 − 9) = −4; column 1 (v = 2): ½(½ − 1) + ½(½ − 4) = −2
        let c = try Reference.gaussianNLLLoss(input: xs, target: zero, variance: T([1, 2], [1, 2]), reduction: .sum,
                                              gradOutput: T([], [1]))
        expectClose(c.outputs["grad_var"]?.scalars, [-4, -2])
        // 1-D input with a 0-dim var: input.shape[:-1] == [] → unsqueezed to (1)
        let s = try Reference.gaussianNLLLoss(input: x, target: y, variance: T([], [1]), reduction: .sum,
                                              gradOutput: T([], [1]))
        expectClose(s.output?.scalars, [1])  // ½(0 + 1) twice
        #expect(s.outputs["grad_var"]?.shape == [])
        expectClose(s.outputs["grad_var"]?.scalars, [0])
    }

    @Test(arguments: [[3], [], [2, 2], [1, 1], [2, 3, 1], [3, 1], [1, 2]])
    func varOfIncorrectSize(varShape: [Int]) {
        // input (2, 3): none of these is (2, 3), (2) or (2, 3) with one dimension replaced by 1
        let n = varShape.reduce(1, *)
        expectError(makeCase(.gaussianNLLLoss, floats: ["input": T([2, 3], [1, 2, 3, 4, 5, 6]),
                                                        "target": T([2, 3], [1, 2, 3, 4, 5, 6]),
                                                        "var": T(varShape, Array(repeating: 1, count: n))]),
                    .shapeMismatch, argument: "var")
    }

    @Test func valueChecks() throws {
        expectError(makeCase(.gaussianNLLLoss, floats: ["input": x, "target": y, "var": T([2], [1, -0.5])]),
                    .invalidValue, argument: "var")
        // NaN passes the check and propagates
        let r = try Reference.gaussianNLLLoss(input: x, target: y, variance: T([2], [.nan, 1]), reduction: .none)
        expectClose(r.output?.scalars, [.nan, 0.5])
    }

    @Test func errors() {
        expectError(makeCase(.gaussianNLLLoss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": x, "target": y, "var": v]), .invalidReduction, argument: "reduction")
        expectError(makeCase(.gaussianNLLLoss, floats: ["input": x, "target": T([3], [1, 2, 3]), "var": v]),
                    .shapeMismatch)
        expectError(makeCase(.gaussianNLLLoss, floats: ["input": x, "target": y]), .invalidOption, argument: "var")
    }

    @Test func emptyAndTargetBroadcast() throws {
        let e = T([0, 2], [])
        #expect(try Reference.gaussianNLLLoss(input: e, target: e, variance: e).output?.scalars[0].isNaN == true)
        #expect(try Reference.gaussianNLLLoss(input: e, target: e, variance: T([0], []), reduction: .sum)
                    .output?.scalars == [0])
        // target (3, 2) enlarges the output; var = 1: l = ½d², d = [1, 2] − 0 per row → Σ = 3·(½ + 2)
        let r = try Reference.gaussianNLLLoss(input: T([2], [1, 2]), target: T([3, 2], [0, 0, 0, 0, 0, 0]),
                                              variance: T([2], [1, 1]), reduction: .sum, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [7.5])
        #expect(r.outputs["grad_input"]?.scalars == [3, 6])
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func finiteDifferences(reduction: String, full: Bool) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4])
        let y = T([3], [0.2, 0.9, -1.1])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        for v in [T([2, 3], [0.5, 1.5, 2, 0.25, 1, 3]), T([2], [0.7, 1.9]), T([2, 1], [0.7, 1.9]), T([1, 3], [0.4, 1, 2])] {
            try checkGradientsByFiniteDifferences(
                makeCase(.gaussianNLLLoss, options: ["reduction": .string(reduction), "full": .bool(full)],
                         floats: ["input": x, "target": y, "var": v, "grad_output": g]))
        }
    }
}
