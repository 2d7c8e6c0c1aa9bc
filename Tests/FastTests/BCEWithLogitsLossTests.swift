import Testing
import LossSpec
@testable import Fast

@Suite struct FastBCEWithLogitsLossTests {
    typealias S = LogisticFastSupport

    /// Every reduction × pos_weight/weight combination: (C,) and (C, 1, 1) pos_weight, per-class,
    /// per-row and 0-dim weight, targets outside [0, 1].
    @Test(arguments: ["none", "mean", "sum"], 0..<6)
    func matchesReference(reduction: String, variant: Int) throws {
        var rng = S.RNG(UInt64(variant * 97 + reduction.count))
        let shape = variant == 3 ? [3, 5, 11] : [6, 11]
        var inputs = ["input": rng.tensor(shape, -6, 6), "target": variant == 5 ? rng.tensor(shape, -1, 2) : rng.tensor(shape, 0, 1)]
        switch variant {
        case 1: inputs["pos_weight"] = rng.tensor([11], 0, 4)
        case 2: inputs["pos_weight"] = rng.tensor([11], 0, 4); inputs["weight"] = rng.tensor([6, 1], 0, 2)
        case 3: inputs["pos_weight"] = rng.tensor([3, 1, 1], 0, 4); inputs["weight"] = rng.tensor([5, 11], 0, 2)
        case 4: inputs["weight"] = rng.tensor([], 0, 2)
        case 5: inputs["pos_weight"] = rng.tensor([], 0, 4); inputs["weight"] = rng.tensor([11], -1, 2)
        default: break
        }
        let c = S.make(.binaryCrossEntropyWithLogits, reduction, inputs)
        try S.expectMatchesReference(c)
        try S.expectMatchesReference(S.withGradOutput(c, &rng))
    }

    /// ±100 and ±800 logits stay finite; NaN and +inf propagate as in the Reference.
    @Test(arguments: [false, true])
    func extremeLogits(posWeight: Bool) throws {
        var rng = S.RNG(5)
        let x: [Double] = [100, -100, 800, -800, 89, -89, 0, .nan, .infinity, .infinity]
        let y: [Double] = [0, 1, 1, 0, 0.5, 0.5, 1, 1, 1, 0]
        var inputs = ["input": TensorValue.float64(Tensor(shape: [10], scalars: x)),
                      "target": .float64(Tensor(shape: [10], scalars: y))]
        if posWeight { inputs["pos_weight"] = rng.tensor([10], 0, 3) }
        try S.expectMatchesReference(S.withGradOutput(S.make(.binaryCrossEntropyWithLogits, "none", inputs), &rng))
    }

    @Test(arguments: ["none", "sum"])
    func threadCountInvariance(reduction: String) throws {
        var rng = S.RNG(13)
        let c = try S.withGradOutput(S.make(.binaryCrossEntropyWithLogits, reduction, [
            "input": rng.tensor([4, 10_001], -8, 8), "target": rng.tensor([4, 10_001], 0, 1),
            "pos_weight": rng.tensor([10_001], 0, 3), "weight": rng.tensor([4, 1], 0, 2)]), &rng)
        try ThreadInvariance.expect(c)
        try S.expectMatchesReference(c, threads: 8)
    }

    @Test func errorsMatchReference() throws {
        var rng = S.RNG(17)
        let x = rng.tensor([3, 4], -2, 2), y = rng.tensor([3, 4], 0, 1)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "mean", ["input": x, "target": rng.tensor([1, 4], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "mean", ["input": x, "target": y, "pos_weight": rng.tensor([3], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "mean", ["input": x, "target": y, "weight": rng.tensor([2, 3, 4], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "none", ["input": x, "target": y, "grad_output": rng.tensor([4, 3], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "batchmean", ["input": x, "target": y]), .invalidReduction)
        S.expectSameError(S.make(.binaryCrossEntropyWithLogits, "sum", ["input": x, "target": .int64(Tensor(shape: [3, 4], scalars: Array(repeating: 1, count: 12)))]),
                          .invalidValue)
    }
}
