import LossSpec

/// gaussian_nll_loss: full × reduction over every accepted var shape (full, homoscedastic
/// one-fewer-dim, same rank with one size-1 dimension, 0-dim var with a 1-D input), target
/// broadcasting (also enlarging the output), eps and the clamp (var below eps, 0, −0, with its
/// gradient evaluated at the clamped value), extreme and non-finite values, sizes, empties, and
/// every rejection: negative var (checked before the shape), "var is of incorrect size",
/// non-broadcastable target, invalid reduction (compared as strings), integer tensors.
enum GaussianNLLLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.gaussianNLLLoss)
        func opts(_ reduction: JSONValue, full: Bool, eps: Double? = nil) -> [String: JSONValue] {
            var o: [String: JSONValue] = ["reduction": reduction, "full": .bool(full)]
            if let eps { o["eps"] = .number(eps) }
            return o
        }
        /// (input, target, var) shapes, each an accepted combination.
        let layouts: [(String, [Int], [Int], [Int])] = [
            ("same", [], [], []),
            ("same", [7], [7], [7]),
            ("same", [3, 5], [3, 5], [3, 5]),
            ("same", [2, 3, 4], [2, 3, 4], [2, 3, 4]),
            ("homoscedastic", [4, 3], [4, 3], [4]),
            ("homoscedastic", [2, 3, 4], [2, 3, 4], [2, 3]),
            ("homoscedastic", [5], [5], []),
            ("trailing-one", [4, 3], [4, 3], [4, 1]),
            ("size-one", [4, 3], [4, 3], [1, 3]),
            ("size-one", [2, 3, 4], [2, 3, 4], [2, 1, 4]),
            ("target-broadcast", [4, 3], [3], [4, 3]),
            ("target-broadcast", [4, 3], [4, 1], [4]),
            ("target-enlarges", [3], [2, 3], [3]),
        ]
        for full in [false, true] {
            for reduction in Sweep.reductions {
                for (label, xs, ys, vs) in layouts {
                    list.add(.random, label, options: opts(reduction, full: full)) { r in
                        ["input": r.normal(xs, std: 2), "target": r.normal(ys, std: 2), "var": variances(&r, vs)]
                    }
                }
            }
        }
        // eps: the clamp threshold; draws reach below each one.
        for eps in [1e-3, 0.25, 0] {
            for reduction in [JSONValue.string("none"), .string("mean")] {
                list.add(.random, "eps", options: opts(reduction, full: false, eps: eps)) { r in
                    ["input": r.normal([3, 4]), "target": r.normal([3, 4]), "var": r.uniform([3, 4], 0, 0.6)]
                }
            }
        }
        ElementwiseCatalogue.sizes(&list, reductions: Sweep.reductions,
                                   options: [opts(.string("none"), full: false), opts(.string("none"), full: true)],
                                   crossChunk: false) { r, n in
            ["input": r.normal([n], std: 2), "target": r.normal([n], std: 2), "var": variances(&r, [n])]
        }
        list.add(.random, "sizes", options: opts(.string("mean"), full: true)) { r in
            // Homoscedastic across a chunk boundary: 2 × 2100 elements, var per row.
            ["input": r.normal([2, 2100]), "target": r.normal([2, 2100]), "var": r.uniform([2], 0.5, 2)]
        }

        // Edge: the clamp. var below eps, 0 and −0 are clamped; the gradient is still taken at the
        // clamped value. Values straddle the default eps 1e-6 (Float32 1e-6 rounds below it).
        for full in [false, true] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "clamp", options: opts(reduction, full: full), random: false) { _ in
                    ["input": rounded([8], [0.5, -1, 1e-3, 0, 2, 0.25, 3, -0.5]),
                     "target": rounded([8], [0, 0, 0, 0, 1.5, 0.25, -1, 1]),
                     "var": rounded([8], [0, -0.0, 1e-8, 1e-6, 5e-7, 2e-6, 1e-12, 1])]
                }
            }
        }
        // Edge: extreme magnitudes (d²/v large and tiny, var huge) and exact fits (d = 0).
        for reduction in Sweep.reductions {
            list.add(.edge, "extreme", options: opts(reduction, full: false), random: false) { _ in
                ["input": rounded([6], [1e10, 1e-10, 3, 0, 1e15, -7]),
                 "target": rounded([6], [-1e10, 0, 3, 0, 0, -7]),
                 "var": rounded([6], [1e-3, 1e-30, 1e30, 1, 1e20, 1e-4])]
            }
        }
        // Edge: NaN passes the var check and propagates; infinities.
        for full in [false, true] {
            list.add(.edge, "nonfinite", options: opts(.string("none"), full: full), random: false) { _ in
                ["input": fixed([6], [.nan, 1, .infinity, 1, 2, .infinity]),
                 "target": fixed([6], [0, 0, 0, .nan, -.infinity, .infinity]),
                 "var": fixed([6], [1, .nan, 1, 1, .infinity, 2])]
            }
        }
        ElementwiseCatalogue.empties(&list, reductions: Sweep.reductions) { shape in
            ["input": fixed(shape, []), "target": fixed(shape, []), "var": fixed(shape, [])]
        }
        ElementwiseCatalogue.empties(&list, reductions: [.string("sum"), .string("mean")], shapes: [[0, 2]]) { shape in
            // Homoscedastic var of the empty batch.
            ["input": fixed(shape, []), "target": fixed(shape, []), "var": fixed([0], [])]
        }

        // Errors.
        list.error(.invalidValue, "negative-var", argument: "var", "has a negative entry (-0.5)") { r in
            ["input": r.normal([2, 3]), "target": r.normal([2, 3]), "var": rounded([2, 3], [1, 2, -0.5, 1, 1, 1])]
        }
        list.error(.invalidValue, "negative-var", argument: "var", "has a tiny negative entry (-1e-30)") { r in
            ["input": r.normal([3]), "target": r.normal([3]), "var": rounded([3], [1, -1e-30, 1])]
        }
        list.error(.invalidValue, "negative-var", argument: "var",
                   "negative entry and also of incorrect size [2]: the value check comes first") { r in
            ["input": r.normal([3, 2]), "target": r.normal([3, 2]), "var": rounded([2], [-1, 1])]
        }
        let badVar: [([Int], [Int], String)] = [
            ([3, 2], [2], "[2] is neither the input's shape [3, 2] nor [3] nor [3, 2] with one dimension set to 1"),
            ([3, 2], [], "a 0-dim var with a 2-D input [3, 2]"),
            ([3, 2], [1, 1], "[1, 1] differs from input [3, 2] in two dimensions"),
            ([3, 2], [3, 2, 1], "[3, 2, 1] has more dimensions than input [3, 2]"),
            ([2, 3, 4], [3, 4], "[3, 4] drops the leading, not the trailing, dimension of input [2, 3, 4]"),
            ([4, 3], [4, 2], "[4, 2] has size 2 where input [4, 3] has 3"),
        ]
        for (xs, vs, what) in badVar {
            list.error(.shapeMismatch, "var-size", argument: "var", "var is of incorrect size: \(what)") { r in
                ["input": r.normal(xs), "target": r.normal(xs), "var": r.uniform(vs, 0.5, 2)]
            }
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 5] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": r.normal([3, 5]), "var": r.uniform([3, 4], 0.5, 2)]
        }
        let xyv: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.normal([3, 4]), "target": r.normal([3, 4]), "var": r.uniform([3, 4], 0.5, 2)]
        }
        ElementwiseCatalogue.invalidReductions(&list, ["avg", "batchmean", "elementwise_mean", ""],
                                               allowed: "'none', 'mean', 'sum' (compared as strings)", xyv)
        list.error(.invalidValue, "dtype", argument: "var", "an int64 tensor (PyTorch cannot clamp it to the float eps in place)") { r in
            ["input": r.normal([3]), "target": r.normal([3]), "var": r.integers([3], 1, 3)]
        }
        return list.recipes
    }

    /// Variances: mostly in (0.05, 3), some near 0 (below the default eps 1e-6 after rounding).
    static func variances(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue {
        r.tensor(shape) { r in r.bool(0.9) ? r.uniform(0.05, 3) : r.uniform(0, 2e-6) }
    }
}
