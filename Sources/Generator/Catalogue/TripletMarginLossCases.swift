import LossSpec

/// triplet_margin_loss (Docs/Losses/triplet_margin_loss.md): the shared triplet catalogue with the default distance, plus
/// the p-norm sweep (p ∈ {1, 2, 3, 0.5, ∞} × swap × reduction, and p = 0, −1), eps ∈ {0, 1e-6,
/// 0.25}, zero distances and zero components (norm kinks), exact zero hinges, large and tiny
/// magnitudes, and D = 0 with a norm that has no identity (error).
enum TripletMarginLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = TripletCases.recipes(.tripletMarginLoss, variants: [[:]])
        typealias C = TripletCases
        func opts(_ reduction: JSONValue, p: Double = 2, eps: Double = 1e-6, swap: Bool = false,
                  margin: Double = 1) -> [String: JSONValue] {
            ["reduction": reduction, "p": .number(p), "eps": .number(eps), "swap": .bool(swap), "margin": .number(margin)]
        }

        for p in [1, 2, 3, 0.5, Double.infinity] {
            for swap in [false, true] {
                for reduction in Sweep.reductions {
                    list.add(.random, "p", options: opts(reduction, p: p, swap: swap)) { r in
                        C.draw(&r, [6, 9], [6, 9], [6, 9])
                    }
                }
            }
        }
        for p in [0.0, -1, -Double.infinity] {
            list.add(.random, "p-unusual", options: opts(.string("none"), p: p, swap: p == -1)) { r in
                C.draw(&r, [5, 3], [5, 3], [5, 3])
            }
        }
        for eps in [0, 1e-6, 0.25] {
            for p in [1, 2, 0.5] {
                list.add(.random, "eps", options: opts(.string("none"), p: p, eps: eps, swap: p == 1)) { r in
                    C.draw(&r, [4, 6], [4, 6], [4, 6])
                }
            }
        }
        // Zero distance (anchor == positive, eps = 0): gradient 0 through the norm for every p; and
        // zero components of u for p < 1, where |u|^{p−1} is masked to 0.
        for p in [1, 2, 3, 0.5, Double.infinity] {
            list.add(.random, "zero-distance", options: opts(.string("none"), p: p, eps: 0)) { r in
                guard case .float64(let a) = r.normal([3, 5]) else { return [:] }
                var positive = a
                for j in [1, 7, 13] { positive[j] = Double(Float(positive[j] + 0.5)) }
                let rows = [a.scalars[0..<5], positive.scalars[5..<10], a.scalars[10..<15]].flatMap { $0 }
                return C.triple(.float64(a), .float64(Tensor(shape: [3, 5], scalars: rows)), r.normal([3, 5]))
            }
        }
        // Hinge exactly 0 (margin + d_pos − d_neg = 0 in exact arithmetic, eps = 0): gradient 0.
        // Row 0 on the hinge, row 1 active, row 2 clamped.
        for (p, positive) in [(1.0, [1.0, 2, 0, 1, 1, 1]), (2.0, [3.0, 4, 0, 1, 1, 1]), (Double.infinity, [4.0, -2, 0, 1, 1, 1])] {
            for reduction in [JSONValue.string("none"), .string("sum")] {
                list.add(.edge, "hinge-zero", options: opts(reduction, p: p, eps: 0), random: false) { _ in
                    // anchor 0; negative at distance d_pos + 1 in row 0, equal in row 1, far in row 2.
                    let dPos = p == 1 ? 3.0 : (p == 2 ? 5 : 4)
                    let neg: [Double] = p == 2 ? [0, dPos + 1, 0, 1, 9, 9] : [dPos + 1, 0, 1, 0, 9, 9]
                    return C.triple(C.exact([3, 2], [0, 0, 0, 0, 0, 0]), C.exact([3, 2], positive), C.exact([3, 2], neg))
                }
            }
        }
        // Large and tiny magnitudes where Float32 neither overflows nor underflows |u|^p.
        for p in [1.0, 2, .infinity] {
            list.add(.random, "large", options: opts(.string("none"), p: p, eps: 0, margin: 1e15)) { r in
                C.draw(&r, [4, 8], [4, 8], [4, 8], std: 1e15)
            }
        }
        for p in [1.0, 2] {
            list.add(.random, "tiny", options: opts(.string("none"), p: p, eps: 0, margin: 1e-14)) { r in
                C.draw(&r, [4, 8], [4, 8], [4, 8], std: 1e-15)
            }
        }
        // 'elementwise_mean' is the deprecated alias of 'mean' here (enum conversion).
        list.add(.random, "elementwise-mean", options: opts(.string("elementwise_mean"))) { r in
            C.draw(&r, [4, 3], [4, 3], [4, 3])
        }
        for p in [Double.infinity, -1] {
            list.error(.emptyInput, "empty-norm", argument: "positive", "D = 0 with p = \(p): the norm has no identity",
                       options: opts(.string("sum"), p: p)) { _ in
                C.triple(fixed([2, 0], []), fixed([2, 0], []), fixed([2, 0], []))
            }
        }
        return list.recipes
    }
}
