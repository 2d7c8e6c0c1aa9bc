import LossSpec

/// cross_entropy: the shared class-index catalogue on logits N(0, 2), then label smoothing
/// (alone, with weight, ignore_index, K-dim and unbatched input; ε ≤ 0 is no smoothing),
/// class-probability targets (every layout, unnormalised and normalised, weight, smoothing,
/// C = 1, C = 0, empty), extreme and non-finite logits, the one large case, and the errors of
/// the target-selection rule and of ε.
enum CrossEntropyLossCases {
    static func logits(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue { r.normal(shape, std: 2) }

    static func recipes() -> [CaseRecipe] {
        var list = ClassIndexCases.recipes(.crossEntropy, draw: logits)
        func opts(_ reduction: JSONValue, _ eps: Double? = nil, ignore: Int? = nil) -> [String: JSONValue] {
            var o: [String: JSONValue] = ["reduction": reduction]
            if let eps { o["label_smoothing"] = .number(eps) }
            if let ignore { o["ignore_index"] = .number(Double(ignore)) }
            return o
        }

        // Label smoothing, index targets.
        for reduction in Sweep.reductions {
            for eps in [0.1, 0.15, 0.5, 1] {
                list.add(.random, "smoothing", options: opts(reduction, eps)) { r in
                    ["input": logits(&r, [6, 5]), "target": ClassIndexCases.targets(&r, [6], classes: 5)]
                }
            }
            list.add(.random, "smoothing-weight", options: opts(reduction, 0.15)) { r in
                ["input": logits(&r, [6, 5]), "target": ClassIndexCases.targets(&r, [6], classes: 5), "weight": r.uniform([5], 0.25, 2)]
            }
            list.add(.random, "smoothing-ignore", options: opts(reduction, 0.1, ignore: 2)) { r in
                ["input": logits(&r, [8, 5]), "target": ClassIndexCases.targets(&r, [8], classes: 5, ignore: 2)]
            }
            list.add(.random, "smoothing-weight-ignore", options: opts(reduction, 0.5, ignore: -1)) { r in
                ["input": logits(&r, [8, 5]), "target": ClassIndexCases.targets(&r, [8], classes: 5, ignore: -1), "weight": r.uniform([5], -0.5, 2)]
            }
            list.add(.random, "smoothing-kdim", options: opts(reduction, 0.5)) { r in
                ["input": logits(&r, [2, 4, 3, 2]), "target": ClassIndexCases.targets(&r, [2, 3, 2], classes: 4)]
            }
            list.add(.random, "smoothing-unbatched", options: opts(reduction, 1)) { r in
                ["input": logits(&r, [7]), "target": ClassIndexCases.targets(&r, [], classes: 7)]
            }
        }
        // ε ≤ 0 means no smoothing, without an error.
        for eps in [-0.5, 0.0] {
            list.add(.random, "smoothing-nonpositive", options: opts(.string("mean"), eps)) { r in
                ["input": logits(&r, [6, 5]), "target": ClassIndexCases.targets(&r, [6], classes: 5)]
            }
        }

        // Class-probability targets (the target has the input's shape), unnormalised in [0, 1).
        for reduction in Sweep.reductions {
            for shape in ClassIndexCases.shapes.prefix(4) {
                list.add(.random, "prob", options: opts(reduction)) { r in
                    ["input": logits(&r, shape), "target": r.uniform(shape, 0, 1)]
                }
            }
            list.add(.random, "prob-weight", options: opts(reduction)) { r in
                ["input": logits(&r, [5, 4]), "target": r.uniform([5, 4], 0, 1), "weight": r.uniform([4], -0.5, 2)]
            }
            list.add(.random, "prob-smoothing", options: opts(reduction, [0.1, 0.5, 1][reductionIndex(reduction)])) { r in
                ["input": logits(&r, [5, 4]), "target": r.uniform([5, 4], 0, 1)]
            }
            list.add(.random, "prob-smoothing-weight", options: opts(reduction, 0.15)) { r in
                ["input": logits(&r, [2, 4, 3]), "target": r.uniform([2, 4, 3], 0, 1), "weight": r.uniform([4], 0.25, 2)]
            }
            list.add(.edge, "prob-empty", options: opts(reduction), random: false) { _ in
                ["input": fixed([0, 3], []), "target": fixed([0, 3], [])]
            }
            // C = 0: −0.0 per position, 'mean' NaN.
            list.add(.edge, "prob-no-class", options: opts(reduction), random: false) { _ in
                ["input": fixed([2, 0], []), "target": fixed([2, 0], [])]
            }
        }
        // Rows that sum to 1 (rounded to Float32), a negative ignore_index other than −100, C = 1.
        list.add(.random, "prob-normalised", options: opts(.string("mean"))) { r in
            let raw = (0..<24).map { _ in r.uniform(0, 1) }
            let rows = stride(from: 0, to: 24, by: 6).flatMap { i -> [Double] in
                let s = raw[i..<i + 6].reduce(0, +)
                return raw[i..<i + 6].map { Double(Float($0 / s)) }
            }
            return ["input": logits(&r, [4, 6]), "target": fixed([4, 6], rows)]
        }
        list.add(.random, "prob-ignore-negative", options: opts(.string("sum"), ignore: -1)) { r in
            ["input": logits(&r, [3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        list.add(.random, "prob-one-class", options: opts(.string("none"))) { r in
            ["input": logits(&r, [4, 1]), "target": r.uniform([4, 1], 0, 2)]
        }
        list.add(.random, "prob-rows", options: opts(.string("sum"), 0.1)) { r in
            ["input": logits(&r, [70, 33]), "target": r.uniform([70, 33], 0, 1)]
        }

        // Extreme logits: ±100 and ±800 stay finite through the max shift; targeted at the row's
        // maximum, its minimum and in between, with and without smoothing.
        let extreme = fixed([4, 4], [100, -100, 0, 1, 800, -800, 0, 3, -800, 800, 800, 0, 0.5, -100, 100, -800])
        for eps in [0.0, 0.1] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "extreme", options: opts(reduction, eps), random: false) { _ in
                    ["input": extreme, "target": fixedInt([4], [0, 1, 2, 3])]
                }
            }
        }
        list.add(.edge, "extreme-prob", options: opts(.string("none")), random: false) { _ in
            ["input": extreme, "target": fixed([4, 4], [0.25, 0.5, 0, 1, 1, 0.125, 0, 0.5, 0, 0.5, 0.5, 0, 0, 0.25, 0.75, 1])]
        }
        // −inf logits: untargeted is harmless, targeted gives inf; smoothing touches every class
        // (inf); a probability 0 at −inf gives 0·(−inf) = NaN. NaN, +inf and all-(−inf) rows are NaN.
        let ninf = -Double.infinity
        let withInf = fixed([3, 4], [ninf, 1, 2, -1, 0.5, ninf, ninf, 2, 1, 2, 3, ninf])
        for eps in [0.0, 0.1] {
            list.add(.edge, "neg-inf", options: opts(.string("none"), eps), random: false) { _ in
                ["input": withInf, "target": fixedInt([3], [1, 1, 2])]
            }
        }
        list.add(.edge, "neg-inf", options: opts(.string("mean")), random: false) { _ in
            ["input": withInf, "target": fixedInt([3], [2, 3, 0])]
        }
        list.add(.edge, "neg-inf-prob", options: opts(.string("none")), random: false) { _ in
            ["input": withInf, "target": fixed([3, 4], [0, 0.5, 0.5, 0, 0.25, 0.25, 0, 0.5, 1, 0, 0, 0])]
        }
        list.add(.edge, "nonfinite", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([4, 3], [.nan, 1, -1, .infinity, -2, 3, ninf, ninf, ninf, 1, 2, 3]),
             "target": fixedInt([4], [1, 0, 0, 2])]
        }

        // The one large case of this group (100 K logits; scalar output).
        list.add(.random, "large", options: opts(.string("mean"))) { r in
            ["input": logits(&r, [100, 1000]), "target": ClassIndexCases.targets(&r, [100], classes: 1000)]
        }

        // Errors of the target-selection rule and of ε.
        list.error(.invalidOption, "prob-ignore-index", argument: "ignore_index",
                   "0 with a class-probability target; only negative values are accepted",
                   options: ["ignore_index": .number(0)]) { r in
            ["input": logits(&r, [3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        list.error(.invalidOption, "prob-ignore-index", argument: "ignore_index",
                   "7 (outside [0, C)) with a class-probability target", options: ["ignore_index": .number(7)]) { r in
            ["input": logits(&r, [3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        list.error(.invalidValue, "prob-dtype", argument: "target",
                   "int64 tensor of the input's shape [3, 4]; class probabilities must be floating point") { r in
            ["input": logits(&r, [3, 4]), "target": r.integers([3, 4], 0, 1)]
        }
        list.error(.invalidValue, "index-dtype", argument: "target",
                   "float64 tensor of shape [3] for input [3, 4]; class indices must be int64") { r in
            ["input": logits(&r, [3, 4]), "target": fixed([3], [0, 1, 2])]
        }
        list.error(.invalidOption, "smoothing", argument: "label_smoothing", "1.5 > 1",
                   options: ["label_smoothing": .number(1.5)]) { r in
            ["input": logits(&r, [3, 4]), "target": ClassIndexCases.targets(&r, [3], classes: 4)]
        }
        list.error(.invalidOption, "smoothing", argument: "label_smoothing", "1.0001 > 1 with a probability target",
                   options: ["label_smoothing": .number(1.0001)]) { r in
            ["input": logits(&r, [3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        return list.recipes
    }

    private static func reductionIndex(_ r: JSONValue) -> Int {
        Sweep.reductions.firstIndex(of: r) ?? 0
    }
}
