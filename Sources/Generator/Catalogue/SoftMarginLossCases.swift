import LossSpec

/// soft_margin_loss: `log1p(exp(−y·x))` computed literally. Covers every reduction × shape class
/// with ±1 and unrestricted targets (y = 0 gives log 2), a target that broadcasts to the input's
/// shape, SIMD and chunk sizes, empty tensors, large margins on both sides — keeping `−y·x` ≤ 88
/// where it is finite, so Float32 does not overflow where Double does not, and ≥ 800 where both
/// overflow (loss inf, gradient NaN) — non-finite inputs, and the errors (reduction, a target
/// that would enlarge the output, non-broadcastable shapes). No int64-input case: PyTorch promotes
/// an int64 target, so LossBench's `invalid_value` there is a documented deviation, not a vector.
enum SoftMarginLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.softMarginLoss)
        func opts(_ r: JSONValue) -> [String: JSONValue] { ["reduction": r] }

        for reduction in Sweep.reductions {
            for shape in [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]] as [[Int]] {
                list.add(.random, "shapes", options: opts(reduction)) { r in
                    ["input": r.normal(shape, std: 2), "target": r.signs(shape)]
                }
            }
            // Unrestricted targets, including 0 and magnitudes > 1.
            list.add(.random, "real-target", options: opts(reduction)) { r in
                ["input": r.normal([4, 6], std: 2), "target": r.tensor([4, 6]) { $0.bool(0.2) ? 0 : $0.normal(0, 2) }]
            }
            // Wide margins: −y·x up to ±80 (exp near its Float32 limits, loss ≈ −y·x or ≈ 0).
            list.add(.random, "wide", options: opts(reduction)) { r in
                ["input": r.uniform([3, 11], -80, 80), "target": r.signs([3, 11])]
            }
            // The target broadcasts to the input's shape (never beyond it).
            for targetShape in [[5], [1, 5], [4, 1], []] {
                list.add(.random, "broadcast", options: opts(reduction)) { r in
                    ["input": r.normal([4, 5], std: 2), "target": r.signs(targetShape)]
                }
            }
            list.add(.random, "broadcast-real", options: opts(reduction)) { r in
                ["input": r.normal([2, 3, 4], std: 2), "target": r.normal([3, 1], std: 1.5)]
            }
            // Non-unit targets scale the margin: y ∈ {±0.5, ±2}.
            list.add(.random, "scaled-target", options: opts(reduction)) { r in
                ["input": r.normal([6, 5], std: 4), "target": r.tensor([6, 5]) { $0.pick([-2, -0.5, 0.5, 2]) }]
            }
            // A sweep of margins −y·x across [−88, 88] in steps of 2 (finite in Float32).
            list.add(.edge, "margin-sweep", options: opts(reduction), random: false) { _ in
                let xs = (0..<89).map { Double(2 * $0 - 88) }
                return ["input": fixed([89], xs), "target": fixed([89], xs.indices.map { $0 % 2 == 0 ? -1 : 1 })]
            }
            // Empty tensors: 'mean' NaN, 'sum' 0.
            for shape in [[0], [0, 3], [2, 0]] {
                list.add(.edge, "empty", options: opts(reduction), random: false) { _ in
                    ["input": fixed(shape, []), "target": fixed(shape, [])]
                }
            }
            // Finite extremes in Float32 and Double alike, y = 0, and ±0 inputs.
            list.add(.edge, "extreme", options: opts(reduction), random: false) { _ in
                ["input": fixed([10], [88, -88, 87.5, -100, 100, 800, -20, 3, 0, -0.0]),
                 "target": fixed([10], [-1, 1, -1, -1, 1, 1, 0, 0, 1, -1])]
            }
            // −y·x ≥ 800 overflows exp in both precisions: loss +inf, gradient NaN (inf/inf).
            list.add(.edge, "overflow", options: opts(reduction), random: false) { _ in
                ["input": fixed([4], [-800, 1000, 1, -1]), "target": fixed([4], [1, -1, 1, 1])]
            }
            // NaN and ±inf inputs and targets: t = −y·x = −inf gives loss 0 and gradient −0;
            // t = +inf loss inf and gradient NaN; 0·inf NaN.
            list.add(.edge, "nonfinite", options: opts(reduction), random: false) { _ in
                ["input": fixed([7], [.nan, .infinity, -.infinity, .infinity, 1, 2, -1]),
                 "target": fixed([7], [1, 1, 1, 0, .nan, .infinity, .infinity])]
            }
            // Tiny products: l ≈ log 2, gradient ≈ −y/2.
            list.add(.edge, "tiny", options: opts(reduction)) { r in
                ["input": r.normal([9], std: 1e-20), "target": r.signs([9])]
            }
        }
        // SIMD widths and parallel-chunk boundaries (the large ones reduced).
        for (i, n) in (Shapes.simdSizes + [4099, 9001]).enumerated() {
            let reduction = n > 4099 ? Sweep.reductions[1 + i % 2] : Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: opts(reduction)) { r in
                ["input": r.normal([n], std: 3), "target": r.signs([n])]
            }
        }

        // Errors.
        for bad in ["avg", "batchmean", "", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)]) { r in
                ["input": r.normal([3, 4]), "target": r.signs([3, 4])]
            }
        }
        list.error(.shapeMismatch, "enlarge", argument: "target",
                   "shape [4, 3] broadcasts with input [4, 1] but would enlarge the output") { r in
            ["input": r.normal([4, 1]), "target": r.signs([4, 3])]
        }
        list.error(.shapeMismatch, "enlarge", argument: "target",
                   "shape [2, 3] broadcasts with input [3] but would enlarge the output") { r in
            ["input": r.normal([3]), "target": r.signs([2, 3])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 5] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": r.signs([3, 5])]
        }
        return list.recipes
    }
}
