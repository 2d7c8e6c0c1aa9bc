import LossSpec

/// hinge_embedding_loss: `[y ≠ 1]·max(0, margin − x) + [y ≠ −1]·x` with silent broadcasting (
/// Docs/Losses/hinge_embedding_loss.md). Covers every reduction × margin × shape class, labels other than ±1 (both branches),
/// broadcasting in both directions (the target may enlarge the output), SIMD and chunk sizes, the
/// kink x = margin, NaN/±inf, empties, errors, and the group's one large case (100 003 elements,
/// 'sum').
enum HingeEmbeddingLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.hingeEmbeddingLoss)
        let o = MarginSweep.options
        let margins = MarginSweep.margins + MarginSweep.randomMargins

        for reduction in Sweep.reductions {
            for margin in margins {
                list.add(.random, "margin", options: o(reduction, margin)) { r in
                    ["input": r.normal([12], std: 2), "target": r.signs([12])]
                }
            }
            for shape in [[], [1], [7], [3, 5], [2, 3, 4], [2, 1, 3, 2]] as [[Int]] {
                list.add(.random, "shapes", options: o(reduction, 1)) { r in
                    ["input": r.normal(shape, std: 1.5), "target": r.signs(shape)]
                }
            }
            // Any other label takes both branches: x + max(0, margin − x).
            list.add(.random, "labels", options: o(reduction, 1)) { r in
                ["input": r.normal([4, 6], std: 1.5), "target": MarginSweep.mixedLabels(&r, [4, 6])]
            }
            list.add(.random, "labels", options: o(reduction, -0.5)) { r in
                ["input": r.normal([10]), "target": r.normal([10])]
            }
            // Broadcasting: target row against a batch, input row against a target batch (the
            // target enlarges the output), both enlarging, and 0-dim against a vector.
            let broadcasts: [([Int], [Int])] = [([5, 5], [1, 5]), ([1, 5], [5, 5]), ([5, 1], [1, 4]), ([], [6]),
                                                ([6], []), ([2, 3, 4], [3, 1])]
            for (sx, sy) in broadcasts {
                list.add(.random, "broadcast", options: o(reduction, 0.5)) { r in
                    ["input": r.normal(sx, std: 1.5), "target": MarginSweep.mixedLabels(&r, sy)]
                }
            }
        }
        // SIMD widths (the large case below crosses the parallel chunk boundaries).
        for (i, n) in (Shapes.simdSizes + [1000, 4099]).enumerated() {
            let reduction = n > 1000 ? Sweep.reductions[1 + i % 2] : Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: o(reduction, margins[i % margins.count])) { r in
                ["input": r.normal([n], std: 2), "target": MarginSweep.mixedLabels(&r, [n])]
            }
        }
        // The group's single case of ≥ 100 k elements: a scalar output, many chunks.
        list.add(.random, "large", options: o(.string("sum"), 1)) { r in
            ["input": r.normal([100_003], std: 2), "target": r.signs([100_003])]
        }
        list.add(.random, "sizes-broadcast", options: o(.string("mean"), 0.5)) { r in
            ["input": r.normal([300, 30]), "target": r.signs([1, 30])]
        }

        // Edge: x exactly at the margin (hinge gradient 0) for every label kind, with neighbours.
        for margin in [0.0, 0.5, 1.0, 7.0, -3.0] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "kink", options: o(reduction, margin), random: false) { _ in
                    ["input": fixed([6], [margin, margin, margin, margin - 0.5, margin + 0.5, margin]),
                     "target": fixed([6], [-1, 1, 0, -1, -1, 2])]
                }
            }
        }
        // Edge: NaN propagates unless its branch is masked (y = 1 hides the hinge, y = −1 the linear
        // part, but NaN·0 is never formed); x = +inf with y = −1 gives 0; −inf with y ∉ {±1} is
        // −inf + inf = NaN; a NaN label takes both branches.
        for reduction in Sweep.reductions {
            list.add(.edge, "nonfinite", options: o(reduction, 1), random: false) { _ in
                ["input": fixed([9], [.nan, .nan, .nan, .infinity, -.infinity, .infinity, -.infinity, 2, .infinity]),
                 "target": fixed([9], [1, -1, 0, -1, -1, 1, 0, .nan, 0])]
            }
            list.add(.edge, "large", options: o(reduction, Double(Float(1e30)))) { r in
                ["input": r.normal([8], std: 1e30), "target": MarginSweep.mixedLabels(&r, [8])]
            }
        }
        for reduction in Sweep.reductions {
            // Empty on either side, including a non-empty argument broadcast to an empty shape.
            let empties: [(TensorValue, TensorValue)] = [
                (fixed([0], []), fixed([0], [])), (fixed([0, 3], []), fixed([1, 3], [1, -1, 0])),
                (fixed([2, 0], []), fixed([0], [])), (fixed([4], [1, 2, 3, 4]), fixed([0, 1], [])),
            ]
            for (x, y) in empties {
                list.add(.edge, "empty", options: o(reduction, 1), random: false) { _ in ["input": x, "target": y] }
            }
        }

        // Errors: shapes that do not broadcast.
        list.error(.shapeMismatch, "broadcast", argument: "target", "[4] does not broadcast with input [3]") { r in
            ["input": r.normal([3]), "target": r.signs([4])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "[2, 3, 5] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": r.signs([2, 3, 5])]
        }
        MarginSweep.commonErrors(&list, inputs: { r in ["input": r.normal([3]), "target": r.signs([3])] },
                                 floatArgument: "target")
        return list.recipes
    }
}
