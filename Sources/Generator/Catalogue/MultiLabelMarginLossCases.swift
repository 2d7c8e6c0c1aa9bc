import LossSpec

/// multilabel_margin_loss: `(1/C) Σ_{j ∈ J} Σ_{i ∉ T} max(0, 1 − x_j + x_i)`, J a row's labels up
/// to the first −1.
///
/// Covers every reduction × shape ((), (C), (N, C), with the 0-/1-D target pairings), label lists
/// of every length (first entry −1, a few labels, all classes, no terminator), entries after the
/// terminator (ignored but range-checked), duplicated labels, class counts around the SIMD widths,
/// a batch spanning several Fast row chunks, exact hinges z = 0, NaN terms, infinities, and every
/// error kind. No case for an empty batch under 'sum'/'mean' (a PyTorch defect, Docs/Semantics.md#empty-inputs).
enum MultiLabelMarginLossCases {
    /// A target row of `c` entries: `labels` distinct random classes (duplicates when `duplicates`),
    /// then −1 (if `labels < c`), then random entries in [−1, C) that the loss must ignore.
    static func row(_ r: inout SeededRNG, classes c: Int, labels: Int, duplicates: Bool = false) -> [Int64] {
        var pool = Array(0..<c)
        for k in 0..<c { pool.swapAt(k, r.int(k, c - 1)) }
        var out = pool.prefix(labels).map(Int64.init)
        if duplicates, labels >= 2 {
            for k in 1..<labels where r.bool(0.5) { out[k] = out[r.int(0, k - 1)] }
        }
        if out.count < c { out.append(-1) }
        while out.count < c { out.append(Int64(r.int(-1, c - 1))) }
        return out
    }

