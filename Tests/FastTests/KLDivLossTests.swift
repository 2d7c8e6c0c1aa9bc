import Testing
import LossSpec
@testable import Fast

@Suite struct FastKLDivLossTests {
    typealias Check = LikelihoodCheck

    static func makeCase(_ rng: inout Check.RNG, x: [Int], y: [Int], logTarget: Bool, reduction: String) -> LossCase {
        // Probabilities with some exact zeros (xlogy), or log-probabilities.
        var target = logTarget ? rng.tensor(y, -6, 1) : rng.tensor(y, 0, 1)
        if !logTarget, case .float64(var t) = target {
            for i in t.scalars.indices where rng.next() % 8 == 0 { t.scalars[i] = 0 }
            target = .float64(t)
        }
        return LossCase(loss: .klDiv, options: ["log_target": .bool(logTarget), "reduction": .string(reduction)],
                        inputs: ["input": rng.tensor(x, -6, 0.5), "target": target])
    }

    @Test(arguments: ["none", "mean", "sum", "batchmean"], [false, true])
    func agreesWithReference(reduction: String, logTarget: Bool) throws {
        var rng = Check.RNG(state: 31)
        for (x, y) in [([37], [37]), ([3, 5, 7], [3, 5, 7]), ([], []), ([1, 6], [4, 6]), ([4, 6], [6]),
                       ([3, 1], [2, 1, 5]), ([0, 3], [0, 3]), ([2, 0], [2, 0])] {
            let c = Self.makeCase(&rng, x: x, y: y, logTarget: logTarget, reduction: reduction)
            try Check.expectAgreement(c)
            try Check.expectAgreement(Check.withGradOutput(c, &rng))
        }
    }

    @Test func specialValues() throws {
        var rng = Check.RNG(state: 2)
        for logTarget in [false, true] {
            let c = LossCase(loss: .klDiv, options: ["log_target": .bool(logTarget), "reduction": .string("none")], inputs: [
                "input": .float64(Tensor(shape: [8], scalars: [-1, 0, -.infinity, -.infinity, .nan, -1, .infinity, -2])),
                "target": .float64(Tensor(shape: [8], scalars: [0, -0.5, 0, 0.5, 0.5, .nan, 0.25, -.infinity])),
            ])
            try Check.expectAgreement(Check.withGradOutput(c, &rng))
        }
    }

    @Test(arguments: ["none", "mean", "sum", "batchmean"])
    func threadsAgree(reduction: String) throws {
        var rng = Check.RNG(state: 7)
        for logTarget in [false, true] {
            let c = Self.makeCase(&rng, x: [3, Parallel.elementChunk + 29], y: [3, Parallel.elementChunk + 29],
                                  logTarget: logTarget, reduction: reduction)
            try Check.expectThreadIndependence(c, withGradients: &rng)
        }
    }

    @Test func errors() {
        var rng = Check.RNG(state: 1)
        let x = rng.tensor([3, 4], -3, 0), y = rng.tensor([3, 4], 0, 1)
        for bad in ["avg", "", "elementwise_sum"] {
            Check.expectSameError(LossCase(loss: .klDiv, options: ["reduction": .string(bad)],
                                           inputs: ["input": x, "target": y]), .invalidReduction)
        }
        Check.expectSameError(LossCase(loss: .klDiv, inputs: ["input": x, "target": rng.tensor([4, 3], 0, 1)]),
                              .shapeMismatch)
        Check.expectSameError(LossCase(loss: .klDiv, inputs: ["input": x, "target": .int64(Tensor(shape: [3, 4],
                                       scalars: Array(repeating: 0, count: 12)))]), .invalidValue)
        Check.expectSameError(LossCase(loss: .klDiv, options: ["reduction": .string("batchmean")],
                                       inputs: ["input": x, "target": y, "grad_output": rng.tensor([3], 0, 1)]),
                              .shapeMismatch)
    }
}
