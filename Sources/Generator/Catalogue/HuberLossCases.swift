import LossSpec

/// huber_loss: the shared regression catalogue swept over δ ∈ {1, 0.5, 2.5} (kinks at d = 0,
/// |d| = δ exactly — the linear branch — and just beyond it), plus δ larger than every |d|
/// (quadratic everywhere), a tiny δ (≈ δ·L1), the weighted mean's `/numel` rule, and δ ≤ 0.
enum HuberLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RegressionCases.recipes(.huberLoss, parameter: ("delta", [1, 0.5, 2.5]), weighted: true,
                                           kinks: { delta in [0, delta, delta * (1 + 0x1p-12)] },
                                           largeSizes: [4099])
        for reduction in Sweep.reductions {
            // δ = 64 exceeds every |d| here: only the quadratic branch.
            list.add(.random, "delta-large", options: ["reduction": reduction, "delta": .number(64)]) { r in
                ["input": r.normal([5, 6], std: 3), "target": r.normal([5, 6], std: 3)]
            }
            list.add(.random, "delta-large-weight", options: ["reduction": reduction, "delta": .number(64)]) { r in
                ["input": r.normal([12]), "target": r.normal([12]), "weight": r.uniform([12], 0, 2)]
            }
            // δ = 2^-10: the linear branch almost everywhere, δ·(|d| − δ/2).
            list.add(.random, "delta-tiny", options: ["reduction": reduction, "delta": .number(0x1p-10)]) { r in
                ["input": r.normal([5, 6]), "target": r.normal([5, 6])]
            }
        }
        // An infinite difference under a zero weight: 0·inf = NaN loss; gradient 0·δ = 0.
        list.add(.edge, "inf-weight", options: ["reduction": .string("none"), "delta": .number(1)], random: false) { _ in
            ["input": fixed([3], [.infinity, -.infinity, 1]), "target": fixed([3], [0, 0, 0.5]),
             "weight": fixed([3], [0, 2, 1])]
        }
        for delta in [0.0, -1, -2.5] {
            list.error(.invalidOption, "delta", argument: "delta", "\(delta) is not > 0",
                       options: ["delta": .number(delta)]) { r in
                ["input": r.normal([3, 4]), "target": r.normal([3, 4])]
            }
        }
        return list.recipes
    }
}
