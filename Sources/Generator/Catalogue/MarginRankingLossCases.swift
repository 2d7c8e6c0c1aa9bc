import LossSpec

/// Option values and recipes shared by the margin losses (margin_ranking, hinge_embedding,
/// cosine_embedding): each takes one `margin` of any sign and the generic reduction.
enum MarginSweep {
    /// Float32-exact margins: PyTorch rounds a Python margin to the tensor dtype in float32, so a
    /// Double-only margin would give Float32 ports a different kink. 0.7 and −3.14 are not exact
    /// in binary; their Float32 roundings are.
    static let margins: [Double] = [0, 0.5, 0.7, 1, 7, -3.14].map { Double(Float($0)) }

    /// A few margins drawn once from a fixed generator, so they stay stable across catalogue edits.
    static let randomMargins: [Double] = {
        var r = SeededRNG(seed: 0x6d61_7267_696e)
        return (0..<3).map { _ in r.uniform(-2, 3) }
    }()

    static func options(_ reduction: JSONValue, _ margin: Double) -> [String: JSONValue] {
        ["reduction": reduction, "margin": .number(margin)]
    }

    /// Labels that are mostly ±1 with values PyTorch does not restrict: 0, 2, −0.5.
    static func mixedLabels(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue {
        r.tensor(shape) { $0.pick([1, -1, 1, -1, 0, 2, -0.5]) }
    }

    /// The reduction and non-tensor error cases every margin loss shares: bad reduction strings, an
    /// option the loss does not take, a tensor argument it does not take, an int64 tensor.
    static func commonErrors(_ list: inout RecipeList, inputs: @escaping @Sendable (inout SeededRNG) -> [String: TensorValue],
                             floatArgument: String) {
        for bad in ["avg", "batchmean", "", "Sum"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)], inputs: inputs)
        }
        list.error(.invalidOption, "option", argument: "p", "the loss takes no option 'p'",
                   options: ["p": .number(2)], inputs: inputs)
        list.error(.invalidOption, "option", argument: "margin", "a string is not a number",
                   options: ["margin": .string("1")], inputs: inputs)
        list.error(.invalidOption, "argument", argument: "weight", "the loss takes no tensor 'weight'") { r in
            var a = inputs(&r)
            a["weight"] = r.uniform([3], 0, 1)
            return a
        }
        list.error(.invalidValue, "dtype", argument: floatArgument, "an int64 tensor; floating point is required",
                   deviation: "int64-promotion") { r in
            var a = inputs(&r)
            if case .float64(let t)? = a[floatArgument] {
                a[floatArgument] = .int64(Tensor(shape: t.shape, scalars: t.scalars.map { Int64($0.rounded()) }))
            }
            return a
        }
    }
}

