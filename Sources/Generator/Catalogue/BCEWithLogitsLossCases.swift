import LossSpec

/// binary_cross_entropy_with_logits: strict input/target shape equality, weight and pos_weight
/// that broadcast without enlarging (pos_weight (C,) for (N, C), (C, 1, 1) for (C, H, W)), targets
/// not range-checked, and the stable logσ form that keeps ±100 and ±800 logits finite.
enum BCEWithLogitsLossCases {
    typealias L = LogisticCases

    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.binaryCrossEntropyWithLogits)
        func opts(_ reduction: JSONValue) -> [String: JSONValue] { ["reduction": reduction] }
        @Sendable func logits(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue { r.normal(shape, std: 3) }
        @Sendable func posWeight(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue { r.uniform(shape, 0.25, 4) }

        for reduction in Sweep.reductions {
            // Every shape class, soft and hard targets.
            for shape in [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]] {
                list.add(.random, "shapes", options: opts(reduction)) { r in
                    ["input": logits(&r, shape), "target": L.targets(&r, shape, hard: false)]
                }
            }
            list.add(.random, "hard-targets", options: opts(reduction)) { r in
                ["input": logits(&r, [4, 5]), "target": L.targets(&r, [4, 5], hard: true)]
            }
            // pos_weight (C,) on (N, C): alone, with a full weight, with a per-class weight.
            for wshape in [nil, [4, 6], [6]] as [[Int]?] {
                list.add(.random, "pos-weight-nc", options: opts(reduction)) { r in
                    var a = ["input": logits(&r, [4, 6]), "target": L.targets(&r, [4, 6], hard: true),
                             "pos_weight": posWeight(&r, [6])]
                    if let wshape { a["weight"] = r.uniform(wshape, 0, 2) }
                    return a
                }
            }
            // pos_weight (C, 1, 1) on (C, H, W): alone, with a spatial weight (H, W), with a (C, 1, 1) weight.
            for wshape in [nil, [3, 4], [3, 1, 1]] as [[Int]?] {
                list.add(.random, "pos-weight-chw", options: opts(reduction)) { r in
                    var a = ["input": logits(&r, [3, 3, 4]), "target": L.targets(&r, [3, 3, 4], hard: false),
                             "pos_weight": posWeight(&r, [3, 1, 1])]
                    if let wshape { a["weight"] = r.uniform(wshape, 0, 2) }
                    return a
                }
            }
            // Weight alone: 0-dim, per class, per row, full.
            for wshape in [[], [6], [4, 1], [4, 6]] {
                list.add(.random, "weight", options: opts(reduction)) { r in
                    ["input": logits(&r, [4, 6]), "target": L.targets(&r, [4, 6], hard: false),
                     "weight": r.uniform(wshape, 0, 2)]
                }
            }
            // Targets outside [0, 1] are used as given (no range check), with and without pos_weight.
            list.add(.random, "target-outside", options: opts(reduction)) { r in
                ["input": logits(&r, [3, 5]), "target": r.uniform([3, 5], -1, 2)]
            }
            list.add(.random, "target-outside-pos-weight", options: opts(reduction)) { r in
                ["input": logits(&r, [3, 5]), "target": r.uniform([3, 5], -1, 2), "pos_weight": posWeight(&r, [5]),
                 "weight": r.uniform([3, 1], 0.5, 2)]
            }
        }
        // pos_weight shapes: 0-dim, a (1, C) row, the full shape; 0-dim input with 0-dim arguments.
        for pshape in [[], [1, 6], [4, 6]] {
            list.add(.random, "pos-weight-shape", options: opts(.string("none"))) { r in
                ["input": logits(&r, [4, 6]), "target": L.targets(&r, [4, 6], hard: false), "pos_weight": posWeight(&r, pshape)]
            }
        }
        list.add(.random, "scalar-all", options: opts(.string("none"))) { r in
            ["input": logits(&r, []), "target": L.targets(&r, [], hard: false), "pos_weight": posWeight(&r, []),
             "weight": r.uniform([], 0, 2)]
        }

        // SIMD widths and one parallel-chunk boundary.
        for (i, n) in (Shapes.simdSizes + [4099]).enumerated() {
            let reduction = n > 4096 ? JSONValue.string("sum") : Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: opts(reduction)) { r in
                ["input": logits(&r, [n]), "target": L.targets(&r, [n], hard: i % 2 == 1)]
            }
        }
        for (i, n) in [17, 33, 129].enumerated() {
            list.add(.random, "sizes-weights", options: opts(Sweep.reductions[i])) { r in
                ["input": logits(&r, [2, n]), "target": L.targets(&r, [2, n], hard: true),
                 "pos_weight": posWeight(&r, [n]), "weight": r.uniform([2, 1], 0, 2)]
            }
        }

        // Edge: extreme logits against both labels and a soft target, with and without pos_weight.
        let n = L.extremeLogits.count * L.extremeTargets.count
        let xs = (0..<n).map { L.extremeLogits[$0 % L.extremeLogits.count] }
        let ys = (0..<n).map { L.extremeTargets[$0 / L.extremeLogits.count] }
        for reduction in Sweep.reductions {
            list.add(.edge, "extreme-logits", options: opts(reduction), random: false) { _ in
                ["input": fixed([n], xs), "target": fixed([n], ys)]
            }
        }
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "extreme-logits-pos-weight", options: opts(reduction), random: false) { _ in
                ["input": fixed([3, n / 3], xs), "target": fixed([3, n / 3], ys),
                 "pos_weight": fixed([n / 3], L.cycle([0.5, 3, 1, 0.25], n / 3)), "weight": fixed([3, 1], [1, 0.5, 2])]
            }
        }
        // Zero pos_weight and zero weight elements.
        list.add(.edge, "zero-weights", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([2, 3], [2, -1, 0.5, -3, 0, 4]), "target": fixed([2, 3], [1, 0.5, 1, 0, 1, 0.25]),
             "pos_weight": fixed([3], [0, 2, 0]), "weight": fixed([2, 1], [1, 0])]
        }
        // NaN and +inf logits propagate (y = 1 with x = +inf gives 0·inf = NaN, as in PyTorch).
        // x = −inf is left out: PyTorch's (1 − y)·x − logσ(x) gives −inf + inf = NaN for every y,
        // where the Reference's stable form gives the limit.
        let nonfiniteX: [Double] = [.nan, .infinity, .infinity, .infinity, 1, .nan, 0, -3]
        let nonfiniteY: [Double] = [1, 0, 0.5, 1, 0.5, 0, 0.25, 1]
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "nonfinite", options: opts(reduction), random: false) { _ in
                ["input": fixed([8], nonfiniteX), "target": fixed([8], nonfiniteY)]
            }
        }
        list.add(.edge, "nonfinite-pos-weight", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([8], nonfiniteX), "target": fixed([8], nonfiniteY),
             "pos_weight": fixed([8], [2, 2, 2, 2, 0.5, 0.5, 0.5, 3])]
        }
        L.addEmpty(&list, shapes: [[0], [0, 3], [2, 0]])
        list.add(.edge, "empty-pos-weight", options: opts(.string("mean")), random: false) { _ in
            ["input": fixed([0, 3], []), "target": fixed([0, 3], []), "pos_weight": fixed([3], [1, 2, 3])]
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.normal([3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        L.addReductionErrors(&list, inputs: xy)
        L.addTargetShapeErrors(&list) { r, shape in r.normal(shape) }
        for argument in ["pos_weight", "weight"] {
            for (shape, what) in [([2, 3, 4], "enlarges the input [3, 4]"), ([5], "does not broadcast to [3, 4]"),
                                  ([3, 1, 4], "enlarges the input [3, 4]")] {
                list.error(.shapeMismatch, "\(argument)-shape", argument: argument, "shape \(shape) \(what)") { r in
                    ["input": r.normal([3, 4]), "target": r.uniform([3, 4], 0, 1), argument: r.uniform(shape, 0, 1)]
                }
            }
        }
        // A (C,) pos_weight on (C, H, W) aligns with W, not C.
        list.error(.shapeMismatch, "pos_weight-chw", argument: "pos_weight",
                   "shape [3] aligns with the last axis (4) of input [3, 2, 4]; (3, 1, 1) is meant") { r in
            ["input": r.normal([3, 2, 4]), "target": r.uniform([3, 2, 4], 0, 1), "pos_weight": r.uniform([3], 0, 1)]
        }
        // (int64 weight and pos_weight are promoted by PyTorch, so they are no golden error cases.)
        for argument in ["input", "target"] {
            list.error(.invalidValue, "dtype", argument: argument, "an int64 tensor; floating point is required") { r in
                var args = ["input": r.normal([3]), "target": r.uniform([3], 0, 1), "pos_weight": r.uniform([3], 0, 1),
                            "weight": r.uniform([3], 0, 1)]
                args[argument] = r.integers([3], 0, 1)
                return args
            }
        }
        return list.recipes
    }
}
