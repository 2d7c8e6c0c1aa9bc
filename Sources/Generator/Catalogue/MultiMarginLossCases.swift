import LossSpec

/// multi_margin_loss: `(1/C) Σ_{i ≠ y} w_y · max(0, margin − x_y + x_i)^p`, p ∈ {1, 2}.
///
/// Covers every reduction × p, margins (negative, 0, default, large), the class weight indexed by
/// the target class (signed, zero), every accepted shape pairing (0-dim input with () and (1)
/// targets, (C) with () and (1), (N, C)), class counts around the SIMD widths, a batch that spans
/// several Fast row chunks, exact hinges z = 0, dropped NaN terms, infinities, and every error kind.
/// No case claims PyTorch agreement for an empty batch under 'sum'/'mean' (PyTorch returns
/// uninitialised memory there, Docs/Semantics.md#empty-inputs); 'none' on an empty batch is well defined and included.
enum MultiMarginLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.multiMarginLoss)
        func opts(_ reduction: JSONValue, p: Double = 1, margin: Double = 1) -> [String: JSONValue] {
            ["reduction": reduction, "p": .number(p), "margin": .number(margin)]
        }
        /// Scores with their class indices, the weight (if any) drawn from `weight`.
        func scores(_ n: Int?, _ c: Int, std: Double = 1.5, targetShape: [Int]? = nil,
                    weight: (@Sendable (inout SeededRNG) -> Double)? = nil)
            -> @Sendable (inout SeededRNG) -> [String: TensorValue] {
            let inputShape = n.map { [$0, c] } ?? [c]
            let tShape = targetShape ?? (n.map { [$0] } ?? [])
            return { r in
                var out = ["input": r.normal(inputShape, std: std), "target": r.integers(tShape, 0, c - 1)]
                if let weight { out["weight"] = r.tensor([c], weight) }
                return out
            }
        }
        let signedWeight: @Sendable (inout SeededRNG) -> Double = { $0.uniform(-10, 10) }

        // Random: every reduction × p × shape pairing.
        for p in [1.0, 2.0] {
            for reduction in Sweep.reductions {
                list.add(.random, "shapes", options: opts(reduction, p: p), inputs: scores(6, 5))
                list.add(.random, "shapes", options: opts(reduction, p: p), inputs: scores(nil, 7))
                list.add(.random, "shapes", options: opts(reduction, p: p), inputs: scores(nil, 7, targetShape: [1]))
                list.add(.random, "shapes", options: opts(reduction, p: p), inputs: scores(1, 4, targetShape: []))
                list.add(.random, "shapes", options: opts(reduction, p: p), inputs: scores(4, 1))
            }
        }
        // p written as 2.0 in JSON is the same option (PyTorch accepts the float).
        list.add(.random, "p-float", options: opts(.string("sum"), p: 2.0), inputs: scores(3, 6))
        // Margins: negative (only confident mistakes count), zero, large (every term active).
        for margin in [-0.5, 0, 0.75, 4] {
            for p in [1.0, 2.0] {
                for reduction in Sweep.reductions {
                    list.add(.random, "margin", options: opts(reduction, p: p, margin: margin), inputs: scores(5, 6))
                }
            }
        }
        // Weight: indexed by the target class; random signs and magnitudes up to 10.
        for p in [1.0, 2.0] {
            for reduction in Sweep.reductions {
                list.add(.random, "weight", options: opts(reduction, p: p, margin: 1.5),
                         inputs: scores(7, 5, weight: signedWeight))
            }
            list.add(.random, "weight-unbatched", options: opts(.string("none"), p: p),
                     inputs: scores(nil, 9, weight: signedWeight))
            list.add(.random, "weight-unbatched", options: opts(.string("mean"), p: p),
                     inputs: scores(nil, 9, targetShape: [1], weight: signedWeight))
        }
        // Class counts around the SIMD widths (8, 16) and their multiples.
        for (k, c) in Shapes.simdSizes.enumerated() {
            list.add(.random, "classes", options: opts(Sweep.reductions[k % 3], p: k % 2 == 0 ? 1 : 2, margin: 1.25),
                     inputs: scores(3, c, weight: k % 4 == 3 ? signedWeight : nil))
        }
        // Rows spanning several Fast row chunks (≈4 K elements each), forward and gradient.
        list.add(.random, "chunks", options: opts(.string("sum")), inputs: scores(6, 1000, std: 0.5))
        list.add(.random, "chunks", options: opts(.string("mean"), p: 2, margin: 0.5), inputs: scores(1500, 3))

        // Edge: hinges exactly at z = 0 (strict test: no loss, gradient 0), beside active ones.
        for p in [1.0, 2.0] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "kink", options: opts(reduction, p: p, margin: 0.5), random: false) { _ in
                    // Row 0, y = 1: z = 0.5 − 1 + [0.5, 0.25, 1.5] = [0, −0.25, 1].
                    // Row 1, y = 3: z = 0.5 − 2 + [1.5, 1.5, 1.5] = 0 for every i.
                    ["input": fixed([2, 4], [0.5, 1, 0.25, 1.5, 1.5, 1.5, 1.5, 2]),
                     "target": fixedInt([2], [1, 3])]
                }
            }
            list.add(.edge, "kink-margin-zero", options: opts(.string("none"), p: p, margin: 0), random: false) { _ in
                // margin 0: ties with the target's score are exactly on the kink.
                ["input": fixed([3, 3], [1, 1, 1, -2, 0, -2, 3, 3, 2.5]), "target": fixedInt([3], [0, 1, 2])]
            }
        }
        // Edge: NaN terms are dropped (strict z > 0); NaN at the target drops the whole row.
        for p in [1.0, 2.0] {
            for reduction in Sweep.reductions {
                list.add(.edge, "nan", options: opts(reduction, p: p), random: false) { _ in
                    ["input": fixed([3, 4], [.nan, 1, 2, 0.5, 0.25, .nan, -1, 3, .nan, .nan, 0, 0]),
                     "target": fixedInt([3], [1, 1, 2])]
                }
            }
        }
        // Edge: infinities: +inf at a non-target gives an infinite term; +inf at the target drops
        // the row; −inf at the target makes every term infinite; inf − inf is NaN and dropped.
        for p in [1.0, 2.0] {
            list.add(.edge, "inf", options: opts(.string("none"), p: p), random: false) { _ in
                ["input": fixed([4, 3], [0, .infinity, 1, .infinity, 0, 2, -.infinity, 0, 1, .infinity, .infinity, 1]),
                 "target": fixedInt([4], [0, 0, 0, 0])]
            }
            list.add(.edge, "inf", options: opts(.string("sum"), p: p), random: false) { _ in
                ["input": fixed([2, 3], [0, .infinity, 1, .infinity, 0, 2]), "target": fixedInt([2], [0, 0])]
            }
        }
        // Edge: 0-dim input (C = 1: nothing to compare, loss 0) with () and (1) targets.
        for reduction in Sweep.reductions {
            list.add(.edge, "scalar", options: opts(reduction), random: false) { _ in
                ["input": fixed([], [0.75]), "target": fixedInt([], [0])]
            }
            list.add(.edge, "scalar", options: opts(reduction, p: 2, margin: 3), random: false) { _ in
                ["input": fixed([], [-2.5]), "target": fixedInt([1], [0])]
            }
        }
        // Edge: zero weights (the row of a zero-weight target class vanishes, gradient included).
        for reduction in Sweep.reductions {
            list.add(.edge, "weight-zero", options: opts(reduction, p: 2), random: false) { _ in
                ["input": fixed([3, 3], [0.5, 1, -1, 2, 0.25, 0, 1, 1, 1]),
                 "target": fixedInt([3], [0, 1, 2]), "weight": fixed([3], [0, 2, 0])]
            }
        }
        list.add(.edge, "weight-zero", options: opts(.string("mean")), random: false) { _ in
            ["input": fixed([2, 2], [1, 2, 3, 4]), "target": fixedInt([2], [0, 1]), "weight": fixed([2], [0, 0])]
        }
        // Edge: large and tiny magnitudes (Float32 still finite for z^2).
        for p in [1.0, 2.0] {
            list.add(.edge, "large", options: opts(.string("sum"), p: p), inputs: scores(4, 6, std: p == 1 ? 1e15 : 1e6))
            list.add(.edge, "tiny", options: opts(.string("none"), p: p, margin: 0), inputs: scores(4, 6, std: 1e-20))
        }
        // Edge: every row targets the same class; the target class wins or loses everywhere.
        list.add(.edge, "same-target", options: opts(.string("mean")), random: false) { _ in
            ["input": fixed([3, 4], [5, 0, 1, 2, -5, 0, 1, 2, 0.5, 0, 1, 2]), "target": fixedInt([3], [0, 0, 0])]
        }
        // Edge: an empty batch under 'none' is an empty (0) result (the reduced forms are a PyTorch defect).
        for p in [1.0, 2.0] {
            list.add(.edge, "empty-batch", options: opts(.string("none"), p: p), random: false) { _ in
                ["input": fixed([0, 4], []), "target": fixedInt([0], [])]
            }
        }

        // Errors.
        let valid = scores(3, 4)
        for bad in ["avg", "batchmean", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)], inputs: valid)
        }
        for p in [3.0, 0, 1.5, -1] {
            list.error(.invalidOption, "p", argument: "p", "\(p) is not 1 or 2", options: ["p": .number(p)], inputs: valid)
        }
        list.error(.invalidOption, "unknown-option", argument: "eps", "multi_margin_loss has no option 'eps'",
                   options: ["eps": .number(1e-6)], inputs: valid)
        list.error(.shapeMismatch, "input-rank", argument: "input", "a 3-D input [2, 3, 4]; only (), (C), (N, C) are allowed") { r in
            ["input": r.normal([2, 3, 4]), "target": r.integers([2], 0, 2)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "2-D target [3, 1] for a (3, 4) input") { r in
            ["input": r.normal([3, 4]), "target": r.integers([3, 1], 0, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "4 class indices for a batch of 3") { r in
            ["input": r.normal([3, 4]), "target": r.integers([4], 0, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "2 class indices for an unbatched (C) input") { r in
            ["input": r.normal([4]), "target": r.integers([2], 0, 3)]
        }
        list.error(.shapeMismatch, "weight", argument: "weight", "2-D weight [1, 4] (weight must be 1-D)") { r in
            ["input": r.normal([3, 4]), "target": r.integers([3], 0, 3), "weight": r.uniform([1, 4], 0, 1)]
        }
        list.error(.shapeMismatch, "weight", argument: "weight", "0-dim weight (weight must be 1-D)") { r in
            ["input": r.normal([3, 1]), "target": r.integers([3], 0, 0), "weight": r.uniform([], 0, 1)]
        }
        list.error(.shapeMismatch, "weight", argument: "weight", "5 entries for C = 4 classes") { r in
            ["input": r.normal([3, 4]), "target": r.integers([3], 0, 3), "weight": r.uniform([5], 0, 1)]
        }
        list.error(.shapeMismatch, "grad-output", argument: "grad_output", "shape [2] for a 'none' output of shape [3]",
                   options: ["reduction": .string("none")]) { r in
            ["input": r.normal([3, 4]), "target": r.integers([3], 0, 3), "grad_output": r.normal([2])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "class 4 with C = 4") { _ in
            ["input": fixed([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), "target": fixedInt([2], [0, 4])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "class -1 (no ignore index here)") { _ in
            ["input": fixed([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), "target": fixedInt([2], [-1, 0])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "class 1 for a 0-dim input (C = 1)") { _ in
            ["input": fixed([], [1]), "target": fixedInt([], [1])]
        }
        list.error(.emptyInput, "classes-zero", argument: "input", "C = 0 in a (3, 0) input") { _ in
            ["input": fixed([3, 0], []), "target": fixedInt([3], [0, 0, 0])]
        }
        list.error(.emptyInput, "classes-zero", argument: "input", "C = 0 in a (0) input") { _ in
            ["input": fixed([0], []), "target": fixedInt([], [0])]
        }
        list.error(.invalidValue, "dtype", argument: "target", "a float64 target; class indices must be int64") { r in
            ["input": r.normal([3, 4]), "target": fixed([3], [0, 1, 2])]
        }
        list.error(.invalidValue, "dtype", argument: "input", "an int64 input; floating point is required") { r in
            ["input": r.integers([3, 4], 0, 5), "target": r.integers([3], 0, 3)]
        }
        return list.recipes
    }
}
