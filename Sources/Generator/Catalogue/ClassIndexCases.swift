@_spi(Kernels) import LossSpec

/// The catalogue shared by the class-index losses (nll_loss, and cross_entropy with index targets):
/// the `(C)`/`(N, C)`/`(N, C, d1, …, dk)` layouts, weight, ignore_index, W-divided 'mean', empty
/// batches and the shape/range/dtype errors. Each loss adds its own options and special values.
enum ClassIndexCases {
    /// Indices in `0..<classes`, each replaced by `ignore` with probability `ignoredShare`.
    static func targets(_ r: inout SeededRNG, _ shape: [Int], classes: Int, ignore: Int? = nil,
                        ignoredShare: Double = 0.3) -> TensorValue {
        var values = [Int64]()
        for _ in 0..<Shape.count(shape) {
            let t = r.int(0, classes - 1)
            values.append(Int64(ignore.map { r.bool(ignoredShare) ? $0 : t } ?? t))
        }
        return .int64(Tensor(shape: shape, scalars: values))
    }

    /// The index-target shape of an input shape: `()` for `(C)`, else the input without dim 1.
    static func positionShape(_ input: [Int]) -> [Int] {
        input.count == 1 ? [] : [input[0]] + input.dropFirst(2)
    }

    static func classes(_ input: [Int]) -> Int { input.count == 1 ? input[0] : input[1] }

    /// The layouts: unbatched (C) with a () target, batched, and K-dim 3-D/4-D/5-D (the 4-D one
    /// goes through PyTorch's 2-D-spatial kernel, the others are reshaped).
    static let shapes: [[Int]] = [[5], [4, 5], [2, 3, 4], [2, 3, 2, 3], [2, 3, 2, 1, 2]]

