import Testing
import LossSpec
@testable import Fast

@Suite struct FastBCELossTests {
    typealias S = LogisticFastSupport

    /// Every reduction × weight shape (none, 0-dim, per column, per row, full) on inputs whose
    /// sizes leave SIMD tails, with and without gradients.
    @Test(arguments: ["none", "mean", "sum"], [nil, [], [13], [5, 1], [5, 13]] as [[Int]?])
    func matchesReference(reduction: String, weightShape: [Int]?) throws {
        var rng = S.RNG(UInt64(reduction.count * 31 + (weightShape?.count ?? 9)))
        var inputs = ["input": rng.tensor([5, 13], 0.001, 0.999), "target": rng.tensor([5, 13], 0, 1)]
        if let weightShape { inputs["weight"] = rng.tensor(weightShape, -0.5, 2) }
        let c = S.make(.binaryCrossEntropy, reduction, inputs)
        try S.expectMatchesReference(c)
        try S.expectMatchesReference(S.withGradOutput(c, &rng))
    }

    /// x ∈ {0, 1}: clamped logs, EPS32 denominators, ±inf and NaN target gradients; subnormal x.
    @Test(arguments: ["none", "sum"])
    func endsOfTheInterval(reduction: String) throws {
        var rng = S.RNG(7)
        let x: [Double] = [0, 0, 0, 1, 1, 1, 0x1p-149, 0x1p-126, 1 - 0x1p-24, 0.5]
        let y: [Double] = [0, 1, 0.5, 0, 1, 0.5, 0, 1, 1, 0.5]
        let c = S.make(.binaryCrossEntropy, reduction, [
            "input": .float64(Tensor(shape: [10], scalars: x)), "target": .float64(Tensor(shape: [10], scalars: y)),
            "weight": .float64(Tensor(shape: [10], scalars: [1, 0, 2, 0.5, 1, 0, 1, 1, 3, 1]))])
        try S.expectMatchesReference(S.withGradOutput(c, &rng))
    }

    /// 40 000 elements span three chunks: bit-identical for 1, 2 and 8 threads, and still within budget.
    @Test(arguments: ["none", "mean"])
    func threadCountInvariance(reduction: String) throws {
        var rng = S.RNG(11)
        let c = try S.withGradOutput(S.make(.binaryCrossEntropy, reduction, [
            "input": rng.tensor([40_000], 0, 1), "target": rng.tensor([40_000], 0, 1),
            "weight": rng.tensor([40_000], 0, 2)]), &rng)
        try ThreadInvariance.expect(c)
        try S.expectMatchesReference(c, threads: 8)
    }

    @Test func errorsMatchReference() throws {
        var rng = S.RNG(3)
        let x = rng.tensor([3, 4], 0, 1), y = rng.tensor([3, 4], 0, 1)
        let bad = TensorValue.float64(Tensor(shape: [3, 4], scalars: [0.5, 1.5] + Array(repeating: 0.5, count: 10)))
        let nan = TensorValue.float64(Tensor(shape: [3, 4], scalars: [.nan] + Array(repeating: 0.5, count: 11)))
        S.expectSameError(S.make(.binaryCrossEntropy, "mean", ["input": x, "target": rng.tensor([4, 3], 0, 1)]), .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropy, "mean", ["input": bad, "target": y]), .invalidValue)
        S.expectSameError(S.make(.binaryCrossEntropy, "mean", ["input": nan, "target": y]), .invalidValue)
        S.expectSameError(S.make(.binaryCrossEntropy, "sum", ["input": x, "target": bad]), .invalidValue)
        S.expectSameError(S.make(.binaryCrossEntropy, "none", ["input": x, "target": y, "weight": rng.tensor([2, 3, 4], 0, 1)]),
                          .shapeMismatch)
        // PyTorch checks values before the weight's shape, and before grad_output.
        S.expectSameError(S.make(.binaryCrossEntropy, "none", ["input": bad, "target": y, "weight": rng.tensor([5], 0, 1)]),
                          .invalidValue)
        S.expectSameError(S.make(.binaryCrossEntropy, "sum", ["input": x, "target": nan, "grad_output": rng.tensor([2], 0, 1)]),
                          .invalidValue)
        S.expectSameError(S.make(.binaryCrossEntropy, "sum", ["input": x, "target": y, "grad_output": rng.tensor([2], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropy, "avg", ["input": x, "target": y]), .invalidReduction)
        S.expectSameError(S.make(.binaryCrossEntropy, "mean", ["input": .int64(Tensor(shape: [1], scalars: [0])),
                                                             "target": rng.tensor([1], 0, 1)]), .invalidValue)
    }
}
