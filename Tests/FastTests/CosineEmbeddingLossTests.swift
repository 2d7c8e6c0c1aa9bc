import Testing
import LossSpec
@testable import Fast

@Suite struct FastCosineEmbeddingLossTests {
    typealias Check = MarginLossCheck

    @Test func randomCasesMatchReference() throws {
        var rng = MarginTestRNG(30)
        let shapes: [([Int], [Int], [Int])] = [
            ([5], [5], []), ([6, 1], [6, 1], [6]), ([4, 15], [4, 15], [4]), ([3, 64], [3, 64], [3]),
            ([2, 97], [2, 97], [2]), ([5, 6], [1, 6], [5]), ([5, 1], [5, 6], [1]), ([1, 3], [1, 3], [4]),
        ]
        for reduction in Check.reductions {
            for margin in [0, 0.5, Double(Float(-0.7))] {
                for (s1, s2, sy) in shapes {
                    let c = LossCase(loss: .cosineEmbeddingLoss, options: Check.options(reduction, margin),
                                     inputs: ["input1": rng.values(s1), "input2": rng.values(s2),
                                              "target": rng.labels(sy, [1, -1, 0])])
                    try Check.compare(rng.withGradOutput(c), budget: 64)
                    try Check.compare(c, budget: 64)
                }
            }
        }
    }

    @Test func zeroVectorsAndEmpty() throws {
        let c = LossCase(loss: .cosineEmbeddingLoss, options: Check.options("none", -0.5),
                         inputs: ["input1": .float64(Tensor(shape: [3, 2], scalars: [0, 0, 1, 2, 0, 0])),
                                  "input2": .float64(Tensor(shape: [3, 2], scalars: [3, -1, 0, 0, 0, 0])),
                                  "target": .float64(Tensor(shape: [3], scalars: [1, -1, -1])),
                                  "grad_output": .float64(Tensor(shape: [3], scalars: [1, 1, 1]))])
        try Check.compare(c, budget: 64)
        // The zero row's gradient is ~1e6 · other / |other|.
        #expect(abs(try Fast.evaluate(c).outputs["grad_input1"]?.scalars[0] ?? 0) > 1e5)
        for (shape, target) in [([0, 3], [0]), ([3, 0], [3])] {
            for reduction in Check.reductions {
                let e = LossCase(loss: .cosineEmbeddingLoss, options: Check.options(reduction, 0.5),
                                 inputs: ["input1": .float64(Tensor(shape: shape, scalars: [])),
                                          "input2": .float64(Tensor(shape: shape, scalars: [])),
                                          "target": .float64(Tensor(shape: target, scalars: [Double](repeating: -1, count: target[0])))])
                var rng = MarginTestRNG(31)
                try Check.compare(rng.withGradOutput(e), budget: 64)
            }
        }
    }

    @Test func threadsAreBitIdentical() throws {
        var rng = MarginTestRNG(32)
        for (rows, d) in [(2100, 64), (3100, 7)] {
            for reduction in Check.reductions {
                let c = LossCase(loss: .cosineEmbeddingLoss, options: Check.options(reduction, 0.1),
                                 inputs: ["input1": rng.values([rows, d]), "input2": rng.values([rows, d]),
                                          "target": rng.labels([rows], [1, -1, 0])])
                try Check.expectDeterministicAndAccurate(c, budget: 64, &rng)
            }
        }
    }

    @Test func errorsMatchReference() {
        var rng = MarginTestRNG(33)
        let bad: [([Int], [Int], [Int])] = [([3, 4], [3, 4], [3, 1]), ([4], [4], [4]), ([3, 4], [3, 4], []),
                                            ([3, 4], [4], [3]), ([3, 4], [3, 5], [3]), ([3, 4], [3, 4], [4])]
        for (s1, s2, sy) in bad {
            Check.expectSameError(LossCase(loss: .cosineEmbeddingLoss,
                                           inputs: ["input1": rng.values(s1), "input2": rng.values(s2), "target": rng.labels(sy)]),
                                  .shapeMismatch)
        }
        Check.expectSameError(LossCase(loss: .cosineEmbeddingLoss, options: ["reduction": .string("Mean")],
                                       inputs: ["input1": rng.values([2, 2]), "input2": rng.values([2, 2]), "target": rng.labels([2])]),
                              .invalidReduction)
    }
}
