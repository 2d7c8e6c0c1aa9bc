import Testing
import LossSpec
@testable import Fast

@Suite struct FastMultiLabelSoftMarginLossTests {
    typealias S = LogisticFastSupport

    /// Every reduction × layout: (C), (N, C), (N, d, C); weight (C), (N, C), (N, 1), 0-dim, (1, C);
    /// a broadcast target; an input outranked by its target or weight (leading class axis); C = 0.
    @Test(arguments: ["none", "mean", "sum"], 0..<11)
    func matchesReference(reduction: String, variant: Int) throws {
        var rng = S.RNG(UInt64(variant * 131 + reduction.count))
        let layouts: [(x: [Int], y: [Int], w: [Int]?)] = [
            ([19], [19], nil), ([6, 21], [6, 21], nil), ([2, 3, 37], [2, 3, 37], [37]),
            ([6, 21], [6, 21], [6, 21]), ([6, 21], [6, 21], [6, 1]), ([6, 21], [6, 21], []),
            ([6, 21], [21], [1, 21]), ([1, 21], [6, 21], nil), ([21], [4, 21], nil),
            ([4, 9], [4, 9], [2, 4, 9]), ([3, 0], [3, 0], [0]),
        ]
        let l = layouts[variant]
        var inputs = ["input": rng.tensor(l.x, -6, 6), "target": rng.labels(l.y)]
        if let w = l.w { inputs["weight"] = rng.tensor(w, -0.5, 2) }
        let c = S.make(.multilabelSoftMarginLoss, reduction, inputs)
        try S.expectMatchesReference(c)
        try S.expectMatchesReference(S.withGradOutput(c, &rng))
    }

    /// Extreme logits and soft targets outside [0, 1].
    @Test func extremeLogitsAndSoftTargets() throws {
        var rng = S.RNG(23)
        let x: [Double] = [100, -100, 800, -800, 89, -89, 0, 3, -2, 0.5]
        let c = S.make(.multilabelSoftMarginLoss, "none", [
            "input": .float64(Tensor(shape: [2, 5], scalars: x)), "target": rng.tensor([2, 5], -1, 2),
            "weight": rng.tensor([5], 0, 2)])
        try S.expectMatchesReference(S.withGradOutput(c, &rng))
    }

    /// 67 rows of 700 classes span three row chunks; per-class weight gradients are combined per
    /// chunk, so this also pins their order.
    @Test(arguments: ["none", "mean"])
    func threadCountInvariance(reduction: String) throws {
        var rng = S.RNG(29)
        let c = try S.withGradOutput(S.make(.multilabelSoftMarginLoss, reduction, [
            "input": rng.tensor([67, 700], -6, 6), "target": rng.labels([67, 700]), "weight": rng.tensor([700], 0, 2)]), &rng)
        try ThreadInvariance.expect(c)
        try S.expectMatchesReference(c, threads: 8)
    }

    @Test func errorsMatchReference() throws {
        var rng = S.RNG(31)
        let x = rng.tensor([3, 4], -2, 2), y = rng.labels([3, 4])
        S.expectSameError(S.make(.multilabelSoftMarginLoss, "mean", ["input": rng.tensor([], 0, 1), "target": rng.tensor([], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.multilabelSoftMarginLoss, "mean", ["input": x, "target": rng.labels([3, 5])]), .shapeMismatch)
        S.expectSameError(S.make(.multilabelSoftMarginLoss, "mean", ["input": x, "target": y, "weight": rng.tensor([2, 4], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.multilabelSoftMarginLoss, "none", ["input": x, "target": y, "grad_output": rng.tensor([4], 0, 1)]),
                          .shapeMismatch)
        S.expectSameError(S.make(.multilabelSoftMarginLoss, "elementwise_mean", ["input": x, "target": y]), .invalidReduction)
    }
}