/// margin_ranking_loss: `max(0, −y·(x1 − x2) + margin)` over three tensors of equal rank that
/// broadcast together (Docs/Losses/margin_ranking_loss.md). Covers every reduction × margin × shape class, labels beyond ±1,
/// broadcasting of each argument, SIMD and chunk sizes, exact kinks, NaN/±inf, empties and errors.
enum MarginRankingLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.marginRankingLoss)
        let o = MarginSweep.options
        let margins = MarginSweep.margins + MarginSweep.randomMargins

        // Random: every reduction × margin on a batch; every reduction × shape class.
        for reduction in Sweep.reductions {
            for margin in margins {
                list.add(.random, "margin", options: o(reduction, margin)) { r in
                    ["input1": r.normal([12], std: 2), "input2": r.normal([12], std: 2), "target": r.signs([12])]
                }
            }
            for shape in [[], [1], [7], [3, 5], [2, 3, 4], [2, 1, 3, 2]] as [[Int]] {
                list.add(.random, "shapes", options: o(reduction, 0.5)) { r in
                    ["input1": r.normal(shape), "input2": r.normal(shape), "target": r.signs(shape)]
                }
            }
            // Labels are not restricted to ±1: 0 gives max(0, margin), |y| > 1 scales.
            list.add(.random, "labels", options: o(reduction, 0.7)) { r in
                ["input1": r.normal([4, 6]), "input2": r.normal([4, 6]), "target": MarginSweep.mixedLabels(&r, [4, 6])]
            }
            list.add(.random, "labels", options: o(reduction, -0.5)) { r in
                ["input1": r.normal([10]), "input2": r.normal([10]), "target": r.normal([10])]
            }
            // Broadcasting of equal-rank tensors: each argument along a different dimension.
            let broadcasts: [([Int], [Int], [Int])] = [
                ([5, 2], [5, 1], [1, 2]), ([1, 2], [5, 2], [5, 1]), ([5, 1], [1, 2], [5, 2]),
                ([3, 1, 4], [1, 2, 1], [3, 2, 4]), ([1, 1], [4, 3], [1, 1]),
            ]
            for (s1, s2, sy) in broadcasts {
                list.add(.random, "broadcast", options: o(reduction, 0.5)) { r in
                    ["input1": r.normal(s1), "input2": r.normal(s2), "target": r.signs(sy)]
                }
            }
        }
        // SIMD widths and one parallel chunk boundary (4 K elements per chunk; one case only, to
        // keep the database small: each element stores nine float64 values).
        for (i, n) in (Shapes.simdSizes + [1000, 4099]).enumerated() {
            let reduction = n > 1000 ? Sweep.reductions[1 + i % 2] : Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: o(reduction, margins[i % margins.count])) { r in
                ["input1": r.normal([n], std: 2), "input2": r.normal([n], std: 2), "target": MarginSweep.mixedLabels(&r, [n])]
            }
        }
        // Broadcast across chunk boundaries: a row of input2 against many rows.
        list.add(.random, "sizes-broadcast", options: o(.string("sum"), 0.25)) { r in
            ["input1": r.normal([600, 30]), "input2": r.normal([1, 30]), "target": r.signs([600, 1])]
        }

        // Edge: the hinge argument exactly 0 (gradient 0), both label signs, several margins;
        // each row also has points on both sides of the kink.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            for (margin, x1, x2, y) in [(0.0, 1.25, 1.25, 1.0), (0.5, 1.5, 1.0, 1.0), (0.5, 0.25, 0.75, -1.0),
                                        (1.0, 3.0, 2.0, 1.0), (7.0, -3.0, 4.0, -1.0), (-3.0, -1.0, 2.0, 1.0),
                                        (0.5, 2.0, 1.75, 2.0)] {
                list.add(.edge, "kink", options: o(reduction, margin), random: false) { _ in
                    ["input1": fixed([3], [x1, x1 + 1, x1 - 1]), "input2": fixed([3], [x2, x2, x2]),
                     "target": fixed([3], [y, y, y])]
                }
            }
        }
        // Edge: y = 0 (constant max(0, margin), zero input gradients but a target gradient).
        for margin in [0.0, 1.0, -1.0] {
            list.add(.edge, "zero-label", options: o(.string("none"), margin), random: false) { _ in
                ["input1": fixed([3], [1, -2, 0.5]), "input2": fixed([3], [0.5, 3, 0.5]), "target": fixed([3], [0, 0, 0])]
            }
        }
        // Edge: NaN and ±inf propagate through the hinge (a NaN argument has slope 0 but its target
        // gradient is NaN·0 = NaN); inf − inf is NaN; large finite values stay finite in Float32.
        for reduction in Sweep.reductions {
            list.add(.edge, "nonfinite", options: o(reduction, 0.5), random: false) { _ in
                ["input1": fixed([7], [.nan, 1, .infinity, -.infinity, .infinity, 2, 1]),
                 "input2": fixed([7], [0, .nan, 0, 0, .infinity, 1, 1]),
                 "target": fixed([7], [1, -1, -1, -1, 1, .nan, .infinity])]
            }
            list.add(.edge, "large", options: o(reduction, 0)) { r in
                ["input1": r.normal([8], std: 1e30), "input2": r.normal([8], std: 1e30), "target": r.signs([8])]
            }
        }
        // Edge: empty tensors (mean NaN, sum 0), including an empty broadcast.
        for reduction in Sweep.reductions {
            for (s1, s2) in [([0], [0]), ([0, 3], [0, 3]), ([2, 0], [1, 0]), ([0, 1], [0, 4])] as [([Int], [Int])] {
                list.add(.edge, "empty", options: o(reduction, 1), random: false) { _ in
                    ["input1": fixed(s1, []), "input2": fixed(s2, []), "target": fixed(s1, [])]
                }
            }
        }

        // Errors: ranks must agree before broadcasting; sizes must broadcast.
        list.error(.shapeMismatch, "rank", argument: "input2", "rank 1 [2] against input1 of rank 2 [1, 2]") { r in
            ["input1": r.normal([1, 2]), "input2": r.normal([2]), "target": r.signs([1, 2])]
        }
        list.error(.shapeMismatch, "rank", argument: "target", "rank 0 [] against inputs of rank 1 [4]") { r in
            ["input1": r.normal([4]), "input2": r.normal([4]), "target": r.signs([])]
        }
        list.error(.shapeMismatch, "rank", argument: "target", "rank 3 [1, 5, 2] against inputs of rank 2 [5, 2]") { r in
            ["input1": r.normal([5, 2]), "input2": r.normal([5, 2]), "target": r.signs([1, 5, 2])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "input2", "[5, 3] does not broadcast with input1 [5, 2]") { r in
            ["input1": r.normal([5, 2]), "input2": r.normal([5, 3]), "target": r.signs([5, 1])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "[4] does not broadcast with the inputs [3]") { r in
            ["input1": r.normal([3]), "input2": r.normal([3]), "target": r.signs([4])]
        }
        MarginSweep.commonErrors(&list, inputs: { r in
            ["input1": r.normal([3]), "input2": r.normal([3]), "target": r.signs([3])]
        }, floatArgument: "input2")
        return list.recipes
    }
}
