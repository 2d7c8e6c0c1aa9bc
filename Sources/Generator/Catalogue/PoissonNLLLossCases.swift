import LossSpec

/// poisson_nll_loss: log_input × full × reduction on every shape class, broadcasting, eps, the
/// Stirling mask (y ≤ 1, y = 1 exactly, the NaN target gradient of `full` at y = 0 and y < 0),
/// x + eps ≤ 0 without log_input, extreme rates, non-finite values, sizes, empties and errors.
///
/// With log_input the rate x stays ≤ 80: exp(x) overflows Float32 above ~88.7 while float64 stays
/// finite, and the vectors are for Float32 ports too.
enum PoissonNLLLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.poissonNLLLoss)
        let modes: [(log: Bool, full: Bool)] = [(true, false), (true, true), (false, false), (false, true)]
        func opts(_ reduction: JSONValue, _ m: (log: Bool, full: Bool), eps: Double? = nil) -> [String: JSONValue] {
            var o: [String: JSONValue] = ["reduction": reduction, "log_input": .bool(m.log), "full": .bool(m.full)]
            if let eps { o["eps"] = .number(eps) }
            return o
        }

        // Random: every mode × reduction × shape class. Counts are mostly integers (some 0 and 1,
        // where the Stirling mask applies), some fractional.
        let shapes: [[Int]] = [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 1, 2]]
        for m in modes {
            for reduction in Sweep.reductions {
                for shape in shapes {
                    list.add(.random, "shapes", options: opts(reduction, m)) { r in
                        ["input": rates(&r, shape, log: m.log), "target": counts(&r, shape)]
                    }
                }
                // Broadcasting: the target widens the rows; input and target both broadcast; a
                // 0-dim input against a vector.
                list.add(.random, "broadcast", options: opts(reduction, m)) { r in
                    ["input": rates(&r, [4, 5], log: m.log), "target": counts(&r, [1, 5])]
                }
                list.add(.random, "broadcast", options: opts(reduction, m)) { r in
                    ["input": rates(&r, [4, 1], log: m.log), "target": counts(&r, [3])]
                }
                if reduction == .string("none") {
                    list.add(.random, "broadcast", options: opts(reduction, m)) { r in
                        ["input": rates(&r, [], log: m.log), "target": counts(&r, [2, 6])]
                    }
                }
            }
        }
        // eps (used only without log_input): 0 makes log(x) −inf at x = 0; larger values shift it.
        for eps in [0, 1e-3, 0.5] {
            for full in [false, true] {
                list.add(.random, "eps", options: opts(.string("none"), (false, full), eps: eps)) { r in
                    var x = rates(&r, [12], log: false)
                    if case .float64(var t) = x { t.scalars[0] = 0; t.scalars[5] = Double(Float(1e-3)); x = .float64(t) }
                    return ["input": x, "target": counts(&r, [12])]
                }
                list.add(.random, "eps", options: opts(.string("sum"), (false, full), eps: eps)) { r in
                    ["input": rates(&r, [5, 3], log: false), "target": counts(&r, [5, 3])]
                }
            }
        }
        ElementwiseCatalogue.sizes(&list, reductions: Sweep.reductions,
                                   options: modes.map { opts(.string("none"), $0) }) { r, n in
            // (0.01, 4) is a valid rate and a log-rate (exp ≤ 55) alike.
            ["input": r.uniform([n], 0.01, 4), "target": counts(&r, [n])]
        }

        // Edge: the Stirling mask. y = 1 exactly is masked (target gradient exactly the non-full
        // one); the next float above 1 is not; y = 0 and y < 0 give a NaN target gradient with full.
        let below = Double(Float(1).nextDown), above = Double(Float(1).nextUp)
        let ys: [Double] = [0, 0.5, below, 1, above, 1.5, 2, 10, 1000, -0.5, -3, 0]
        for m in modes {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "stirling-mask", options: opts(reduction, m), random: false) { _ in
                    let xs = ys.indices.map { Double(Float(m.log ? 0.25 * Double($0) - 1.5 : 0.25 + 0.5 * Double($0))) }
                    return ["input": fixed([ys.count], xs), "target": fixed([ys.count], ys)]
                }
            }
        }
        // Edge: without log_input, x + eps ≤ 0 gives log(0) = −inf or NaN; x = 0 uses eps alone.
        for full in [false, true] {
            list.add(.edge, "nonpositive-rate", options: opts(.string("none"), (false, full)), random: false) { _ in
                ["input": rounded([6], [0, -1, -0.5, 0, 2, 1e-30]), "target": fixed([6], [0, 2, 0, 3, 0, 1])]
            }
            list.add(.edge, "nonpositive-rate", options: opts(.string("none"), (false, full), eps: 0), random: false) { _ in
                ["input": rounded([4], [0, 0, -1, 1e-30]), "target": fixed([4], [0, 2, 1, 4])]
            }
        }
        // Edge: extreme log-rates (exp underflows to a subnormal or 0; ≤ 80 stays finite in
        // Float32) and large counts.
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.edge, "extreme", options: opts(reduction, (true, true)), random: false) { _ in
                ["input": rounded([8], [80, -80, -100, -200, 50, 0, 20, -20]),
                 "target": rounded([8], [0, 3, 1e6, 0, 7, 1e7, 1e-6, 2])]
            }
            list.add(.edge, "extreme", options: opts(reduction, (false, true)), random: false) { _ in
                ["input": rounded([6], [1e30, 1e-30, 1e-7, 3e6, 1e-20, 7]),
                 "target": rounded([6], [5, 1e6, 0.5, 3e6, 0, 1e-6])]
            }
        }
        // Edge: NaN and infinities propagate (0·inf = NaN included).
        for m in modes {
            list.add(.edge, "nonfinite", options: opts(.string("none"), m), random: false) { _ in
                ["input": fixed([7], [.nan, .infinity, -.infinity, .infinity, 1, 2, -.infinity]),
                 "target": fixed([7], [1, 0, 3, 2, .nan, .infinity, 0])]
            }
        }
        ElementwiseCatalogue.empties(&list, reductions: Sweep.reductions) { shape in
            ["input": fixed(shape, []), "target": fixed(shape, [])]
        }
        // An empty batch against a broadcast target: its gradient is a sum over nothing. (PyTorch
        // evaluates the Stirling term on the target's own shape, so a target of 0 or below would get
        // 0·log 0 = NaN even here, where the Reference sums to 0: such targets are left out.)
        ElementwiseCatalogue.empties(&list, reductions: [.string("sum")],
                                     options: ["log_input": .bool(false), "full": .bool(true)], shapes: [[0, 4]]) { shape in
            ["input": fixed(shape, []), "target": fixed([4], [0.5, 1, 2, 3])]
        }

        // Errors.
        let xy: @Sendable (inout SeededRNG) -> [String: TensorValue] = { r in
            ["input": r.normal([3, 4]), "target": counts(&r, [3, 4])]
        }
        ElementwiseCatalogue.invalidReductions(&list, ["avg", "batchmean", "elementwise_mean", "MEAN"],
                                               allowed: "'none', 'mean', 'sum' (compared as strings)", xy)
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [3, 5] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": counts(&r, [3, 5])]
        }
        list.error(.shapeMismatch, "broadcast", argument: "target", "shape [2, 4, 4] does not broadcast with input [3, 4]") { r in
            ["input": r.normal([3, 4]), "target": counts(&r, [2, 4, 4])]
        }
        // No integer-dtype error case: PyTorch promotes integer tensors here (exp/log return floats),
        // so a golden error would not be PyTorch's behaviour.
        return list.recipes
    }

    /// Log-rates in [−3, 3] (log_input) or rates in (0, 6).
    static func rates(_ r: inout SeededRNG, _ shape: [Int], log: Bool) -> TensorValue {
        log ? r.uniform(shape, -3, 3) : r.uniform(shape, 0.01, 6)
    }

    /// Poisson-like counts: integers 0…8 (0 and 1 sit on the Stirling mask) and some fractions.
    static func counts(_ r: inout SeededRNG, _ shape: [Int]) -> TensorValue {
        r.tensor(shape) { r in r.bool(0.7) ? Double(r.int(0, 8)) : r.uniform(0, 6) }
    }
}
