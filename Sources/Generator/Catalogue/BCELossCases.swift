import LossSpec

/// binary_cross_entropy: probabilities in [0, 1], strict input/target shape equality, a weight
/// that broadcasts without enlarging, both logs clamped at −100 and the EPS32 gradient denominator.
///
/// The traps are at the ends of [0, 1]: x ∈ {0, 1} (clamped logs, `max(x(1 − x), EPS32)`,
/// unclamped ±inf target gradient, NaN with a zero weight), values a few ulps inside, subnormal x,
/// and the range checks (NaN input, the first Float32 value past either end).
enum BCELossCases {
    typealias L = LogisticCases

    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.binaryCrossEntropy)
        let f32 = L.f32
        func opts(_ reduction: JSONValue) -> [String: JSONValue] { ["reduction": reduction] }
        // Probabilities kept off the ends so random cases test the interior; the ends have their own cases.
        @Sendable func probs(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue { r.uniform(shape, 0.001, 0.999) }

        // Random: every reduction × shape class, soft and hard targets.
        for reduction in Sweep.reductions {
            for shape in [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]] {
                list.add(.random, "shapes", options: opts(reduction)) { r in
                    ["input": probs(&r, shape), "target": L.targets(&r, shape, hard: false)]
                }
            }
            for shape in [[6], [4, 5]] {
                list.add(.random, "hard-targets", options: opts(reduction)) { r in
                    ["input": probs(&r, shape), "target": L.targets(&r, shape, hard: true)]
                }
            }
            // Weight broadcasting into a (5, 5) input: 0-dim, a row, the last axis, a column, full.
            for wshape in [[], [1, 5], [5], [5, 1], [5, 5]] {
                list.add(.random, "weight", options: opts(reduction)) { r in
                    ["input": probs(&r, [5, 5]), "target": L.targets(&r, [5, 5], hard: false),
                     "weight": r.uniform(wshape, 0, 2)]
                }
            }
            // K-dim input with a middle-axis and a last-axis weight.
            for wshape in [[3, 1], [1, 1, 4]] {
                list.add(.random, "weight-kdim", options: opts(reduction)) { r in
                    ["input": probs(&r, [2, 3, 4]), "target": L.targets(&r, [2, 3, 4], hard: true),
                     "weight": r.uniform(wshape, 0.5, 2)]
                }
            }
            // Negative weights are not rejected: the loss then changes sign elementwise.
            list.add(.random, "weight-signed", options: opts(reduction)) { r in
                ["input": probs(&r, [9]), "target": L.targets(&r, [9], hard: false), "weight": r.uniform([9], -1, 2)]
            }
        }
        // 0-dim input with a 0-dim weight.
        list.add(.random, "scalar-weight", options: opts(.string("none"))) { r in
            ["input": probs(&r, []), "target": L.targets(&r, [], hard: false), "weight": r.uniform([], 0, 2)]
        }

        // SIMD widths and one parallel-chunk boundary (Fast splits streams into 4096-element chunks).
        for (i, n) in (Shapes.simdSizes + [4099]).enumerated() {
            let reduction = n > 4096 ? JSONValue.string("mean") : Sweep.reductions[i % 3]
            list.add(.random, "sizes", options: opts(reduction)) { r in
                ["input": r.uniform([n], 0, 1), "target": L.targets(&r, [n], hard: i % 2 == 0)]
            }
        }
        for (i, n) in [17, 33, 129].enumerated() {
            list.add(.random, "sizes-weight", options: opts(Sweep.reductions[i])) { r in
                ["input": r.uniform([2, n], 0, 1), "target": L.targets(&r, [2, n], hard: false),
                 "weight": r.uniform([n], 0, 2)]
            }
        }

        // Edge: x exactly 0 and 1 against y ∈ {0, 1, ½}: logs clamped at −100 (loss 100, 50, 0,
        // and −0.0 for x = y = 1), ∂/∂x over EPS32 (−1/EPS32 for x = 0, y = 1), ∂/∂y = ±inf.
        let endsX: [Double] = [0, 0, 0, 1, 1, 1, 0.5, 0.25]
        let endsY: [Double] = [0, 1, 0.5, 0, 1, 0.5, 0.5, 1]
        for reduction in Sweep.reductions {
            list.add(.edge, "ends", options: opts(reduction), random: false) { _ in
                ["input": fixed([8], endsX), "target": fixed([8], endsY)]
            }
        }
        // A zero weight at x ∈ {0, 1} makes ∂/∂y = 0·inf = NaN; the loss itself stays 0.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "ends-weight", options: opts(reduction), random: false) { _ in
                ["input": fixed([8], endsX), "target": fixed([8], endsY),
                 "weight": fixed([8], [0, 2, 0.5, 0, 1, 0.25, 0, 3])]
            }
        }
        // Edge: a few ulps inside the ends, the smallest normal and subnormal Float32 values (their
        // logs are near but above the −100 clamp, except the least subnormal, log ≈ −103.3),
        // and x(1 − x) just below and above EPS32.
        let nearX = [0x1p-126, 1e-40, 0x1p-149, 1e-30, 1e-13, 3e-12, 1e-7, 0x1p-24,
                     1 - 0x1p-24, 1 - 0x1p-23, 1 - 1e-4, 0.999999].map(f32)
        for (label, ys) in [("near-ends-hard", [0.0, 1]), ("near-ends-soft", [0.25, 0.875, 0.5])] {
            for reduction in [JSONValue.string("none"), .string("sum"), .string("mean")] {
                list.add(.edge, label, options: opts(reduction), random: false) { _ in
                    ["input": fixed([nearX.count], nearX), "target": fixed([nearX.count], L.cycle(ys, nearX.count))]
                }
            }
        }
        // x = y: the input gradient is exactly 0.
        list.add(.edge, "x-equals-y", options: opts(.string("none")), random: false) { _ in
            let v = [0.125, 0.5, 0.75, 0.9, 1e-3].map(f32)
            return ["input": fixed([5], v), "target": fixed([5], v)]
        }
        list.add(.edge, "weight-zero", options: opts(.string("mean"))) { r in
            ["input": probs(&r, [4]), "target": L.targets(&r, [4], hard: false), "weight": fixed([4], [0, 0, 0, 0])]
        }
        L.addEmpty(&list, shapes: [[0], [0, 3], [2, 0]])
        list.add(.edge, "empty-weight", options: opts(.string("sum")), random: false) { _ in
            ["input": fixed([0, 3], []), "target": fixed([0, 3], []), "weight": fixed([3], [1, 2, 3])]
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.uniform([3, 4], 0, 1), "target": r.uniform([3, 4], 0, 1)]
        }
        L.addReductionErrors(&list, inputs: xy)
        L.addTargetShapeErrors(&list) { r, shape in r.uniform(shape, 0, 1) }
        for (wshape, what) in [([2, 3, 4], "enlarges the input [3, 4]"), ([5], "does not broadcast to [3, 4]"),
                               ([3, 1, 4], "enlarges the input [3, 4]"), ([4, 1], "does not broadcast to [3, 4]")] {
            list.error(.shapeMismatch, "weight-shape", argument: "weight", "shape \(wshape) \(what)") { r in
                ["input": r.uniform([3, 4], 0, 1), "target": r.uniform([3, 4], 0, 1), "weight": r.uniform(wshape, 0, 1)]
            }
        }
        let outside: [(String, Double)] = [("1.5", 1.5), ("-0.1", f32(-0.1)), ("NaN", .nan), ("+inf", .infinity),
                                           ("the Float32 successor of 1", Double(Float(1).nextUp)),
                                           ("the least negative Float32", -0x1p-149)]
        for (argument, other) in [("input", "target"), ("target", "input")] {
            for (what, bad) in outside where argument == "input" || what != "+inf" {
                list.error(.invalidValue, "\(argument)-range", argument: argument, "an element is \(what), outside [0, 1]") { r in
                    var v = (0..<6).map { _ in r.uniform(0, 1) }
                    v[3] = bad
                    return [argument: fixed([2, 3], v), other: r.uniform([2, 3], 0, 1)]
                }
            }
        }
        // (An int64 weight is promoted by PyTorch, so it is no golden error case.)
        for argument in ["input", "target"] {
            list.error(.invalidValue, "dtype", argument: argument, "an int64 tensor; floating point is required") { r in
                var args = ["input": r.uniform([3], 0, 1), "target": r.uniform([3], 0, 1)]
                args[argument] = r.integers([3], 0, 1)
                return args
            }
        }
        return list.recipes
    }
}
