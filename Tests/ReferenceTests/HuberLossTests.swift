import Testing
@testable import LossSpec
@testable import Reference

@Suite struct HuberLossTests {
    let x = T([2, 2], [0.5, 1, 2, -1])
    let y = T([2, 2], [0, 1, 1, 1])  // d = [0.5, 0, 1, −2]

    @Test func valuesByHand() throws {
        // δ = 1: [½·0.25, 0, 1·(1 − ½) (linear branch at z = δ), 1·(2 − ½)] = [0.125, 0, 0.5, 1.5]
        #expect(try Reference.huberLoss(input: x, target: y, reduction: .none).output?.scalars == [0.125, 0, 0.5, 1.5])
        #expect(try Reference.huberLoss(input: x, target: y, reduction: .sum).output?.scalars == [2.125])
        #expect(try Reference.huberLoss(input: x, target: y, reduction: .mean).output?.scalars == [0.53125])
        // δ = 0.5: [0.5·(0.5 − 0.25), 0, 0.5·(1 − 0.25), 0.5·(2 − 0.25)] = [0.125, 0, 0.375, 0.875]
        #expect(try Reference.huberLoss(input: x, target: y, reduction: .none, delta: 0.5).output?.scalars
                == [0.125, 0, 0.375, 0.875])
        // δ = 4: all quadratic, ½d² = [0.125, 0, 0.5, 2]
        #expect(try Reference.huberLoss(input: x, target: y, reduction: .none, delta: 4).output?.scalars
                == [0.125, 0, 0.5, 2])
    }

    @Test func gradientIsContinuousAtDelta() throws {
        // δ = 1, 'sum', g = 1: d inside → d, |d| ≥ δ → δ·sgn(d): [0.5, 0, 1, −1]
        let r = try Reference.huberLoss(input: x, target: y, reduction: .sum, gradOutput: T([], [1]))
        #expect(r.outputs["grad_input"]?.scalars == [0.5, 0, 1, -1])
        #expect(r.outputs["grad_target"]?.scalars == [-0.5, 0, -1, 1])
        // δ = 0.5 exactly at d = 0.5 → 0.5; d = 1 → 0.5; d = −2 → −0.5
        let h = try Reference.huberLoss(input: x, target: y, reduction: .sum, delta: 0.5, gradOutput: T([], [1]))
        #expect(h.outputs["grad_input"]?.scalars == [0.5, 0, 0.5, -0.5])
    }

    @Test func weightedMeanDividesByNumelNotWeightSum() throws {
        let w = T([2, 2], [1, 2, 3, 4])
        // Σ w·l = 0.125 + 0 + 1.5 + 6 = 7.625; numel = 4 → 1.90625 (÷Σw would give 0.7625)
        let r = try Reference.huberLoss(input: x, target: y, weight: w, reduction: .mean, gradOutput: T([], [4]))
        #expect(r.output?.scalars == [1.90625])
        // g/numel = 1: ∂/∂x = w·l'(d) = [0.5, 0, 3, −4]; ∂/∂w = l
        #expect(r.outputs["grad_input"]?.scalars == [0.5, 0, 3, -4])
        #expect(r.outputs["grad_weight"]?.scalars == [0.125, 0, 0.5, 1.5])
    }

    @Test func specialValues() throws {
        // d = [NaN, inf, −inf]: loss [NaN, inf, inf], gradient [NaN, δ, −δ]
        let r = try Reference.huberLoss(input: T([3], [.nan, .infinity, -.infinity]), target: T([3], [0, 0, 0]),
                                        reduction: .none, delta: 2, gradOutput: T([3], [1, 1, 1]))
        expectClose(r.output?.scalars, [.nan, .infinity, .infinity])
        expectClose(r.outputs["grad_input"]?.scalars, [.nan, 2, -2])
    }

    @Test func zeroDimBroadcastAndEmpty() throws {
        // 0-dim input against target [0, 3]: d = [1, −2] → [0.5, 1.5]
        let r = try Reference.huberLoss(input: T([], [1]), target: T([2], [0, 3]), reduction: .sum,
                                        gradOutput: T([], [1]))
        #expect(r.output?.scalars == [2])
        #expect(r.outputs["grad_input"]?.scalars == [0])  // 1 + (−1)
        #expect(r.outputs["grad_input"]?.shape == [])
        let e = T([2, 0], [])
        #expect(try Reference.huberLoss(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.huberLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
    }

    @Test(arguments: [0.0, -1.0, Double.nan])
    func nonPositiveDeltaIsRejected(delta: Double) {
        expectError(makeCase(.huberLoss, options: ["delta": .number(delta)], floats: ["input": x, "target": y]),
                    .invalidOption, argument: "delta")
    }

    @Test func errors() {
        expectError(makeCase(.huberLoss, floats: ["input": x, "target": T([3], [1, 2, 3])]), .shapeMismatch)
        expectError(makeCase(.huberLoss, floats: ["input": x, "target": y, "weight": T([1, 2], [1, 1])]),
                    .shapeMismatch, argument: "weight")
        expectError(makeCase(.huberLoss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": x, "target": y, "weight": x]), .invalidReduction)
        expectError(makeCase(.huberLoss, options: ["reduction": .string("avg")], floats: ["input": x, "target": y]),
                    .invalidReduction, argument: "reduction")
    }

    /// Points keep |d| away from δ ∈ {0.3, 1, 2.5} by more than the finite-difference step.
    @Test(arguments: ["none", "mean", "sum"], [0.3, 1.0, 2.5])
    func finiteDifferences(reduction: String, delta: Double) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.15, -0.4])
        let y = T([3], [0.2, 0.9, -1.1])
        let w = T([2, 3], [0.5, 1.5, 2, 0.25, 1, 3])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        for weight in [w, nil] {
            var floats = ["input": x, "target": y, "grad_output": g]
            floats["weight"] = weight
            try checkGradientsByFiniteDifferences(
                makeCase(.huberLoss, options: ["reduction": .string(reduction), "delta": .number(delta)], floats: floats))
        }
    }
}
