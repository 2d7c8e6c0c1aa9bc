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

    /// An empty input whose other sizes overflow Int broadcasts to an empty loss, on every
    /// reduction, without trapping (Shape saturates; PyTorch returns an empty tensor too).
    @Test func hugeEmptyBroadcastIsEmpty() throws {
        let huge = 100_000_000_000_000
        let x = Tensor<Float>(shape: [0, huge, huge], scalars: [])
        let y = Tensor<Float>(shape: [5, 1, 1, 1], scalars: [1, 1, 1, 1, 1])
        let none = try Fast.mseLoss(input: x, target: y, reduction: .none, threads: 2)
        #expect(none.output?.shape == [5, 0, huge, huge] && none.output?.scalars.isEmpty == true)
        #expect(try Fast.mseLoss(input: x, target: y, reduction: .sum, threads: 2).output?.scalars == [0])
        #expect(try Fast.mseLoss(input: x, target: y, reduction: .mean, threads: 2).output?.scalars.first?.isNaN == true)
    }
}
