import Testing
import LossSpec
@testable import Fast

@Suite struct FastL1LossTests {
    typealias H = ElementwiseLossHarness

    @Test func matchesReference() throws {
        try H.regressionSweep(.l1Loss, parameter: nil, values: [0], weighted: true)
    }

    /// sgn(0) = 0 at ±0 differences, and sgn(NaN) = 0: a NaN loss with a zero gradient.
    @Test func signConventions() throws {
        try H.regressionSpecialValues(.l1Loss, parameter: nil, values: [1])
        let r = try Fast.l1Loss(input: Tensor(shape: [3], scalars: [.nan, 0, 1]), target: Tensor(shape: [3], scalars: [0, -0.0, 3]),
                                reduction: .none, gradOutput: Tensor(shape: [3], scalars: [1, 1, 1]), threads: 1)
        #expect(r.outputs["grad_input"]?.scalars == [0, 0, -1])
        #expect(r.output?.scalars[0].isNaN == true)
    }

    @Test func threadInvariant() throws {
        try H.regressionThreads(.l1Loss, parameter: nil, value: 0, weighted: true)
    }

    @Test func errors() {
        H.regressionErrors(.l1Loss, weighted: true)
    }
}