    /// - Parameter draw: the input's values for a shape (log-probabilities for NLL, logits for CE).
    static func recipes(_ loss: LossKind, draw: @escaping @Sendable (inout SeededRNG, [Int]) -> TensorValue) -> RecipeList {
        var list = RecipeList(loss)
        func opts(_ reduction: JSONValue, ignore: Int? = nil) -> [String: JSONValue] {
            var o: [String: JSONValue] = ["reduction": reduction]
            if let ignore { o["ignore_index"] = .number(Double(ignore)) }
            return o
        }

        // Every layout × reduction, with and without a class weight.
        for reduction in Sweep.reductions {
            for shape in shapes {
                list.add(.random, "shapes", options: opts(reduction)) { r in
                    ["input": draw(&r, shape), "target": targets(&r, positionShape(shape), classes: classes(shape))]
                }
                list.add(.random, "weight", options: opts(reduction)) { r in
                    let c = classes(shape)
                    return ["input": draw(&r, shape), "target": targets(&r, positionShape(shape), classes: c),
                            "weight": r.uniform([c], 0.25, 2)]
                }
            }
            // Negative and zero weights: W may cancel; 'mean' divides by it all the same.
            list.add(.random, "weight-signed", options: opts(reduction)) { r in
                ["input": draw(&r, [6, 4]), "target": fixedInt([6], [0, 1, 2, 3, 1, 0]),
                 "weight": fixed([4], [1.5, -0.5, 0, 2])]
            }
            // ignore_index in range, −1, the default −100 and one above C, present in the target;
            // with a weight the ignored positions leave W too.
            for (i, ignore) in [1, -1, -100, 7].enumerated() {
                do {
                    let shape = i % 2 == 0 ? [6, 4] : [2, 4, 3]
                    list.add(.random, "ignore-index", options: opts(reduction, ignore: ignore)) { r in
                        ["input": draw(&r, shape),
                         "target": targets(&r, positionShape(shape), classes: classes(shape), ignore: ignore)]
                    }
                }
                list.add(.random, "ignore-index-weight", options: opts(reduction, ignore: ignore)) { r in
                    ["input": draw(&r, [8, 4]), "target": targets(&r, [8], classes: 4, ignore: ignore),
                     "weight": r.uniform([4], 0.25, 2)]
                }
            }
            // Every target ignored: 'mean' NaN (0/0), 'sum' 0, 'none' zeros; gradient all zero.
            list.add(.edge, "all-ignored", options: opts(reduction, ignore: 2), random: false) { _ in
                ["input": fixed([3, 4], (0..<12).map { Double($0) * 0.25 - 1 }), "target": fixedInt([3], [2, 2, 2])]
            }
            // W = 0 with valid positions: the targeted weights are 0 ('mean' 0/0 = NaN).
            list.add(.edge, "weight-zero-sum", options: opts(reduction), random: false) { _ in
                ["input": fixed([3, 3], [-1, -2, -3, -0.5, -1.5, -2.5, -4, -0.25, -1]),
                 "target": fixedInt([3], [0, 0, 2]), "weight": fixed([3], [0, 1, 0])]
            }
            // W = 0 by cancellation (+1 −1): 'mean' ±inf, or NaN, as PyTorch.
            list.add(.edge, "weight-cancelling", options: opts(reduction), random: false) { _ in
                ["input": fixed([2, 3], [-1, -2, -3, -0.5, -1.5, -2.5]),
                 "target": fixedInt([2], [0, 1]), "weight": fixed([3], [1, -1, 2])]
            }
            // Empty batch (N = 0), and a K-dim input with an empty spatial dimension.
            for shape in [[0, 4], [2, 3, 0]] {
                list.add(.edge, "empty", options: opts(reduction), random: false) { _ in
                    ["input": fixed(shape, []), "target": fixedInt(positionShape(shape), [])]
                }
            }
            // C = 1: the only class.
            list.add(.random, "one-class", options: opts(reduction)) { r in
                ["input": draw(&r, [5, 1]), "target": fixedInt([5], [0, 0, 0, 0, 0])]
            }
        }
        // Class counts across the SIMD widths, and batches across row chunks.
        for (i, c) in Shapes.simdSizes.enumerated() {
            list.add(.random, "classes", options: opts(Sweep.reductions[i % 3])) { r in
                ["input": draw(&r, [3, c]), "target": targets(&r, [3], classes: c)]
            }
        }
        for (i, shape) in [[130, 9], [257, 3], [3, 5, 600]].enumerated() {
            list.add(.random, "rows", options: opts(Sweep.reductions[1 + i % 2], ignore: 0)) { r in
                ["input": draw(&r, shape),
                 "target": targets(&r, positionShape(shape), classes: classes(shape), ignore: 0, ignoredShare: 0.1)]
            }
        }

        // Errors.
        // PyTorch's cross_entropy fails a 0-dim input on the target's dtype or an index instead.
        list.error(.shapeMismatch, "input-rank", argument: "input", "0-dim; expected (C), (N, C) or (N, C, d1, …)",
                   deviation: list.loss == .crossEntropy ? "zero-dim-class-input" : nil) { r in
            ["input": r.normal([]), "target": fixedInt([], [0])]
        }
        list.error(.shapeMismatch, "batch", argument: "target", "batch 3 differs from the input's batch 4") { r in
            ["input": draw(&r, [4, 5]), "target": targets(&r, [3], classes: 5)]
        }
        list.error(.shapeMismatch, "batch", argument: "target", "batch 3 differs from the K-dim input's batch 2") { r in
            ["input": draw(&r, [2, 3, 4]), "target": targets(&r, [3, 4], classes: 3)]
        }
        list.error(.shapeMismatch, "multi-target", argument: "target", "2-D target [4, 2] for a 2-D input [4, 5]") { r in
            ["input": draw(&r, [4, 5]), "target": targets(&r, [4, 2], classes: 5)]
        }
        list.error(.shapeMismatch, "spatial", argument: "target", "spatial size [5] differs from the input's [4]") { r in
            ["input": draw(&r, [2, 3, 4]), "target": targets(&r, [2, 5], classes: 3)]
        }
        list.error(.shapeMismatch, "spatial", argument: "target", "spatial size [3, 2] differs from the 4-D input's [2, 3]") { r in
            ["input": draw(&r, [2, 3, 2, 3]), "target": targets(&r, [2, 3, 2], classes: 3)]
        }
        list.error(.shapeMismatch, "spatial", argument: "target", "shape [2, 8] for the 4-D input [2, 3, 2, 4]; expected [2, 2, 4]") { r in
            ["input": draw(&r, [2, 3, 2, 4]), "target": targets(&r, [2, 8], classes: 3)]
        }
        list.error(.shapeMismatch, "unbatched", argument: "target", "shape [2] for a (C) input; expected () or [1]") { r in
            ["input": draw(&r, [5]), "target": fixedInt([2], [0, 1])]
        }
        list.error(.targetOutOfRange, "range", argument: "target", "class 5 with C = 5") { r in
            ["input": draw(&r, [3, 5]), "target": fixedInt([3], [0, 5, 1])]
        }
        list.error(.targetOutOfRange, "range", argument: "target", "class −1 with the default ignore_index −100") { r in
            ["input": draw(&r, [3, 5]), "target": fixedInt([3], [0, -1, 1])]
        }
        list.error(.targetOutOfRange, "range", argument: "target", "class 4 in a K-dim target with C = 3, ignore_index 3",
                   options: ["ignore_index": .number(3)]) { r in
            ["input": draw(&r, [2, 3, 2]), "target": fixedInt([2, 2], [3, 0, 4, 1])]
        }
        list.error(.targetOutOfRange, "range", argument: "target", "class 3 for an unbatched (3) input") { r in
            ["input": draw(&r, [3]), "target": fixedInt([], [3])]
        }
        list.error(.shapeMismatch, "weight", argument: "weight", "length 4 with C = 5") { r in
            ["input": draw(&r, [3, 5]), "target": targets(&r, [3], classes: 5), "weight": r.uniform([4], 0, 1)]
        }
        list.error(.shapeMismatch, "weight", argument: "weight", "2-D shape [1, 5]; must be 1-D of length C = 5") { r in
            ["input": draw(&r, [3, 5]), "target": targets(&r, [3], classes: 5), "weight": r.uniform([1, 5], 0, 1)]
        }
        list.error(.invalidValue, "weight-dtype", argument: "weight", "an int64 tensor; must be floating point") { r in
            ["input": draw(&r, [3, 5]), "target": targets(&r, [3], classes: 5), "weight": r.integers([5], 1, 2)]
        }
        for bad in ["avg", "batchmean", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)]) { r in
                ["input": draw(&r, [3, 5]), "target": targets(&r, [3], classes: 5)]
            }
        }
        list.error(.invalidOption, "ignore-index-type", argument: "ignore_index", "1.5 is not an integer",
                   options: ["ignore_index": .number(1.5)]) { r in
            ["input": draw(&r, [3, 5]), "target": targets(&r, [3], classes: 5)]
        }
        return list
    }
}
