import Testing
import LossSpec
@testable import Fast

@Suite struct FastMarginRankingLossTests {
    typealias Check = MarginLossCheck

    @Test func randomCasesMatchReference() throws {
        var rng = MarginTestRNG(10)
        let shapes: [([Int], [Int], [Int])] = [([], [], []), ([37], [37], [37]), ([4, 33], [4, 33], [4, 33]),
                                                ([5, 2], [5, 1], [1, 2]), ([3, 1, 17], [1, 2, 1], [3, 2, 17])]
        for reduction in Check.reductions {
            for margin in [0, 0.5, Double(Float(-3.14)), 7] {
                for (s1, s2, sy) in shapes {
                    let c = LossCase(loss: .marginRankingLoss, options: Check.options(reduction, margin),
                                     inputs: ["input1": rng.values(s1), "input2": rng.values(s2),
                                              "target": rng.labels(sy, [1, -1, 0, 2])])
                    try Check.compare(rng.withGradOutput(c), budget: 32)
                    try Check.compare(c, budget: 32)
                }
            }
        }
    }

    @Test func kinkAndNonFinite() throws {
        // z = 0 exactly in the first element (slope 0), NaN and inf in the others.
        let c = LossCase(loss: .marginRankingLoss, options: Check.options("none", 0.5),
                         inputs: ["input1": .float64(Tensor(shape: [4], scalars: [1.5, .nan, .infinity, .infinity])),
                                  "input2": .float64(Tensor(shape: [4], scalars: [1, 0, .infinity, 0])),
                                  "target": .float64(Tensor(shape: [4], scalars: [1, 1, 1, .nan])),
                                  "grad_output": .float64(Tensor(shape: [4], scalars: [1, 1, 1, 1]))])
        try Check.compare(c, budget: 32)
        let r = try Fast.evaluate(c)
        #expect(r.outputs["grad_input1"]?.scalars.first == 0)
    }

    @Test func threadsAreBitIdentical() throws {
        var rng = MarginTestRNG(11)
        for reduction in Check.reductions {
            let n = 3 * Parallel.elementChunk + 123
            let c = LossCase(loss: .marginRankingLoss, options: Check.options(reduction, 0.25),
                             inputs: ["input1": rng.values([n]), "input2": rng.values([n]), "target": rng.labels([n])])
            try Check.expectDeterministicAndAccurate(c, budget: 32, &rng)
        }
    }

    @Test func errorsMatchReference() {
        var rng = MarginTestRNG(12)
        let bad: [([Int], [Int], [Int], [String: JSONValue])] = [
            ([1, 2], [2], [1, 2], [:]), ([4], [4], [], [:]), ([5, 2], [5, 3], [5, 1], [:]),
            ([3], [3], [3], ["reduction": .string("avg")]),
        ]
        for (s1, s2, sy, options) in bad {
            let c = LossCase(loss: .marginRankingLoss, options: options,
                             inputs: ["input1": rng.values(s1), "input2": rng.values(s2), "target": rng.labels(sy)])
            Check.expectSameError(c, options.isEmpty ? .shapeMismatch : .invalidReduction)
        }
        let c = LossCase(loss: .marginRankingLoss, options: Check.options("none", 0),
                         inputs: ["input1": rng.values([3]), "input2": rng.values([3]), "target": rng.labels([3]),
                                  "grad_output": rng.values([2])])
        Check.expectSameError(c, .shapeMismatch)
    }
}
