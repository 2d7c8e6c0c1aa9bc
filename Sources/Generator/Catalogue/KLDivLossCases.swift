import LossSpec

/// kl_div: log_target × every reduction (with 'batchmean' on 0-dim, 1-D, batched and broadcast
/// inputs, where it divides by the input's own first size) on every shape class, targets at 0
/// (xlogy gives 0 forward and a NaN target gradient), y < 0 (NaN), x = −inf, extreme log-targets
/// (≤ 80 so exp stays finite in Float32), non-finite values, sizes, empties and errors.
enum KLDivLossCases {
    static let reductions: [JSONValue] = Sweep.reductions + [.string("batchmean")]

    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.klDiv)
        func opts(_ reduction: JSONValue, _ logTarget: Bool) -> [String: JSONValue] {
            ["reduction": reduction, "log_target": .bool(logTarget)]
        }

        // Random: every reduction × log_target × shape class.
        let shapes: [[Int]] = [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]]
        for logTarget in [false, true] {
            for reduction in reductions {
                for shape in shapes {
                    list.add(.random, "shapes", options: opts(reduction, logTarget)) { r in
                        ["input": logProbabilities(&r, shape), "target": targets(&r, shape, log: logTarget)]
                    }
                }
                // Broadcasting: the target widens the input's rows (batchmean still divides by the
                // input's size(0) = 1); the input widens the target; both broadcast.
                list.add(.random, "broadcast", options: opts(reduction, logTarget)) { r in
                    ["input": logProbabilities(&r, [1, 5]), "target": targets(&r, [4, 5], log: logTarget)]
                }
                list.add(.random, "broadcast", options: opts(reduction, logTarget)) { r in
                    ["input": logProbabilities(&r, [4, 5]), "target": targets(&r, [5], log: logTarget)]
                }
                list.add(.random, "broadcast", options: opts(reduction, logTarget)) { r in
                    ["input": logProbabilities(&r, [3, 1]), "target": targets(&r, [2, 1, 4], log: logTarget)]
                }
            }
        }
        ElementwiseCatalogue.sizes(&list, reductions: reductions,
                                   options: [opts(.string("none"), false), opts(.string("none"), true)],
                                   crossChunk: false) { r, n in
            ["input": logProbabilities(&r, [n]), "target": r.uniform([n], 0, 1)]
        }
        list.add(.random, "sizes", options: opts(.string("batchmean"), true)) { r in
            // Across a chunk boundary: 17 rows of 300, divided by the batch size.
            ["input": logProbabilities(&r, [17, 300]), "target": r.uniform([17, 300], -6, 0)]
        }

        // Edge: y = 0 contributes xlogy(0, 0) = 0 but its target gradient is NaN; y < 0 → NaN;
        // y = 0 with x = −inf → 0·(−inf) = NaN; y > 0 with x = −inf → +inf; y = 1 (log 1 = 0).
        for reduction in reductions {
            list.add(.edge, "zero-target", options: opts(reduction, false), random: false) { _ in
                ["input": rounded([8], [-1, -0.5, 0, -3, -1, -2, -0.25, 2]),
                 "target": rounded([8], [0, 0.5, 0, 1, 0.25, 0, 1e-30, 0])]
            }
        }
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "invalid-target", options: opts(reduction, false), random: false) { _ in
                ["input": fixed([6], [-1, 0, -.infinity, -.infinity, -2, -1]),
                 "target": fixed([6], [-0.5, -1e-3, 0, 0.5, 2, 1e-3].map { Double(Float($0)) })]
            }
            // log_target: y = −inf is exp(−inf)·(−inf − x) = 0·(−inf) = NaN; y = 0 is p = 1; ±80 keep
            // exp(y) a normal Float32 (below −87 it is subnormal, with few significant bits).
            list.add(.edge, "log-target-special", options: opts(reduction, true), random: false) { _ in
                ["input": fixed([6], [-1, -2, -.infinity, 0, -1, -3]),
                 "target": fixed([6], [-.infinity, 0, -1, 2, -80, 80])]
            }
        }
        // Edge: NaN and infinities propagate.
        for logTarget in [false, true] {
            list.add(.edge, "nonfinite", options: opts(.string("none"), logTarget), random: false) { _ in
                ["input": fixed([5], [.nan, -1, .infinity, -.infinity, 1]),
                 "target": fixed([5], [0.5, .nan, 0.5, 0.25, .infinity])]
            }
        }
        ElementwiseCatalogue.empties(&list, reductions: reductions) { shape in
            ["input": fixed(shape, []), "target": fixed(shape, [])]
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": logProbabilities(&r, [3, 4]), "target": r.uniform([3, 4], 0, 1)]
        }
        ElementwiseCatalogue.invalidReductions(&list, ["avg", "", "BATCHMEAN", "batch_mean"],
                                               allowed: "'none', 'mean', 'sum', 'batchmean'", xy)
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 5] does not broadcast with input [3, 4]") { r in
            ["input": logProbabilities(&r, [3, 4]), "target": r.uniform([3, 5], 0, 1)]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 2] does not broadcast with input [3]") { r in
            ["input": logProbabilities(&r, [3]), "target": r.uniform([3, 2], 0, 1)]
        }
        list.error(.invalidValue, "dtype", argument: "input", "an int64 tensor; floating point is required") { r in
            ["input": r.integers([3], -3, 0), "target": r.uniform([3], 0, 1)]
        }
        list.error(.invalidValue, "dtype", argument: "target", "an int64 tensor; floating point is required") { r in
            ["input": logProbabilities(&r, [3]), "target": r.integers([3], 0, 1)]
        }
        return list.recipes
    }

    /// Log-probabilities: mostly negative, some above 0 (kl_div does not check).
    static func logProbabilities(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue {
        r.normal(shape, mean: -2, std: 1.5)
    }

    /// Probabilities in [0, 1), with exact zeros, or log-probabilities.
    static func targets(_ r: inout SeededRNG, _ shape: [Int], log: Bool) -> TensorValue {
        log ? r.normal(shape, mean: -2, std: 1.5) : r.tensor(shape) { r in r.bool(0.1) ? 0 : r.unit() }
    }
}
