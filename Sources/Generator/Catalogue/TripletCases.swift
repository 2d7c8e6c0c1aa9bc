import LossSpec

/// The catalogue shared by `triplet_margin_loss` and `triplet_margin_with_distance_loss`: both are
/// `clamp_min(margin + f(a, p) − min(f(a, n), f(p, n) if swap), 0)` over the last dimension with
/// equal-ndim broadcasting, so they share shapes, swap, margins, empty inputs, ties and errors;
/// each loss adds its own distance sweep (`variants`, option dictionaries naming the distance).
enum TripletCases {
    typealias Options = [String: JSONValue]
    typealias Inputs = [String: TensorValue]

    static func triple(_ a: TensorValue, _ p: TensorValue, _ n: TensorValue) -> Inputs {
        ["anchor": a, "positive": p, "negative": n]
    }

    /// Three normal tensors of the given shapes; positive and negative near the anchor so that
    /// both active and clamped samples occur.
    static func draw(_ r: inout SeededRNG, _ a: [Int], _ p: [Int], _ n: [Int], std: Double = 1) -> Inputs {
        triple(r.normal(a, std: std), r.normal(p, std: std), r.normal(n, std: std))
    }

    /// Float32-exact fixed values.
    static func exact(_ shape: [Int], _ values: [Double]) -> TensorValue {
        fixed(shape, values.map { Double(Float($0)) })
    }

