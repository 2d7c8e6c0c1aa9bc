import LossSpec

/// nll_loss: the shared class-index catalogue (layouts, weight incl. negative/zero and W = 0,
/// ignore_index inside/outside [0, C) and all-ignored, empty batches, SIMD class counts, row
/// chunks, errors) on log-probability-like inputs drawn N(0, 2) — positive entries included,
/// since the input is used as given — plus the non-finite values NLL passes through.
enum NLLLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = ClassIndexCases.recipes(.nllLoss) { r, shape in r.normal(shape, std: 2) }
        for reduction in Sweep.reductions {
            // NaN and −inf at targeted entries propagate; +inf elsewhere in the row does not matter.
            list.add(.edge, "nonfinite", options: ["reduction": reduction], random: false) { _ in
                ["input": fixed([4, 3], [.nan, 1, -1, -.infinity, -2, .infinity, -0.5, .infinity, .nan, -1, -2, -3]),
                 "target": fixedInt([4], [1, 0, 0, 2])]
            }
        }
        // A float target is not a class index.
        list.error(.invalidValue, "target-dtype", argument: "target", "a float64 tensor; class indices must be int64") { r in
            ["input": r.normal([3, 5]), "target": fixed([3], [0, 1, 2])]
        }
        return list.recipes
    }
}
