import LossSpec

/// smooth_l1_loss: the shared regression catalogue (no weight) swept over β ∈ {1, 0.5, 0, 2.5}
/// — β = 0 is routed to l1_loss (`sgn(0) = 0`, NaN d → gradient 0) — with kinks at d = 0,
/// |d| = β exactly (the linear branch) and just beyond it; plus β larger than every |d|, the
/// non-finite cases under β = 0 and a large β, and β < 0.
enum SmoothL1LossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RegressionCases.recipes(.smoothL1Loss, parameter: ("beta", [1, 0.5, 0, 2.5]), weighted: false,
                                           kinks: { beta in beta == 0 ? [0] : [0, beta, beta * (1 + 0x1p-12)] },
                                           largeSizes: [4099])
        for reduction in Sweep.reductions {
            // β = 64 exceeds every |d| here: only the quadratic branch ½d²/β.
            list.add(.random, "beta-large", options: ["reduction": reduction, "beta": .number(64)]) { r in
                ["input": r.normal([5, 6], std: 3), "target": r.normal([5, 6], std: 3)]
            }
        }
        for beta in [0.0, 64] {
            list.add(.edge, "nonfinite-beta", options: ["reduction": .string("none"), "beta": .number(beta)], random: false) { _ in
                ["input": fixed([6], [.nan, .infinity, -.infinity, 1, .infinity, 0]),
                 "target": fixed([6], [1, .infinity, 1, -.infinity, 2, 0])]
            }
        }
        for beta in [-1.0, -0.5] {
            list.error(.invalidOption, "beta", argument: "beta", "\(beta) is negative",
                       options: ["beta": .number(beta)]) { r in
                ["input": r.normal([3, 4]), "target": r.normal([3, 4])]
            }
        }
        return list.recipes
    }
}