    /// Scores and a target of rows with 0…`maxLabels` labels each.
    static func scores(_ n: Int?, _ c: Int, std: Double = 1, maxLabels: Int = 8, minLabels: Int = 0,
                       duplicates: Bool = false) -> @Sendable (inout SeededRNG) -> [String: TensorValue] {
        let shape = n.map { [$0, c] } ?? [c]
        return { r in
            let input = r.normal(shape, std: std)
            var t: [Int64] = []
            for _ in 0..<(n ?? 1) {
                t += row(&r, classes: c, labels: r.int(min(minLabels, c), min(maxLabels, c)), duplicates: duplicates)
            }
            return ["input": input, "target": fixedInt(shape, t)]
        }
    }

    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.multilabelMarginLoss)
        func opts(_ reduction: JSONValue) -> [String: JSONValue] { ["reduction": reduction] }

        // Random: every reduction × shape.
        for reduction in Sweep.reductions {
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(6, 5))
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(nil, 7, minLabels: 1))
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(1, 9, minLabels: 1))
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(5, 1))
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(8, 12, std: 0.5))
            list.add(.random, "shapes", options: opts(reduction), inputs: scores(4, 20, std: 3, minLabels: 1))
        }
        // Label-list forms: duplicates, long lists, no terminator.
        for reduction in Sweep.reductions {
            list.add(.random, "duplicates", options: opts(reduction), inputs: scores(6, 10, minLabels: 2, duplicates: true))
            list.add(.random, "many-labels", options: opts(reduction), inputs: scores(4, 24, maxLabels: 23, minLabels: 12))
            list.add(.random, "no-terminator", options: opts(reduction)) { r in
                // Every entry a label (repeats allowed): the whole row is the list J.
                ["input": r.normal([3, 6]), "target": r.integers([3, 6], 0, 4)]
            }
        }
        // Single-label rows (the multi-class special case), all classes but one, wide rows.
        for reduction in Sweep.reductions {
            list.add(.random, "single-label", options: opts(reduction), inputs: scores(10, 16, maxLabels: 1, minLabels: 1))
            list.add(.random, "all-but-one", options: opts(reduction), inputs: scores(5, 17, maxLabels: 16, minLabels: 16))
            list.add(.random, "wide", options: opts(reduction), inputs: scores(7, 33, std: 2, minLabels: 1, duplicates: true))
        }
        // Class counts around the SIMD widths (8, 16) and their multiples, few and many labels.
        for (k, c) in Shapes.simdSizes.enumerated() {
            list.add(.random, "classes", options: opts(Sweep.reductions[k % 3]), inputs: scores(3, c, maxLabels: 1 + k % 8))
            list.add(.random, "classes", options: opts(Sweep.reductions[(k + 1) % 3]),
                     inputs: scores(2, c, maxLabels: c, minLabels: c / 2))
        }
        // Rows spanning several Fast row chunks (≈4 K elements each), forward and gradient.
        list.add(.random, "chunks", options: opts(.string("sum")), inputs: scores(20, 256, minLabels: 1))
        list.add(.random, "chunks", options: opts(.string("mean")), inputs: scores(800, 6, maxLabels: 3))

        // Edge: label lists by hand. Row 0: first entry −1 (loss 0, trailing labels ignored).
        // Row 1: all classes targeted (no i ∉ T, loss 0). Row 2: duplicated label 2 counted twice.
        // Row 3: labels {0, 3}, entries after −1 (2 and −1) ignored.
        for reduction in Sweep.reductions {
            list.add(.edge, "label-lists", options: opts(reduction), random: false) { _ in
                ["input": fixed([4, 4], [0.5, -1, 2, 0.25, 1, 2, 3, 4, 0.5, 0.75, 1.5, -0.5, 0, 1, 0.5, -2]),
                 "target": fixedInt([4, 4], [-1, 1, 2, 3, 3, 1, 0, 2, 2, 2, 0, -1, 0, 3, -1, 2])]
            }
        }
        // Edge: hinges exactly at z = 0 (x_j − x_i = 1): no loss, gradient 0, beside active terms.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "kink", options: opts(reduction), random: false) { _ in
                // Row 0, J = [0]: z = 1 − 2 + [1, 0.5, 1.5] = [0, −0.5, 0.5]. Row 1, J = [2, 1]:
                // x_2 = x_1 = 1.5 and every other score 0.5, so all four hinges are exactly 0.
                ["input": fixed([2, 4], [2, 1, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5]),
                 "target": fixedInt([2, 4], [0, -1, 3, 3, 2, 1, -1, 0])]
            }
        }
        // Edge: NaN terms are dropped; a NaN label score drops every term of that label.
        for reduction in Sweep.reductions {
            list.add(.edge, "nan", options: opts(reduction), random: false) { _ in
                ["input": fixed([3, 4], [.nan, 1, 2, 0.5, 0.25, .nan, -1, 3, .nan, .nan, 0, 0]),
                 "target": fixedInt([3, 4], [0, 1, -1, 0, 2, -1, 3, 3, 2, 1, -1, -1])]
            }
        }
        // Edge: infinities: +inf at a non-target gives an infinite term, +inf at a label drops its
        // terms, −inf at a label makes its terms infinite, inf − inf is NaN and dropped.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "inf", options: opts(reduction), random: false) { _ in
                ["input": fixed([4, 3], [0, .infinity, 1, .infinity, 0, 2, -.infinity, 0, 1, .infinity, .infinity, 1]),
                 "target": fixedInt([4, 3], [0, -1, 0, 0, -1, 1, 0, -1, -1, 0, 1, -1])]
            }
        }
        // Edge: 0-dim input (C = 1) with () and (1) targets; (1) input with a () target.
        for reduction in Sweep.reductions {
            list.add(.edge, "scalar", options: opts(reduction), random: false) { _ in
                ["input": fixed([], [0.75]), "target": fixedInt([], [0])]
            }
            list.add(.edge, "scalar", options: opts(reduction), random: false) { _ in
                ["input": fixed([], [-2.5]), "target": fixedInt([1], [-1])]
            }
            list.add(.edge, "scalar", options: opts(reduction), random: false) { _ in
                ["input": fixed([1], [3]), "target": fixedInt([], [0])]
            }
        }
        // Edge: a 1-D input takes a 1-D target of C entries; first-entry −1 gives 0.
        list.add(.edge, "unbatched", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([5], [0.5, 1, -1, 2, 0]), "target": fixedInt([5], [-1, 0, 1, 2, 3])]
        }
        list.add(.edge, "unbatched", options: opts(.string("sum")), random: false) { _ in
            ["input": fixed([5], [0.5, 1, -1, 2, 0]), "target": fixedInt([5], [3, 3, 0, -1, 4])]
        }
        // Edge: large and tiny magnitudes.
        list.add(.edge, "large", options: opts(.string("sum")), inputs: scores(4, 6, std: 1e15))
        list.add(.edge, "tiny", options: opts(.string("none")), inputs: scores(4, 6, std: 1e-20))
        // Edge: an empty batch under 'none' is an empty (0) result.
        list.add(.edge, "empty-batch", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([0, 4], []), "target": fixedInt([0, 4], [])]
        }

        // Errors.
        let valid = scores(3, 4)
        for bad in ["avg", "batchmean", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)], inputs: valid)
        }
        list.error(.invalidOption, "unknown-option", argument: "margin", "multilabel_margin_loss has no option 'margin' (fixed to 1)",
                   options: ["margin": .number(2)], inputs: valid)
        list.error(.shapeMismatch, "input-rank", argument: "input", "a 3-D input [2, 3, 4]; only (), (C), (N, C) are allowed") { r in
            ["input": r.normal([2, 3, 4]), "target": r.integers([2, 3, 4], -1, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "[3, 5] for a [3, 4] input") { r in
            ["input": r.normal([3, 4]), "target": r.integers([3, 5], -1, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "[4] for a [3, 4] input (one row per sample needed)") { r in
            ["input": r.normal([3, 4]), "target": r.integers([4], -1, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "[1, 4] (2-D) for a 1-D [4] input") { r in
            ["input": r.normal([4]), "target": r.integers([1, 4], -1, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "[3] for a 1-D [4] input") { r in
            ["input": r.normal([4]), "target": r.integers([3], -1, 3)]
        }
        list.error(.shapeMismatch, "target-shape", argument: "target", "[2] for a 0-dim input (C = 1)") { _ in
            ["input": fixed([], [1]), "target": fixedInt([2], [0, -1])]
        }
        list.error(.shapeMismatch, "grad-output", argument: "grad_output", "shape [] for a 'none' output of shape [3]",
                   options: ["reduction": .string("none")]) { r in
            ["input": r.normal([3, 4]), "target": fixedInt([3, 4], [0, -1, 0, 0, 1, 2, -1, 3, 3, -1, -1, -1]),
             "grad_output": r.normal([])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "label 4 with C = 4") { _ in
            ["input": fixed([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), "target": fixedInt([2, 4], [0, -1, 0, 0, 4, -1, 0, 0])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "-2 in the label prefix") { _ in
            ["input": fixed([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), "target": fixedInt([2, 4], [1, -2, -1, 0, 0, -1, 0, 0])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "-2 after the -1 terminator (still range-checked)") { _ in
            ["input": fixed([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), "target": fixedInt([2, 4], [1, -1, 0, 0, 0, -1, 0, -2])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "4 after the -1 terminator with C = 4") { _ in
            ["input": fixed([1, 4], [1, 2, 3, 4]), "target": fixedInt([1, 4], [-1, 4, 0, 0])]
        }
        list.error(.targetOutOfRange, "target-range", argument: "target", "1 for a 0-dim input (C = 1)") { _ in
            ["input": fixed([], [1]), "target": fixedInt([], [1])]
        }
        list.error(.emptyInput, "classes-zero", argument: "input", "C = 0 in a (3, 0) input") { _ in
            ["input": fixed([3, 0], []), "target": fixedInt([3, 0], [])]
        }
        list.error(.emptyInput, "classes-zero", argument: "input", "C = 0 in a (0) input") { _ in
            ["input": fixed([0], []), "target": fixedInt([0], [])]
        }
        list.error(.invalidValue, "dtype", argument: "target", "a float64 target; labels must be int64") { r in
            ["input": r.normal([3, 4]), "target": fixed([3, 4], [0, -1, 0, 0, 1, 2, -1, 3, 3, -1, -1, -1])]
        }
        list.error(.invalidValue, "dtype", argument: "input", "an int64 input; floating point is required") { r in
            ["input": r.integers([3, 4], 0, 5), "target": r.integers([3, 4], -1, 3)]
        }
        return list.recipes
    }
}
