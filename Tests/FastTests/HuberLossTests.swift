import Testing
import LossSpec
@testable import Fast

@Suite struct FastHuberLossTests {
    typealias H = ElementwiseLossHarness

    @Test func matchesReference() throws {
        try H.regressionSweep(.huberLoss, parameter: "delta", values: [1, 0.5, 2.5, 64, 0x1p-10], weighted: true)
    }

    /// Kinks at d = 0 and |d| = δ exactly (the linear branch), non-finite differences.
    @Test func specialValues() throws {
        try H.regressionSpecialValues(.huberLoss, parameter: "delta", values: [1, 0.5, 2.5])
        let r = try Fast.huberLoss(input: Tensor(shape: [2], scalars: [2.5, -2.5]), target: Tensor(shape: [2], scalars: [0, 0]),
                                   reduction: .none, delta: 2.5, gradOutput: Tensor(shape: [2], scalars: [1, 1]), threads: 1)
        #expect(r.output?.scalars == [2.5 * (2.5 - 1.25), 2.5 * (2.5 - 1.25)])
        #expect(r.outputs["grad_input"]?.scalars == [2.5, -2.5])
    }

    @Test func threadInvariant() throws {
        try H.regressionThreads(.huberLoss, parameter: "delta", value: 0.5, weighted: true)
    }

    @Test func errors() {
        H.regressionErrors(.huberLoss, weighted: true)
        for delta in [0.0, -1, .nan] {
            H.expectSameError(LossCase(loss: .huberLoss, options: ["delta": .number(delta)],
                                       inputs: ["input": .float64(Tensor(scalar: 1)), "target": .float64(Tensor(scalar: 0))]),
                              .invalidOption)
        }
    }
}
