import LossSpec

/// cosine_embedding_loss: `1 − cos` (y = 1), `max(0, cos − margin)` (y = −1), 0 otherwise, with
/// EPS32 added to each squared norm (Docs/Losses/cosine_embedding_loss.md). Covers every reduction × margin, feature sizes
/// across the SIMD widths, the rank rules (1-D target with (N, D), 0-D target with (D)), input
/// broadcasting ((N, D) with (1, D), D with 1) and target broadcasting against the rows, zero and
/// tiny vectors (EPS32 matters; gradients ~1e6·|other|), the exact kink cos = margin = 0, row
/// chunk boundaries, NaN/±inf, empties and errors.
///
/// Avoided on purpose: parallel vectors with margin ±1 (cos is 1 − O(1e-12/|x|²) in Double but
/// rounds to exactly ±1 in Float32, on either side of the kink) and |x1|·|x2| ≳ 1e19 (the product
/// of squared norms overflows Float32, not Double).
enum CosineEmbeddingLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.cosineEmbeddingLoss)
        let o = MarginSweep.options
        let margins = MarginSweep.margins + MarginSweep.randomMargins

        for reduction in Sweep.reductions {
            for margin in margins {
                list.add(.random, "margin", options: o(reduction, margin)) { r in
                    ["input1": r.normal([6, 5]), "input2": r.normal([6, 5]), "target": r.signs([6])]
                }
            }
            // 0-D target with 1-D inputs: a 0-dim output.
            for d in [1, 4, 17] {
                list.add(.random, "unbatched", options: o(reduction, 0.5)) { r in
                    ["input1": r.normal([d]), "input2": r.normal([d]), "target": r.signs([])]
                }
            }
            // Labels other than ±1 give 0 and no gradient.
            list.add(.random, "labels", options: o(reduction, -0.25)) { r in
                ["input1": r.normal([8, 4]), "input2": r.normal([8, 4]), "target": MarginSweep.mixedLabels(&r, [8])]
            }
            // Broadcasting: inputs against each other (rows and features), target against rows,
            // and a target that enlarges a single broadcast row.
            let broadcasts: [([Int], [Int], [Int])] = [
                ([5, 6], [1, 6], [5]), ([1, 6], [5, 6], [5]), ([5, 1], [5, 6], [5]), ([5, 6], [5, 1], [1]),
                ([4, 3], [4, 3], [1]), ([1, 3], [1, 3], [4]), ([6], [1], []),
            ]
            for (s1, s2, sy) in broadcasts {
                list.add(.random, "broadcast", options: o(reduction, 0.5)) { r in
                    ["input1": r.normal(s1), "input2": r.normal(s2), "target": r.signs(sy)]
                }
            }
        }
        // Feature sizes across the SIMD widths, each with a few rows and mixed labels.
        for (i, d) in Shapes.simdSizes.enumerated() {
            // D = 1 vectors are parallel: keep the margin away from ±1.
            let margin = d == 1 ? 0.5 : margins[i % margins.count]
            list.add(.random, "features", options: o(Sweep.reductions[i % 3], margin)) { r in
                ["input1": r.normal([3, d], std: 2), "input2": r.normal([3, d], std: 2), "target": MarginSweep.mixedLabels(&r, [3])]
            }
        }
        // Row chunk boundaries (Fast chunks rows, ≤ 1024 per chunk) and a long feature dimension.
        let sized: [([Int], JSONValue)] = [([2100, 3], .string("sum")), ([1500, 2], .string("none")),
                                           ([40, 64], .string("mean")), ([1100, 5], .string("sum")),
                                           ([2, 3000], .string("none"))]
        for (i, (shape, reduction)) in sized.enumerated() {
            list.add(.random, "sizes", options: o(reduction, [0.25, -0.5, 0, 0.5, 0.125][i])) { r in
                ["input1": r.normal(shape), "input2": r.normal(shape), "target": MarginSweep.mixedLabels(&r, [shape[0]])]
            }
        }
        list.add(.random, "sizes-broadcast", options: o(.string("mean"), 0.25)) { r in
            ["input1": r.normal([1100, 4]), "input2": r.normal([1, 4]), "target": r.signs([1100])]
        }

        // Edge: zero vectors (cos = 0 exactly; the gradient of the zero row is ~1e6·other/|other|)
        // for y = 1 and y = −1 on both sides of its kink at margin 0.
        for margin in [0.0, -0.5] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "zero-vector", options: o(reduction, margin), random: false) { _ in
                    ["input1": fixed([4, 3], [0, 0, 0, 1, 2, -2, 0, 0, 0, 0.5, 0.25, 1]),
                     "input2": fixed([4, 3], [1, -2, 0.5, 0, 0, 0, 0, 0, 0, 3, -1, 2]),
                     "target": fixed([4], [1, -1, -1, 1])]
                }
            }
        }
        // Edge: orthogonal rows (the dot product is exactly 0 in any order): cos = margin = 0 is the
        // kink for y = −1 (gradient 0); for y = 1 the loss is 1.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "kink", options: o(reduction, 0), random: false) { _ in
                ["input1": fixed([3, 3], [1, 2, 0, 3, 0, -1, 1, 1, 1]),
                 "input2": fixed([3, 3], [2, -1, 5, 1, 4, 3, 1, -1, 0]),
                 "target": fixed([3], [-1, -1, 1])]
            }
        }
        // Edge: tiny norms where EPS32 = 1e-12 is a visible part of Σx² (Float32-normal products).
        for std in [1e-5, 1e-6] {
            list.add(.edge, "tiny", options: o(.string("none"), -0.25)) { r in
                ["input1": r.normal([4, 3], std: std), "input2": r.normal([4, 3], std: std), "target": r.signs([4])]
            }
        }
        // Edge: large but Float32-safe magnitudes (|x1|·|x2| ≈ 1e12).
        list.add(.edge, "large", options: o(.string("sum"), 0.5)) { r in
            ["input1": r.normal([4, 8], std: 1e6), "input2": r.normal([4, 8], std: 1e5), "target": r.signs([4])]
        }
        // Edge: NaN and ±inf make cos NaN for every label that reads it; a NaN row also reaches the
        // other input's gradient through 0/NaN.
        for reduction in Sweep.reductions {
            list.add(.edge, "nonfinite", options: o(reduction, 0), random: false) { _ in
                ["input1": fixed([4, 2], [.nan, 1, .infinity, 0, 1, 2, 1, 2]),
                 "input2": fixed([4, 2], [1, 1, 1, 0, -.infinity, 1, 2, -1]),
                 "target": fixed([4], [1, -1, 0, -1])]
            }
        }
        // Edge: empty batch (mean NaN, sum 0) and D = 0 (cos = 0).
        for reduction in Sweep.reductions {
            list.add(.edge, "empty", options: o(reduction, 0.5), random: false) { _ in
                ["input1": fixed([0, 3], []), "input2": fixed([0, 3], []), "target": fixed([0], [])]
            }
            list.add(.edge, "empty-features", options: o(reduction, -0.5), random: false) { _ in
                ["input1": fixed([3, 0], []), "input2": fixed([3, 0], []), "target": fixed([3], [1, -1, 0])]
            }
        }
        list.add(.edge, "empty", options: o(.string("sum"), 0), random: false) { _ in
            ["input1": fixed([0, 3], []), "input2": fixed([1, 3], [1, 2, 3]), "target": fixed([1], [1])]
        }

        // Errors: the rank rules, then broadcasting.
        list.error(.shapeMismatch, "rank", argument: "target", "a 2-D target [3, 1]; only 0-D or 1-D targets exist") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([3, 4]), "target": r.signs([3, 1])]
        }
        list.error(.shapeMismatch, "rank", argument: "input1", "1-D inputs [4] with a 1-D target need rank 2") { r in
            ["input1": r.normal([4]), "input2": r.normal([4]), "target": r.signs([4])]
        }
        list.error(.shapeMismatch, "rank", argument: "input1", "2-D inputs [3, 4] with a 0-D target need rank 1") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([3, 4]), "target": r.signs([])]
        }
        list.error(.shapeMismatch, "rank", argument: "input2", "input2 [4] is 1-D while the 1-D target needs 2-D inputs") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([4]), "target": r.signs([3])]
        }
        list.error(.shapeMismatch, "rank", argument: "input1", "3-D inputs [2, 3, 4]") { r in
            ["input1": r.normal([2, 3, 4]), "input2": r.normal([2, 3, 4]), "target": r.signs([2])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "input2", "[3, 5] does not broadcast with input1 [3, 4]") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([3, 5]), "target": r.signs([3])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "input2", "[2, 4] does not broadcast with input1 [3, 4]") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([2, 4]), "target": r.signs([3])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "length 4 does not broadcast against 3 rows") { r in
            ["input1": r.normal([3, 4]), "input2": r.normal([3, 4]), "target": r.signs([4])]
        }
        MarginSweep.commonErrors(&list, inputs: { r in
            ["input1": r.normal([3, 2]), "input2": r.normal([3, 2]), "target": r.signs([3])]
        }, floatArgument: "input1")
        return list.recipes
    }
}
