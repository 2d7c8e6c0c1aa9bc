import LossSpec

/// multilabel_soft_margin_loss: the last axis is the class axis for any input rank, target and
/// weight broadcast silently (weight (C), (N, C), (N, 1), 0-dim; a higher-rank target or weight
/// turns the class axis into a leading one, exactly as PyTorch indexes it), the weight is
/// differentiable, C = 0 gives NaN per sample, and the row sums cross SIMD widths and row chunks.
enum MultiLabelSoftMarginLossCases {
    typealias L = LogisticCases

    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.multilabelSoftMarginLoss)
        func opts(_ reduction: JSONValue) -> [String: JSONValue] { ["reduction": reduction] }
        @Sendable func logits(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue { r.normal(shape, std: 3) }

        for reduction in Sweep.reductions {
            // (C) → 0-dim, (N, C), (N, d, C), 4-d, a single class.
            for shape in [[7], [3, 5], [2, 3, 4], [2, 1, 3, 5], [4, 1]] {
                list.add(.random, "shapes", options: opts(reduction)) { r in
                    ["input": logits(&r, shape), "target": L.targets(&r, shape, hard: true)]
                }
            }
            list.add(.random, "soft-targets", options: opts(reduction)) { r in
                ["input": logits(&r, [4, 6]), "target": L.targets(&r, [4, 6], hard: false)]
            }
            // Targets outside [0, 1] are used as given: the two terms then cancel.
            list.add(.random, "target-outside", options: opts(reduction)) { r in
                ["input": logits(&r, [3, 5]), "target": r.uniform([3, 5], -1, 2)]
            }
            // Weight per class, per element, per row, 0-dim, as a (1, C) row; signed.
            for wshape in [[6], [4, 6], [4, 1], [], [1, 6]] {
                list.add(.random, "weight", options: opts(reduction)) { r in
                    ["input": logits(&r, [4, 6]), "target": L.targets(&r, [4, 6], hard: true),
                     "weight": r.uniform(wshape, 0, 2)]
                }
            }
            list.add(.random, "weight-signed", options: opts(reduction)) { r in
                ["input": logits(&r, [2, 3, 5]), "target": L.targets(&r, [2, 3, 5], hard: false),
                 "weight": r.uniform([5], -1, 2)]
            }
            // Target broadcasting: one target row for the batch, one label per row, and an input
            // row broadcast against a batch of targets (class axis still last).
            for (xshape, tshape) in [([4, 6], [6]), ([4, 6], [4, 1]), ([1, 6], [4, 6])] {
                list.add(.random, "target-broadcast", options: opts(reduction)) { r in
                    ["input": logits(&r, xshape), "target": L.targets(&r, tshape, hard: true)]
                }
            }
        }
        // A higher-rank target or weight: PyTorch sums over axis input.dim() − 1 of the broadcast
        // shape, a leading axis here.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.random, "outranked-input", options: opts(reduction)) { r in
                ["input": logits(&r, [5]), "target": L.targets(&r, [3, 5], hard: true)]
            }
            list.add(.random, "outranked-input", options: opts(reduction)) { r in
                ["input": logits(&r, [3, 4]), "target": L.targets(&r, [3, 4], hard: true), "weight": r.uniform([2, 3, 4], 0, 2)]
            }
        }

        // Class counts across SIMD widths (row tails), and row chunks: 20 rows of 250 classes
        // span several chunks; one row of 4099 classes is wider than a chunk.
        for (i, c) in Shapes.simdSizes.enumerated() {
            list.add(.random, "classes", options: opts(Sweep.reductions[i % 3])) { r in
                ["input": logits(&r, [3, c]), "target": L.targets(&r, [3, c], hard: i % 2 == 0)]
            }
        }
        for (i, c) in [17, 33, 129].enumerated() {
            list.add(.random, "classes-weight", options: opts(Sweep.reductions[i])) { r in
                ["input": logits(&r, [3, c]), "target": L.targets(&r, [3, c], hard: true), "weight": r.uniform([c], 0, 2)]
            }
        }
        list.add(.random, "chunks", options: opts(.string("sum"))) { r in
            ["input": logits(&r, [20, 250]), "target": L.targets(&r, [20, 250], hard: true), "weight": r.uniform([250], 0, 2)]
        }
        list.add(.random, "chunks", options: opts(.string("mean"))) { r in
            ["input": logits(&r, [1, 4099]), "target": L.targets(&r, [1, 4099], hard: false)]
        }

        // Edge: C = 0 gives 0/0 = NaN per sample; an empty batch gives 'mean' NaN, 'sum' 0.
        L.addEmpty(&list, shapes: [[3, 0], [0], [0, 5], [2, 0, 4]])
        list.add(.edge, "empty-classes-weight", options: opts(.string("none")), random: false) { _ in
            ["input": fixed([2, 0], []), "target": fixed([2, 0], []), "weight": fixed([0], [])]
        }
        // Extreme logits against both labels and a soft target.
        let n = L.extremeLogits.count
        for reduction in Sweep.reductions {
            list.add(.edge, "extreme-logits", options: opts(reduction), random: false) { _ in
                ["input": fixed([3, n], L.cycle(L.extremeLogits, 3 * n)),
                 "target": fixed([3, n], (0..<3 * n).map { L.extremeTargets[$0 / n] }),
                 "weight": fixed([n], L.cycle([1, 0.5, 2], n))]
            }
        }
        // NaN and ±inf logits propagate into their row only.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "nonfinite", options: opts(reduction), random: false) { _ in
                ["input": fixed([3, 3], [.nan, 1, 2, .infinity, -.infinity, 0, 1, -1, 0.5]),
                 "target": fixed([3, 3], [1, 0, 1, 0.5, 0.5, 1, 0, 1, 0])]
            }
        }
        list.add(.edge, "weight-zero", options: opts(.string("mean"))) { r in
            ["input": logits(&r, [2, 3]), "target": L.targets(&r, [2, 3], hard: true), "weight": fixed([3], [0, 0, 0])]
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.normal([3, 4]), "target": r.tensor([3, 4]) { $0.bool() ? 1 : 0 }]
        }
        L.addReductionErrors(&list, ["avg", "batchmean", "elementwise_mean", ""],
                             why: " (string comparison: no deprecated alias)", inputs: xy)
        list.error(.shapeMismatch, "input-rank", argument: "input", "a 0-dim input has no class dimension") { r in
            ["input": r.normal([]), "target": r.uniform([], 0, 1)]
        }
        for (argument, shape) in [("target", [3, 5]), ("target", [2, 1, 4, 1]), ("weight", [5]), ("weight", [2, 4])] {
            list.error(.shapeMismatch, "\(argument)-shape", argument: argument, "shape \(shape) does not broadcast with input [3, 4]") { r in
                var args = xy(&r)
                args[argument] = r.uniform(shape, 0, 1)
                return args
            }
        }
        // (An int64 target or weight is promoted by PyTorch, so it is no golden error case.)
        list.error(.invalidValue, "dtype", argument: "input", "an int64 tensor; floating point is required") { r in
            var args = xy(&r)
            args["input"] = r.integers([3, 4], 0, 1)
            return args
        }
        return list.recipes
    }
}
