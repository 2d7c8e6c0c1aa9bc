import Testing
import LossSpec
@testable import Fast

@Suite struct FastSmoothL1LossTests {
    typealias H = ElementwiseLossHarness

    @Test func matchesReference() throws {
        try H.regressionSweep(.smoothL1Loss, parameter: "beta", values: [1, 0.5, 0, 2.5, 64], weighted: false)
    }

    /// Kinks at d = 0 and |d| = β exactly; β = 0 is L1 (sgn(0) = 0, NaN d → gradient 0).
    @Test func specialValues() throws {
        try H.regressionSpecialValues(.smoothL1Loss, parameter: "beta", values: [1, 0.5, 0, 2.5])
        let r = try Fast.smoothL1Loss(input: Tensor(shape: [3], scalars: [0, .nan, 0.5]), target: Tensor(shape: [3], scalars: [0, 0, 0]),
                                      reduction: .none, beta: 0, gradOutput: Tensor(shape: [3], scalars: [1, 1, 1]), threads: 1)
        #expect(r.outputs["grad_input"]?.scalars == [0, 0, 1])
    }

    @Test func threadInvariant() throws {
        try H.regressionThreads(.smoothL1Loss, parameter: "beta", value: 0.5, weighted: false)
    }

    @Test func errors() {
        H.regressionErrors(.smoothL1Loss, weighted: false)
        for beta in [-1.0, -1e-30, .nan] {
            H.expectSameError(LossCase(loss: .smoothL1Loss, options: ["beta": .number(beta)],
                                       inputs: ["input": .float64(Tensor(scalar: 1)), "target": .float64(Tensor(scalar: 0))]),
                              .invalidOption)
        }
    }
}
