import Testing
import LossSpec
@testable import Fast

@Suite struct FastMSESmoke {
    @Test func small() throws {
        let x = Tensor<Float>(shape: [3], scalars: [1, 2, 3])
        let y = Tensor<Float>(shape: [3], scalars: [0, 0, 0])
        let r = try Fast.mseLoss(input: x, target: y, reduction: .sum, threads: 1)
        #expect(r.output?.scalars == [14])
    }
}
