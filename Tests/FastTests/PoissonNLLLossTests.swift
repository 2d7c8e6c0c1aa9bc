import Testing
import LossSpec
@testable import Fast

@Suite struct FastPoissonNLLLossTests {
    typealias Check = LikelihoodCheck

    static func makeCase(_ rng: inout Check.RNG, x: [Int], y: [Int], logInput: Bool, full: Bool,
                         reduction: String, eps: Double = 1e-8) -> LossCase {
        let input = logInput ? rng.tensor(x, -4, 4) : rng.tensor(x, 0, 5)
        // Counts spanning the Stirling mask (y ≤ 1) and beyond.
        return LossCase(loss: .poissonNLLLoss,
                        options: ["log_input": .bool(logInput), "full": .bool(full), "eps": .number(eps),
                                  "reduction": .string(reduction)],
                        inputs: ["input": input, "target": rng.tensor(y, 0, 9)])
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func agreesWithReference(reduction: String, full: Bool) throws {
        var rng = Check.RNG(state: 11)
        for logInput in [true, false] {
            for (x, y) in [([37], [37]), ([3, 5, 7], [3, 5, 7]), ([], []), ([4, 1], [3]), ([2, 9], [9]), ([0, 3], [0, 3])] {
                let c = Self.makeCase(&rng, x: x, y: y, logInput: logInput, full: full, reduction: reduction)
                try Check.expectAgreement(c)
                try Check.expectAgreement(Check.withGradOutput(c, &rng))
            }
            for eps in [0, 1e-3, 0.5] {
                let c = Self.makeCase(&rng, x: [19], y: [19], logInput: logInput, full: full, reduction: reduction, eps: eps)
                try Check.expectAgreement(Check.withGradOutput(c, &rng))
            }
        }
    }

    @Test func stirlingMaskAndNaNTargetGradient() throws {
        var rng = Check.RNG(state: 3)
        let ys: [Double] = [0, 0.5, 1, Double(Float(1).nextUp), 2, -1, .nan, .infinity]
        for logInput in [true, false] {
            let c = LossCase(loss: .poissonNLLLoss,
                             options: ["log_input": .bool(logInput), "full": .bool(true), "reduction": .string("none")],
                             inputs: ["input": .float64(Tensor(shape: [8], scalars: [0.5, 1, 2, 0.25, 3, 1, 1, 1])),
                                      "target": .float64(Tensor(shape: [8], scalars: ys))])
            try Check.expectAgreement(Check.withGradOutput(c, &rng))
        }
    }

    @Test(arguments: ["none", "mean", "sum"])
    func threadsAgree(reduction: String) throws {
        var rng = Check.RNG(state: 5)
        for logInput in [true, false] {
            let n = 3 * Parallel.elementChunk + 77
            let c = Self.makeCase(&rng, x: [n], y: [n], logInput: logInput, full: true, reduction: reduction)
            try Check.expectThreadIndependence(c, withGradients: &rng)
        }
    }

    @Test func errors() {
        var rng = Check.RNG(state: 9)
        let x = rng.tensor([3, 4], 0, 1), y = rng.tensor([3, 4], 0, 3)
        Check.expectSameError(LossCase(loss: .poissonNLLLoss, options: ["reduction": .string("elementwise_mean")],
                                       inputs: ["input": x, "target": y]), .invalidReduction)
        Check.expectSameError(LossCase(loss: .poissonNLLLoss, options: ["reduction": .string("batchmean")],
                                       inputs: ["input": x, "target": y]), .invalidReduction)
        Check.expectSameError(LossCase(loss: .poissonNLLLoss, inputs: ["input": x, "target": rng.tensor([3, 5], 0, 1)]),
                              .shapeMismatch)
        Check.expectSameError(LossCase(loss: .poissonNLLLoss, options: ["reduction": .string("none")],
                                       inputs: ["input": x, "target": y,
                                                "grad_output": rng.tensor([3], 0, 1)]), .shapeMismatch)
    }
}
