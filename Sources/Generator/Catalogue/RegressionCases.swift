import LossSpec

/// The catalogue shared by the `l(x − y)` losses (L1, MSE, Huber, SmoothL1): they share options
/// (reduction, the functional weight), shape policy (warn-and-broadcast) and most traps; each loss
/// adds its own parameter sweep and kinks.
enum RegressionCases {
    /// - Parameters:
    ///   - parameter: the loss's own option and values to sweep (`delta`, `beta`), if any.
    ///   - weighted: whether the functional `weight` exists.
    ///   - kinks: `|d|` values where the loss changes branch for a given parameter value.
    ///   - largeSizes: element counts beyond the SIMD sizes and Fast's 4096-element chunk: each such case
    ///     stores ~48 bytes per element (input, target, two gradients and their scales).
    static func recipes(_ loss: LossKind, parameter: (String, [Double])? = nil, weighted: Bool,
                        kinks: @escaping @Sendable (Double) -> [Double] = { _ in [0] },
                        largeSizes: [Int] = [4099, 9001]) -> RecipeList {
        var list = RecipeList(loss)
        let parameterValues: [Double?] = parameter.map { $0.1.map(Optional.some) } ?? [nil]
        func opts(_ reduction: JSONValue, _ value: Double?) -> [String: JSONValue] {
            var o: [String: JSONValue] = ["reduction": reduction]
            if let parameter, let value { o[parameter.0] = .number(value) }
            return o
        }

        // Random: every reduction × parameter value × shape class.
        let shapes: [[Int]] = [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]]
        for value in parameterValues {
            for reduction in Sweep.reductions {
                for shape in shapes {
                    list.add(.random, "shapes", options: opts(reduction, value)) { r in
                        ["input": r.normal(shape, std: 2), "target": r.normal(shape, std: 2)]
                    }
                }
                // Broadcasting: target widens the rows; input and target both broadcast.
                list.add(.random, "broadcast", options: opts(reduction, value)) { r in
                    ["input": r.normal([4, 5], std: 2), "target": r.normal([1, 5], std: 2)]
                }
                list.add(.random, "broadcast", options: opts(reduction, value)) { r in
                    ["input": r.normal([4, 1], std: 2), "target": r.normal([3], std: 2)]
                }
            }
        }
        // SIMD widths and parallel-chunk boundaries.
        for (i, n) in (Shapes.simdSizes + largeSizes).enumerated() {
            let reduction = Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: opts(reduction == .string("none") && n > 4099 ? .string("sum") : reduction,
                                                     parameterValues[i % parameterValues.count])) { r in
                ["input": r.normal([n], std: 3), "target": r.normal([n], std: 3)]
            }
        }
        if weighted {
            for reduction in Sweep.reductions {
                for shape in [[6], [3, 4]] {
                    list.add(.random, "weight", options: opts(reduction, parameterValues.last!)) { r in
                        ["input": r.normal(shape), "target": r.normal(shape), "weight": r.uniform(shape, 0, 2)]
                    }
                }
                // Negative weights are allowed; a weighted mean then divides by a cancelling sum.
                list.add(.random, "weight-signed", options: opts(reduction, parameterValues.first!)) { r in
                    ["input": r.normal([9]), "target": r.normal([9]), "weight": r.uniform([9], -1, 2)]
                }
                // The weight has the input's shape and broadcasts with it when the target widens.
                list.add(.random, "weight-broadcast", options: opts(reduction, parameterValues.first!)) { r in
                    ["input": r.normal([4, 1]), "target": r.normal([4, 3]), "weight": r.uniform([4, 1], 0.5, 2)]
                }
            }
            list.add(.edge, "weight-zero-sum", options: opts(.string("mean"), parameterValues.first!), random: false) { _ in
                ["input": fixed([2], [1, 2]), "target": fixed([2], [0, 0]), "weight": fixed([2], [0, 0])]
            }
            list.add(.edge, "weight-empty", options: opts(.string("mean"), parameterValues.first!), random: false) { _ in
                ["input": fixed([0], []), "target": fixed([0], []), "weight": fixed([0], [])]
            }
        }

        // Edge: empty tensors under every reduction (mean is NaN, sum 0).
        for reduction in Sweep.reductions {
            for shape in [[0], [0, 3], [2, 0]] {
                list.add(.edge, "empty", options: opts(reduction, parameterValues.first!), random: false) { _ in
                    ["input": fixed(shape, []), "target": fixed(shape, [])]
                }
            }
        }
        // Edge: exact kinks, from both sides and at the point itself.
        for value in parameterValues {
            for k in kinks(value ?? 1) {
                for reduction in [JSONValue.string("none"), .string("sum")] {
                    list.add(.edge, "kink", options: opts(reduction, value), random: false) { _ in
                        let xs = [1.5 + k, 1.5 - k, -2 + k, 0.25, -0.25 - k, 3]
                        let ys = [1.5, 1.5, -2, 0.25 - k, -0.25, 3 - k]
                        return ["input": fixed([6], xs.map { Double(Float($0)) }), "target": fixed([6], ys.map { Double(Float($0)) })]
                    }
                }
            }
        }
        // Edge: NaN and infinities propagate; large magnitudes stay finite in Float32.
        for reduction in Sweep.reductions {
            list.add(.edge, "nonfinite", options: opts(reduction, parameterValues.first!), random: false) { _ in
                ["input": fixed([5], [.nan, .infinity, -.infinity, 1, .infinity]),
                 "target": fixed([5], [1, .infinity, 1, -.infinity, 2])]
            }
            list.add(.edge, "large", options: opts(reduction, parameterValues.first!)) { r in
                ["input": r.normal([8], std: 1e15), "target": r.normal([8], std: 1e15)]
            }
            list.add(.edge, "tiny", options: opts(reduction, parameterValues.first!)) { r in
                ["input": r.normal([8], std: 1e-20), "target": r.normal([8], std: 1e-20)]
            }
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.normal([3, 4]), "target": r.normal([3, 4])]
        }
        for bad in ["avg", "batchmean", "", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)], inputs: xy)
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 5] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": r.normal([3, 5])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [2, 3, 4] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": r.normal([2, 3, 3])]
        }
        if weighted {
            list.error(.shapeMismatch, "weight", argument: "weight", "shape [4] differs from input [3, 4]") { r in
                ["input": r.normal([3, 4]), "target": r.normal([3, 4]), "weight": r.uniform([4], 0, 1)]
            }
            list.error(.invalidReduction, "weight-reduction", argument: "reduction",
                       "'elementwise_mean' is not accepted by the weighted path",
                       options: ["reduction": .string("elementwise_mean")]) { r in
                ["input": r.normal([3]), "target": r.normal([3]), "weight": r.uniform([3], 0, 1)]
            }
        }
        return list
    }
}
