import LossSpec

/// triplet_margin_with_distance_loss (Docs/Losses/triplet_margin_with_distance_loss.md): the shared triplet catalogue for each named
/// distance (null = PyTorch's default, pairwise_distance, cosine_distance), plus cosine's own
/// points: zero and sub-eps vectors (each norm clamped separately at 1e-8), parallel and opposite
/// vectors, scale invariance; and the errors of the string-comparing reduction and the option.
enum TripletMarginWithDistanceLossCases {
    static func recipes() -> [CaseRecipe] {
        let distances: [JSONValue] = [.null, .string("pairwise_distance"), .string("cosine_distance")]
        var list = TripletCases.recipes(.tripletMarginWithDistanceLoss,
                                        variants: distances.map { ["distance_function": $0] })
        typealias C = TripletCases
        func cosine(_ reduction: JSONValue, swap: Bool = false, margin: Double = 1) -> [String: JSONValue] {
            ["distance_function": .string("cosine_distance"), "reduction": reduction, "swap": .bool(swap),
             "margin": .number(margin)]
        }
        for margin in [0.5, 2] {
            for swap in [false, true] {
                list.add(.random, "cosine", options: cosine(.string("none"), swap: swap, margin: margin)) { r in
                    C.draw(&r, [6, 10], [6, 10], [6, 10])
                }
            }
        }
        // Rows: a zero anchor (cos = 0, radial gradient term 0); a sub-eps positive (norm 5e-9,
        // clamped to 1e-8 but differentiated unclamped); parallel (cos = 1) and opposite
        // (cos = −1) pairs; a negative scaled by 1000 (cosine ignores scale).
        for reduction in Sweep.reductions {
            for swap in [false, true] {
                list.add(.edge, "cosine-special", options: cosine(reduction, swap: swap), random: false) { _ in
                    let a: [Double] = [0, 0, 0, 1, 2, 2, 3, -1, 0.5, 1, 1, 1, 0.25, -2, 4]
                    let p: [Double] = [1, 2, 3, 3e-9, 4e-9, 0, 6, -2, 1, -1, -1, -1, 0.5, 1, 3]
                    let n: [Double] = [1, 0, 0, 2, 1, 2, -3, 1, -0.5, 1, 1, 1, 250, -2000, 4000]
                    return C.triple(C.exact([5, 3], a), C.exact([5, 3], p), C.exact([5, 3], n))
                }
            }
        }
        list.add(.random, "cosine-large", options: cosine(.string("mean"))) { r in
            C.draw(&r, [5, 12], [5, 12], [5, 12], std: 1e15)
        }
        list.error(.invalidReduction, "reduction", argument: "reduction",
                   "'elementwise_mean' is rejected (this loss compares strings)",
                   options: ["reduction": .string("elementwise_mean")]) { r in C.draw(&r, [3, 4], [3, 4], [3, 4]) }
        for bad in [JSONValue.string("euclidean"), .number(2), .bool(true)] {
            list.error(.invalidOption, "distance", argument: "distance_function", "\(bad.serialized()) names no distance",
                       options: ["distance_function": bad]) { r in C.draw(&r, [3, 4], [3, 4], [3, 4]) }
        }
        return list.recipes
    }
}
