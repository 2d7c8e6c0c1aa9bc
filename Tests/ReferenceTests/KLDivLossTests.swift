import Foundation
import Testing
@testable import LossSpec
@testable import Reference

@Suite struct KLDivLossTests {
    let x = T([3], [-1, -2, 0.5])
    let y = T([3], [0.5, 0, 2])

    @Test func valuesByHand() throws {
        // l = y(log y − x) = [0.5(log 0.5 + 1), 0 (0·log 0 = 0), 2(log 2 − 0.5)]
        let l: [Double] = [0.5 - 0.5 * log(2.0), 0, 2 * log(2.0) - 1]
        expectClose(try Reference.klDiv(input: x, target: y, reduction: .none).output?.scalars, l)
        let s = 1.5 * log(2) - 0.5
        expectClose(try Reference.klDiv(input: x, target: y, reduction: .sum).output?.scalars, [s])
        expectClose(try Reference.klDiv(input: x, target: y, reduction: .mean).output?.scalars, [s / 3])
        // unbatched 1-D: batchmean divides by size(0) = 3 too
        expectClose(try Reference.klDiv(input: x, target: y, reduction: .batchmean).output?.scalars, [s / 3])
    }

    @Test func gradientsByHandWithNaNTargetGradientAtZero() throws {
        // 'sum', g = 1: ∂/∂x = −y; ∂/∂y = log y + 1 − x = [log 0.5 + 2, NaN at y = 0, log 2 + 0.5]
        let r = try Reference.klDiv(input: x, target: y, reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.outputs["grad_input"]?.scalars, [-0.5, -0, -2])
        expectClose(r.outputs["grad_target"]?.scalars, [2 - log(2), .nan, log(2) + 0.5])
    }

    @Test func logTarget() throws {
        // y = log p = [0, log 2, −1], x = [−1, 1, 0]: l = eʸ(y − x) = [1, 2(log 2 − 1), −e⁻¹]
        let y = T([3], [0, log(2), -1]), x = T([3], [-1, 1, 0])
        let r = try Reference.klDiv(input: x, target: y, reduction: .none, logTarget: true,
                                    gradOutput: T([3], [1, 1, 1]))
        expectClose(r.output?.scalars, [1, 2 * (log(2) - 1), -exp(-1.0)], rtol: 1e-15)
        // ∂/∂x = −eʸ; ∂/∂y = eʸ(y − x + 1) = [2, 2 log 2, 0]
        expectClose(r.outputs["grad_input"]?.scalars, [-1, -2, -exp(-1.0)], rtol: 1e-15)
        expectClose(r.outputs["grad_target"]?.scalars, [2, 2 * log(2), 0], rtol: 1e-15, atol: 1e-16)
    }

    @Test func batchmeanDividesByTheInputsFirstSize() throws {
        // input (2, 2), target (2, 2): y(log y − x) with y = 1 (log 1 = 0) is −x; Σ = −(1+2+3+4) = −10; ÷ 2
        let ones = T([2, 2], [1, 1, 1, 1]), xs = T([2, 2], [1, 2, 3, 4])
        #expect(try Reference.klDiv(input: xs, target: ones, reduction: .batchmean).output?.scalars == [-5])
        // input (1, 2) broadcast against target (3, 2): Σ = 3·(−3) = −9, ÷ input.size(0) = 1
        let r = try Reference.klDiv(input: T([1, 2], [1, 2]), target: T([3, 2], [1, 1, 1, 1, 1, 1]),
                                    reduction: .batchmean, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [-9])
        // ∂/∂x summed over the 3 broadcast rows: −3 each
        #expect(r.outputs["grad_input"]?.scalars == [-3, -3])
        // 0-dim input: batchmean is the plain sum
        #expect(try Reference.klDiv(input: T([], [2]), target: T([], [1]), reduction: .batchmean).output?.scalars == [-2])
    }

    @Test func specialValues() throws {
        // y < 0 → NaN; y = 0 with x = −inf → 0·(−inf) = NaN; y = 0 with finite x → 0
        let r = try Reference.klDiv(input: T([3], [0, -.infinity, -.infinity]), target: T([3], [-1, 0, 1]),
                                    reduction: .none)
        expectClose(r.output?.scalars, [.nan, .nan, .infinity])
        // log_target with y = −inf → 0·(−inf) = NaN
        let l = try Reference.klDiv(input: T([1], [0]), target: T([1], [-.infinity]), reduction: .none, logTarget: true)
        #expect(l.output?.scalars[0].isNaN == true)
    }

    @Test func emptyAndElementwiseMean() throws {
        let e = T([0, 3], [])
        #expect(try Reference.klDiv(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.klDiv(input: e, target: e, reduction: .batchmean).output?.scalars[0].isNaN == true)
        #expect(try Reference.klDiv(input: e, target: e, reduction: .sum).output?.scalars == [0])
        // (2, 0): Σ = 0, batchmean 0/2 = 0
        let f = T([2, 0], [])
        #expect(try Reference.klDiv(input: f, target: f, reduction: .batchmean).output?.scalars == [0])
        let r = try Reference.evaluate(makeCase(.klDiv, options: ["reduction": .string("elementwise_mean")],
                                                floats: ["input": x, "target": y]))
        expectClose(r.output?.scalars, [(1.5 * log(2) - 0.5) / 3])
    }

    @Test func errors() {
        expectError(makeCase(.klDiv, floats: ["input": x, "target": T([2], [1, 1])]), .shapeMismatch)
        expectError(makeCase(.klDiv, options: ["reduction": .string("avg")], floats: ["input": x, "target": y]),
                    .invalidReduction, argument: "reduction")
        expectError(makeCase(.klDiv, floats: ["input": x], ints: ["target": I([3], [0, 1, 0])]),
                    .invalidValue, argument: "target")
    }

    @Test(arguments: ["none", "mean", "sum", "batchmean"], [false, true])
    func finiteDifferences(reduction: String, logTarget: Bool) throws {
        let x = T([2, 3], [-0.3, -1.2, -2.5, 0.7, -0.1, -0.4])
        let y = T([3], [0.2, 0.9, 1.3])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(
            makeCase(.klDiv, options: ["reduction": .string(reduction), "log_target": .bool(logTarget)],
                     floats: ["input": x, "target": y, "grad_output": g]))
    }
}
