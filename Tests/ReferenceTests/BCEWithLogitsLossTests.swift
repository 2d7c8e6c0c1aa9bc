import Foundation
import Testing
import LossSpec
@testable import Reference

@Suite struct BCEWithLogitsLossTests {
    @Test func valuesByHand() throws {
        // x = log 3 → σ(x) = 3/4, logσ(x) = log(3/4), logσ(−x) = log(1/4); x = 0 → logσ = −log 2.
        // y = 0.5: l = −0.5 log(3/4) − 0.5 log(1/4) = 0.5 log(16/3); y = 0: l = log 2.
        let x = T([2], [log(3), 0]), y = T([2], [0.5, 0])
        let none = try Reference.binaryCrossEntropyWithLogits(input: x, target: y, reduction: .none,
                                                              gradOutput: T([2], [1, 2]))
        expectClose(none.output?.scalars, [0.5 * log(16.0 / 3), log(2)], rtol: 1e-15)
        // ∂/∂x = σ(x) − y = [0.25, 0.5]·g; ∂/∂y = −x·g = [−log 3, 0].
        expectClose(none.outputs["grad_input"]?.scalars, [0.25, 1], rtol: 1e-15)
        expectClose(none.outputs["grad_target"]?.scalars, [-log(3), 0], rtol: 1e-15)
        let mean = try Reference.binaryCrossEntropyWithLogits(input: x, target: y, reduction: .mean)
        expectClose(mean.output?.scalars, [(0.5 * log(16.0 / 3) + log(2)) / 2], rtol: 1e-15)
        let sum = try Reference.binaryCrossEntropyWithLogits(input: x, target: y, reduction: .sum)
        expectClose(sum.output?.scalars, [0.5 * log(16.0 / 3) + log(2)], rtol: 1e-15)
    }

    @Test func posWeightAndWeightByHand() throws {
        // x = log 3, y = 0.5, pw = 2, w = 3:
        // l = 3·[−2·0.5·log(3/4) − 0.5·log(1/4)] = 3 log(4/3 · 2) = 3 log(8/3);
        // ∂/∂x = 3·[(1 + 0.5)·0.75 − 1] = 0.375;  ∂/∂y = 3·[log(1/4) − 2 log(3/4)] = 3 log(4/9).
        // pos_weight (1) and weight 0-dim both broadcast to the (1, 1) input.
        let r = try Reference.binaryCrossEntropyWithLogits(
            input: T([1, 1], [log(3)]), target: T([1, 1], [0.5]), weight: T([], [3]), posWeight: T([1], [2]),
            reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.output?.scalars, [3 * log(8.0 / 3)], rtol: 1e-14)
        expectClose(r.outputs["grad_input"]?.scalars, [0.375], rtol: 1e-14)
        expectClose(r.outputs["grad_target"]?.scalars, [3 * log(4.0 / 9)], rtol: 1e-14)
        #expect(r.outputs["grad_weight"] == nil && r.outputs["grad_pos_weight"] == nil)
    }

    @Test func stableForLargeLogits() throws {
        // l(−50, 0) = log1p(e^−50) ≈ e^−50 (the form (1 − y)x − logσ(x) would cancel to 0);
        // l(800, 0) = 800 + log1p(e^−800) = 800; l(−800, 1) = 800; l(800, 1) = log1p(e^−800) = 0 in doubles.
        let r = try Reference.binaryCrossEntropyWithLogits(
            input: T([4], [-50, 800, -800, 800]), target: T([4], [0, 0, 1, 1]), reduction: .none)
        expectClose(r.output?.scalars, [exp(-50), 800, 800, 0], rtol: 1e-14)
    }

    @Test func targetOutsideUnitIntervalIsUsedAsGiven() throws {
        // x = 0, y = 2: l = −2 logσ(0) − (1 − 2) logσ(0) = log 2; ∂/∂x = σ(0) − 2 = −1.5.
        let r = try Reference.binaryCrossEntropyWithLogits(input: T([1], [0]), target: T([1], [2]),
                                                           reduction: .none, gradOutput: T([1], [1]))
        expectClose(r.output?.scalars, [log(2)], rtol: 1e-15)
        expectClose(r.outputs["grad_input"]?.scalars, [-1.5], rtol: 1e-15)
    }

    @Test func emptyAndZeroDim() throws {
        let e = T([0, 2], [])
        #expect(try Reference.binaryCrossEntropyWithLogits(input: e, target: e, posWeight: T([2], [1, 2]))
                    .output?.scalars[0].isNaN == true)
        #expect(try Reference.binaryCrossEntropyWithLogits(input: e, target: e, reduction: .sum).output?.scalars == [0])
        let s = try Reference.binaryCrossEntropyWithLogits(input: T([], [0]), target: T([], [1]), reduction: .none)
        #expect(s.output?.shape == [])
        expectClose(s.output?.scalars, [log(2)], rtol: 1e-15)
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func finiteDifferences(reduction: String, weighted: Bool) throws {
        let base: [String: Tensor<Double>] = [
            "input": T([2, 3], [0.3, -2.2, 4.5, -0.7, 1.1, -6]),
            "target": T([2, 3], [0.2, 1, 0, 0.5, 1.3, -0.2]),
            "grad_output": reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])]
        var withPosWeight = base
        withPosWeight["pos_weight"] = T([3], [0.5, 2.5, 1])
        if weighted { withPosWeight["weight"] = T([2, 1], [1.5, -0.5]) }
        for floats in [base, withPosWeight] {
            try checkGradientsByFiniteDifferences(
                makeCase(.binaryCrossEntropyWithLogits, options: ["reduction": .string(reduction)], floats: floats))
        }
    }

    @Test func errors() {
        let x = T([2], [0, 1])
        func c(_ extra: [String: Tensor<Double>], target: Tensor<Double>? = nil) -> LossCase {
            makeCase(.binaryCrossEntropyWithLogits, floats: extra.merging(["input": x, "target": target ?? x]) { a, _ in a })
        }
        expectError(c([:], target: T([1, 2], [0, 1])), .shapeMismatch, argument: "target")
        expectError(c(["pos_weight": T([2, 2], [1, 1, 1, 1])]), .shapeMismatch, argument: "pos_weight")
        expectError(c(["pos_weight": T([3], [1, 1, 1])]), .shapeMismatch, argument: "pos_weight")
        expectError(c(["weight": T([3, 2], [1, 1, 1, 1, 1, 1])]), .shapeMismatch, argument: "weight")
        expectError(makeCase(.binaryCrossEntropyWithLogits, floats: ["input": x], ints: ["target": I([2], [0, 1])]),
                    .invalidValue, argument: "target")
        expectError(makeCase(.binaryCrossEntropyWithLogits, options: ["reduction": .string("batchmean")],
                             floats: ["input": x, "target": x]), .invalidReduction, argument: "reduction")
    }
}