    static func recipes(_ loss: LossKind, variants: [Options]) -> RecipeList {
        var list = RecipeList(loss)
        func with(_ base: Options, _ extra: Options) -> Options { base.merging(extra) { _, b in b } }

        // Random: every reduction × shape class × distance variant; swap on for one variant.
        let shapes: [[Int]] = [[], [5], [6, 7], [2, 3, 4]]
        for variant in variants {
            for reduction in Sweep.reductions {
                for shape in shapes {
                    list.add(.random, "shapes", options: with(variant, ["reduction": reduction])) { r in
                        draw(&r, shape, shape, shape)
                    }
                }
                list.add(.random, "swap", options: with(variant, ["reduction": reduction, "swap": .bool(true)])) { r in
                    draw(&r, [8, 6], [8, 6], [8, 6])
                }
            }
        }
        // Broadcasting among the three (equal ndim): each distance on its own pair's shape.
        let broadcasts: [([Int], [Int], [Int])] = [
            ([4, 5], [1, 5], [4, 5]), ([2, 1, 5], [1, 3, 5], [2, 3, 5]), ([4, 1], [4, 6], [1, 6]),
            ([3, 5], [3, 5], [1, 1]), ([1, 4], [3, 4], [3, 1]),
        ]
        for (i, (sa, sp, sn)) in broadcasts.enumerated() {
            for swap in [false, true] {
                let reduction = Sweep.reductions[(i + (swap ? 1 : 0)) % 3]
                list.add(.random, "broadcast",
                         options: with(variants[i % variants.count], ["reduction": reduction, "swap": .bool(swap)])) { r in
                    draw(&r, sa, sp, sn)
                }
            }
        }
        // Row lengths around the SIMD widths; one input spanning two Fast row chunks (of 4096 elements: 85 rows of 48).
        for (i, d) in Shapes.simdSizes.enumerated() {
            let options = with(variants[i % variants.count], ["reduction": Sweep.reductions[i % 3], "swap": .bool(i % 2 == 1)])
            list.add(.random, "sizes", options: options) { r in draw(&r, [3, d], [3, d], [3, d], std: 0.5) }
        }
        list.add(.random, "chunks", options: with(variants[variants.count - 1], ["reduction": .string("sum"), "swap": .bool(true)])) { r in
            draw(&r, [100, 48], [100, 48], [100, 48], std: 0.25)
        }
        // Margins from tiny to large (all samples active at 10).
        for margin in [1e-6, 1, 10] {
            for reduction in [JSONValue.string("none"), .string("mean")] {
                list.add(.random, "margin", options: with(variants[0], ["reduction": reduction, "margin": .number(margin)])) { r in
                    draw(&r, [7, 4], [7, 4], [7, 4])
                }
            }
        }
        // Exact swap ties: positive == anchor, so f(a, n) and f(p, n) are the same computation
        // (½/½ gradient split); the negative sits close so the hinge is active.
        for (i, variant) in variants.enumerated() {
            list.add(.random, "swap-tie", options: with(variant, ["reduction": Sweep.reductions[i % 3], "swap": .bool(true)])) { r in
                guard case .float64(let a) = r.normal([5, 4]) else { return [:] }
                let n = a.map { Double(Float($0 + 0.1 * r.normal())) }
                return triple(.float64(a), .float64(a), .float64(n))
            }
        }
        // Empty batch ('mean' NaN, 'sum' 0) and empty rows (every distance is that of nothing).
        for variant in variants {
            for reduction in Sweep.reductions {
                list.add(.edge, "empty", options: with(variant, ["reduction": reduction]), random: false) { _ in
                    triple(fixed([0, 4], []), fixed([0, 4], []), fixed([0, 4], []))
                }
            }
            list.add(.edge, "empty-rows", options: with(variant, ["reduction": .string("none")]), random: false) { _ in
                triple(fixed([3, 0], []), fixed([3, 0], []), fixed([3, 0], []))
            }
            list.add(.edge, "empty-rows", options: with(variant, ["reduction": .string("sum"), "swap": .bool(true)]),
                     random: false) { _ in
                triple(fixed([2, 0], []), fixed([1, 0], []), fixed([2, 0], []))
            }
        }
        // NaN and infinities propagate (a NaN local derivative poisons the gradient).
        for (i, variant) in variants.enumerated() {
            list.add(.edge, "nonfinite", options: with(variant, ["reduction": Sweep.reductions[i % 3]]), random: false) { _ in
                triple(fixed([3, 2], [.nan, 1, 2, 3, 1, 1]),
                       fixed([3, 2], [0, 1, .infinity, 3, 1, 2]),
                       fixed([3, 2], [1, 1, 0, 0, -.infinity, 5]))
            }
        }

        // Errors.
        let valid: @Sendable (inout SeededRNG) -> Inputs = { r in draw(&r, [3, 4], [3, 4], [3, 4]) }
        let base = variants[0]
        for bad in ["avg", "batchmean", "", "MEAN"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: with(base, ["reduction": .string(bad)]), inputs: valid)
        }
        for margin in [0.0, -1.0] {
            list.error(.invalidOption, "margin", argument: "margin", "\(margin) is not > 0",
                       options: with(base, ["margin": .number(margin)]), inputs: valid)
        }
        list.error(.shapeMismatch, "ndim", argument: "positive", "1-D while anchor is 2-D", options: base) { r in
            draw(&r, [3, 4], [4], [3, 4])
        }
        list.error(.shapeMismatch, "ndim", argument: "negative", "3-D while anchor and positive are 2-D", options: base) { r in
            draw(&r, [3, 4], [3, 4], [1, 3, 4])
        }
        list.error(.shapeMismatch, "ndim", argument: "positive", "0-dim while anchor is 1-D", options: base) { r in
            draw(&r, [4], [], [4])
        }
        list.error(.shapeMismatch, "broadcast", argument: "positive", "[3, 5] does not broadcast with anchor [3, 4]",
                   options: base) { r in draw(&r, [3, 4], [3, 5], [3, 4]) }
        list.error(.shapeMismatch, "broadcast", argument: "negative", "[2, 4] does not broadcast with anchor [3, 4]",
                   options: base) { r in draw(&r, [3, 4], [3, 4], [2, 4]) }
        list.error(.shapeMismatch, "broadcast", argument: "negative",
                   "each pair broadcasts (anchor [1, 4] with positive [3, 4] and with negative [2, 4]) but the distances (3) and (2) do not",
                   options: base) { r in draw(&r, [1, 4], [3, 4], [2, 4]) }
        return list
    }
}
