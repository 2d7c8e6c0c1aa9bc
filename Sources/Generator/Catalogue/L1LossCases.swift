import LossSpec

/// l1_loss: the shared regression catalogue (reductions, weight with its `Σw` mean, broadcasting,
/// sizes, empty, non-finite, errors) plus L1's own points: the kink `d = 0` where PyTorch's
/// `sgn(0) = 0`, ties in bulk, and NaN differences whose gradient is 0 (`sgn(NaN) = 0`).
enum L1LossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RegressionCases.recipes(.l1Loss, weighted: true, largeSizes: [4099])
        // Small integers: many exact ties d = 0 (gradient 0), weighted and not.
        for reduction in Sweep.reductions {
            list.add(.edge, "ties", options: ["reduction": reduction]) { r in
                ["input": r.tensor([5, 7]) { Double($0.int(-2, 2)) }, "target": r.tensor([5, 7]) { Double($0.int(-2, 2)) }]
            }
            list.add(.edge, "ties-weight", options: ["reduction": reduction]) { r in
                ["input": r.tensor([40]) { Double($0.int(-1, 1)) }, "target": r.tensor([40]) { Double($0.int(-1, 1)) },
                 "weight": r.uniform([40], 0, 2)]
            }
            // ±0 differences and NaN differences: loss 0 / NaN, gradient 0 in both cases.
            list.add(.edge, "sign-zero-nan", options: ["reduction": reduction], random: false) { _ in
                ["input": fixed([6], [0, -0.0, 3, .nan, 1, -2]), "target": fixed([6], [-0.0, 0, 3, 1, .nan, 2])]
            }
        }
        // NaN difference under a weight: the weighted gradient is w·sgn(NaN) = 0, grad_weight NaN.
        list.add(.edge, "nan-weight", options: ["reduction": .string("none")], random: false) { _ in
            ["input": fixed([3], [.nan, 1, 2]), "target": fixed([3], [0, 1, 0.5]), "weight": fixed([3], [2, 0.5, 1])]
        }
        return list.recipes
    }
}
