import Testing
import LossSpec
@testable import Fast

@Suite struct FastHingeEmbeddingLossTests {
    typealias Check = MarginLossCheck

    @Test func randomCasesMatchReference() throws {
        var rng = MarginTestRNG(20)
        let shapes: [([Int], [Int])] = [([], []), ([37], [37]), ([4, 33], [4, 33]), ([5, 5], [1, 5]),
                                        ([1, 5], [5, 5]), ([5, 1], [1, 4]), ([], [6])]
        for reduction in Check.reductions {
            for margin in [0, 1, Double(Float(0.7)), Double(Float(-3.14))] {
                for (sx, sy) in shapes {
                    let c = LossCase(loss: .hingeEmbeddingLoss, options: Check.options(reduction, margin),
                                     inputs: ["input": rng.values(sx), "target": rng.labels(sy, [1, -1, 0, 2, -0.5])])
                    try Check.compare(rng.withGradOutput(c), budget: 32)
                    try Check.compare(c, budget: 32)
                }
            }
        }
    }

    @Test func kinkAndNonFinite() throws {
        let c = LossCase(loss: .hingeEmbeddingLoss, options: Check.options("none", 1),
                         inputs: ["input": .float64(Tensor(shape: [6], scalars: [1, 1, .nan, .infinity, -.infinity, .nan])),
                                  "target": .float64(Tensor(shape: [6], scalars: [-1, 0, 1, -1, 0, -1])),
                                  "grad_output": .float64(Tensor(shape: [6], scalars: [1, 1, 1, 1, 1, 1]))])
        try Check.compare(c, budget: 32)
        let r = try Fast.evaluate(c)
        // At x = margin the hinge contributes no gradient: 0 for y = −1, 1 for y = 0.
        #expect(Array(r.outputs["grad_input"]?.scalars.prefix(2) ?? []) == [0, 1])
        #expect(r.output?.scalars[3] == 0)
    }

    @Test func threadsAreBitIdentical() throws {
        var rng = MarginTestRNG(21)
        for reduction in Check.reductions {
            let n = 3 * Parallel.elementChunk + 77
            let c = LossCase(loss: .hingeEmbeddingLoss, options: Check.options(reduction, 0.5),
                             inputs: ["input": rng.values([n]), "target": rng.labels([n], [1, -1, 0])])
            try Check.expectDeterministicAndAccurate(c, budget: 32, &rng)
        }
    }

    @Test func errorsMatchReference() {
        var rng = MarginTestRNG(22)
        Check.expectSameError(LossCase(loss: .hingeEmbeddingLoss, inputs: ["input": rng.values([3]), "target": rng.labels([4])]),
                              .shapeMismatch)
        Check.expectSameError(LossCase(loss: .hingeEmbeddingLoss, options: ["reduction": .string("batchmean")],
                                       inputs: ["input": rng.values([3]), "target": rng.labels([3])]), .invalidReduction)
        Check.expectSameError(LossCase(loss: .hingeEmbeddingLoss, options: ["reduction": .string("sum")],
                                       inputs: ["input": rng.values([3]), "target": rng.labels([3]),
                                                "grad_output": rng.values([3])]), .shapeMismatch)
    }
}
