import Foundation
import Testing
@_spi(Kernels) import LossSpec
import Conformance
import Implementations

/// Small (or empty) inputs that describe enormous results used to abort the process: an empty
/// `[10^14, 0]` triplet anchor allocated 10^14 distances (800 TB), and `[10^5, 1]` against
/// `[1, 10^5]` broadcast to 10^10 elements. Both implementations now refuse them with
/// `shape_mismatch`; empty results of any size still evaluate, as in PyTorch.
@Suite struct HugeResultTests {
    static let n = 100_000_000_000_000

    static func empty(_ shape: [Int]) -> TensorValue { .float64(Tensor(shape: shape, scalars: [])) }

    static let refused: [(String, LossCase)] = [
        ("triplet rows", LossCase(loss: .tripletMarginLoss, options: [:], inputs: [
            "anchor": empty([n, 0]), "positive": empty([n, 0]), "negative": empty([n, 0])])),
        ("triplet with distance rows", LossCase(loss: .tripletMarginWithDistanceLoss, options: ["reduction": .string("sum")], inputs: [
            "anchor": empty([n, 0]), "positive": empty([n, 0]), "negative": empty([n, 0])])),
        ("multilabel soft margin rows", LossCase(loss: .multilabelSoftMarginLoss, options: [:], inputs: [
            "input": empty([n, 0]), "target": empty([n, 0])])),
        ("cross entropy positions", LossCase(loss: .crossEntropy, options: [:], inputs: [
            "input": empty([2, 0, n]), "target": empty([2, 0, n])])),
        ("cosine rows", LossCase(loss: .cosineEmbeddingLoss, options: [:], inputs: [
            "input1": empty([n, 0]), "input2": empty([n, 0]), "target": .float64(Tensor(shape: [1], scalars: [1]))])),
        ("broadcast of small data", LossCase(loss: .mseLoss, options: [:], inputs: [
            "input": .float64(Tensor(shape: [100_000, 1], scalars: [Double](repeating: 0.5, count: 100_000))),
            "target": .float64(Tensor(shape: [1, 100_000], scalars: [Double](repeating: 0.25, count: 100_000)))])),
    ]

    @Test(arguments: 0..<refused.count)
    func refusedBeforeAllocating(index: Int) {
        let (label, c) = Self.refused[index]
        for impl in Builtins.all {
            for lossCase in [c, withGradOutput(c)] {
                do {
                    _ = try impl.evaluate(lossCase)
                    Issue.record("\(label) [\(impl.name)]: evaluated")
                } catch let e as LossError {
                    #expect(e.kind == .shapeMismatch, "\(label) [\(impl.name)]: \(e)")
                    #expect(e.message.contains("at most 2^30"), "\(label): \(e.message)")
                } catch {
                    Issue.record("\(label) [\(impl.name)]: \(error)")
                }
            }
        }
    }

    func withGradOutput(_ c: LossCase) -> LossCase {
        var c = c
        c.inputs["grad_output"] = .float64(Tensor(scalar: 1))
        return c
    }

    /// Empty results of any size cost nothing and still follow PyTorch (mean of nothing is NaN).
    @Test func emptyResultsStillEvaluate() throws {
        let c = LossCase(loss: .mseLoss, options: [:], inputs: [
            "input": Self.empty([0, Self.n, Self.n]), "target": .float64(Tensor(shape: [5, 1, 1, 1], scalars: [1, 1, 1, 1, 1]))])
        for impl in Builtins.all {
            #expect(try impl.evaluate(c).output?.scalars.first?.isNaN == true, "\(impl.name)")
        }
        #expect(Shape.maximumMaterializedElements == 1 << 30)
        #expect(throws: Never.self) { try Shape.checkMaterializable([1 << 15, 1 << 15], argument: "x", what: "x") }
        #expect(throws: LossError.self) { try Shape.checkMaterializable([(1 << 15) + 1, 1 << 15], argument: "x", what: "x") }
    }
}
