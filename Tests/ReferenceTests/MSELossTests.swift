import Testing
@testable import LossSpec
@testable import Reference

@Suite struct MSELossTests {
    let x = Tensor<Double>(shape: [2, 2], scalars: [0.5, 1, 2, -1])
    let y = Tensor<Double>(shape: [2, 2], scalars: [0, 1, 1, 1])

    @Test func valuesByHand() throws {
        // d = [0.5, 0, 1, -2], d² = [0.25, 0, 1, 4]
        #expect(try Reference.mseLoss(input: x, target: y, reduction: .none).output?.scalars == [0.25, 0, 1, 4])
        #expect(try Reference.mseLoss(input: x, target: y, reduction: .sum).output?.scalars == [5.25])
        #expect(try Reference.mseLoss(input: x, target: y, reduction: .mean).output?.scalars == [1.3125])
    }

    @Test func weightedMeanDividesByWeightSum() throws {
        let w = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        // Σ w d² = 0.25 + 0 + 3 + 16 = 19.25; Σ w = 10.
        let r = try Reference.mseLoss(input: x, target: y, weight: w, reduction: .mean,
                                      gradOutput: Tensor(scalar: 2))
        #expect(r.output?.scalars == [1.925])
        // ∂/∂x = 2 w d g / W = [0.2, 0, 1.2, -3.2]
        let gx = try #require(r.outputs["grad_input"]?.scalars)
        for (g, e) in zip(gx, [0.2, 0, 1.2, -3.2]) { #expect(abs(g - e) <= 1e-15 * abs(e)) }
        // ∂/∂w_j = g (d_j²/W − S/W²) = 2 (d²/10 − 0.1925)
        let gw = try #require(r.outputs["grad_weight"]?.scalars)
        for (g, d2) in zip(gw, [0.25, 0, 1, 4]) { #expect(abs(g - 2 * (d2 / 10 - 0.1925)) < 1e-15) }
    }

    @Test func broadcastTargetSumsGradientBack() throws {
        let t = Tensor<Double>(shape: [2], scalars: [0, 1])
        let r = try Reference.mseLoss(input: x, target: t, reduction: .sum, gradOutput: Tensor(scalar: 1))
        // d = [0.5, 0, 2, -2]; grad_target = −2d summed over rows: [−2(0.5+2), −2(0−2)]
        #expect(r.outputs["grad_target"]?.scalars == [-5, 4])
        #expect(r.outputs["grad_target"]?.shape == [2])
    }

    @Test func emptyMeanIsNaNAndSumIsZero() throws {
        let e = Tensor<Double>(shape: [0, 3], scalars: [])
        #expect(try Reference.mseLoss(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.mseLoss(input: e, target: e, reduction: .sum).output?.scalars == [0])
        #expect(try Reference.mseLoss(input: e, target: e, reduction: .none).output?.shape == [0, 3])
    }

    @Test func errors() {
        #expect { try Reference.mseLoss(input: x, target: Tensor(shape: [3], scalars: [1, 2, 3])) } throws: {
            ($0 as? LossError)?.kind == .shapeMismatch
        }
        #expect { try Reference.mseLoss(input: x, target: y, weight: Tensor(shape: [2], scalars: [1, 1])) } throws: {
            ($0 as? LossError)?.kind == .shapeMismatch && ($0 as? LossError)?.argument == "weight"
        }
        #expect {
            try Reference.mseLoss(input: x, target: y, reduction: .none, gradOutput: Tensor(scalar: 1))
        } throws: { ($0 as? LossError)?.argument == "grad_output" }
    }
}

@Suite struct MSEGradientTests {
    @Test(arguments: ["none", "mean", "sum"])
    func finiteDifferences(reduction: String) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4])
        let y = T([3], [0.2, 0.9, -1.1])
        let w = T([2, 3], [0.5, 1.5, 2, 0.25, 1, 3])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(
            makeCase(.mseLoss, options: ["reduction": .string(reduction)],
                     floats: ["input": x, "target": y, "weight": w, "grad_output": g]))
        try checkGradientsByFiniteDifferences(
            makeCase(.mseLoss, options: ["reduction": .string(reduction)],
                     floats: ["input": x, "target": y, "grad_output": g]))
    }

    @Test func weightedElementwiseMeanIsRejected() {
        expectError(makeCase(.mseLoss, options: ["reduction": .string("elementwise_mean")],
                             floats: ["input": T([1], [1]), "target": T([1], [2]), "weight": T([1], [1])]),
                    .invalidReduction, argument: "reduction")
    }
}
