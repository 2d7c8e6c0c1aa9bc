import Testing
@testable import LossSpec
@testable import Reference

@Suite struct L1LossTests {
    let x = T([2, 2], [0.5, 1, 2, -1])
    let y = T([2, 2], [0, 1, 1, 1])

    @Test func valuesByHand() throws {
        // d = [0.5, 0, 1, −2], |d| = [0.5, 0, 1, 2]: Σ = 3.5, mean = 3.5/4 = 0.875
        #expect(try Reference.l1Loss(input: x, target: y, reduction: .none).output?.scalars == [0.5, 0, 1, 2])
        #expect(try Reference.l1Loss(input: x, target: y, reduction: .sum).output?.scalars == [3.5])
        #expect(try Reference.l1Loss(input: x, target: y, reduction: .mean).output?.scalars == [0.875])
    }

    @Test func gradientIsSignWithZeroAtTheKink() throws {
        // sgn(d) = [1, 0, 1, −1]; 'mean' with g = 2 → 2/4 · sgn(d)
        let r = try Reference.l1Loss(input: x, target: y, reduction: .mean, gradOutput: T([], [2]))
        #expect(r.outputs["grad_input"]?.scalars == [0.5, 0, 0.5, -0.5])
        #expect(r.outputs["grad_target"]?.scalars == [-0.5, 0, -0.5, 0.5])
    }

    @Test func nanDifferenceHasNaNLossButZeroGradient() throws {
        // PyTorch's sgn is (0 < d) − (d < 0): 0 for NaN.
        let r = try Reference.l1Loss(input: T([2], [.nan, 3]), target: T([2], [0, 1]), reduction: .none,
                                     gradOutput: T([2], [1, 1]))
        expectClose(r.output?.scalars, [.nan, 2])
        #expect(r.outputs["grad_input"]?.scalars == [0, 1])
    }

    @Test func weightedMeanDividesByWeightSum() throws {
        let w = T([2, 2], [1, 2, 3, 4])
        // S = Σ w|d| = 0.5 + 0 + 3 + 8 = 11.5, W = 10 → 1.15
        let r = try Reference.l1Loss(input: x, target: y, weight: w, reduction: .mean, gradOutput: T([], [2]))
        expectClose(r.output?.scalars, [1.15])
        // ∂/∂x = g·w·sgn(d)/W = 2·[1, 0, 3, −4]/10
        expectClose(r.outputs["grad_input"]?.scalars, [0.2, 0, 0.6, -0.8])
        // ∂/∂w = g·(|d|/W − S/W²) = 2·([0.05, 0, 0.1, 0.2] − 0.115)
        expectClose(r.outputs["grad_weight"]?.scalars, [-0.13, -0.23, -0.03, 0.17], rtol: 1e-14, atol: 1e-16)
    }

    @Test func weightedSumAndNone() throws {
        let w = T([2, 2], [1, 2, 3, 4])
        // w|d| = [0.5, 0, 3, 8]
        #expect(try Reference.l1Loss(input: x, target: y, weight: w, reduction: .none).output?.scalars == [0.5, 0, 3, 8])
        let r = try Reference.l1Loss(input: x, target: y, weight: w, reduction: .sum, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [11.5])
        #expect(r.outputs["grad_weight"]?.scalars == [0.5, 0, 1, 2])
    }

    @Test func broadcastTargetSumsGradientBack() throws {
        // target [0, 1] broadcast over rows: d = [0.5, 0, 2, −2]; Σ|d| = 4.5
        let r = try Reference.l1Loss(input: x, target: T([2], [0, 1]), reduction: .sum, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [4.5])
        // grad_target = −sgn(d) summed over rows: [−(1 + 1), −(0 − 1)]
        #expect(r.outputs["grad_target"]?.scalars == [-2, 1])
        #expect(r.outputs["grad_target"]?.shape == [2])
    }

    @Test func zeroDimAndEmpty() throws {
        let r = try Reference.l1Loss(input: T([], [-1.5]), target: T([], [2]), reduction: .mean, gradOutput: T([], [1]))
        #expect(r.output?.scalars == [3.5])
        #expect(r.outputs["grad_input"]?.scalars == [-1])
        let e = T([0, 3], [])
        #expect(try Reference.l1Loss(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.l1Loss(input: e, target: e, reduction: .sum).output?.scalars == [0])
        #expect(try Reference.l1Loss(input: e, target: e, reduction: .none).output?.shape == [0, 3])
    }

    @Test func errors() {
        let a = T([2, 3], [1, 2, 3, 4, 5, 6])
        expectError(makeCase(.l1Loss, floats: ["input": a, "target": T([4], [1, 2, 3, 4])]), .shapeMismatch)
        expectError(makeCase(.l1Loss, floats: ["input": a, "target": a, "weight": T([3], [1, 1, 1])]),
                    .shapeMismatch, argument: "weight")
        expectError(makeCase(.l1Loss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": a, "target": a, "weight": a]), .invalidReduction, argument: "reduction")
        expectError(makeCase(.l1Loss, options: ["reduction": .string("batchmean")], floats: ["input": a, "target": a]),
                    .invalidReduction, argument: "reduction")
        expectError(makeCase(.l1Loss, options: ["reduction": .string("none")],
                             floats: ["input": a, "target": a, "grad_output": T([], [1])]),
                    .shapeMismatch, argument: "grad_output")
        expectError(makeCase(.l1Loss, floats: ["input": a], ints: ["target": I([2, 3], [1, 2, 3, 4, 5, 6])]),
                    .invalidValue, argument: "target")
    }

    @Test(arguments: ["none", "mean", "sum", "elementwise_mean"])
    func finiteDifferences(reduction: String) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4])
        let y = T([3], [0.2, 0.9, -1.1])
        let w = T([2, 3], [0.5, 1.5, 2, 0.25, 1, 3])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        if reduction != "elementwise_mean" {
            try checkGradientsByFiniteDifferences(
                makeCase(.l1Loss, options: ["reduction": .string(reduction)],
                         floats: ["input": x, "target": y, "weight": w, "grad_output": g]))
        }
        try checkGradientsByFiniteDifferences(
            makeCase(.l1Loss, options: ["reduction": .string(reduction)],
                     floats: ["input": x, "target": y, "grad_output": g]))
    }

    @Test func scalesBoundTheValues() throws {
        let r = try Reference.l1Loss(input: x, target: y, weight: T([2, 2], [1, -2, 3, 4]), reduction: .mean,
                                     gradOutput: T([], [1]))
        for role in ["output", "grad_input", "grad_target", "grad_weight"] {
            let v = try #require(r.outputs[role]), s = try #require(r.scales[role])
            #expect(v.shape == s.shape)
            for (a, b) in zip(v.scalars, s.scalars) { #expect(b >= abs(a), "\(role)") }
        }
    }
}
