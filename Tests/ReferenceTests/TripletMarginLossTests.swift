import Foundation
import Testing
@testable import LossSpec
@testable import Reference

private func triplet(_ a: Tensor<Double>, _ p: Tensor<Double>, _ n: Tensor<Double>, g: Tensor<Double>? = nil,
                     _ options: [String: JSONValue] = [:]) -> LossCase {
    var floats = ["anchor": a, "positive": p, "negative": n]
    floats["grad_output"] = g
    return makeCase(.tripletMarginLoss, options: options, floats: floats)
}

@Suite struct TripletMarginLossTests {
    // Row 0: u = a−p = (−3,−4), ‖u‖ = 5; v = a−n = (0,−1), ‖v‖ = 1 → l = 1 + 5 − 1 = 5.
    // Row 1: u = (0,−1) → 1; v = (−3,−4) → 5 → 1 + 1 − 5 = −3 → 0.
    let a = T([2, 2], [0, 0, 1, 1])
    let p = T([2, 2], [3, 4, 1, 2])
    let n = T([2, 2], [0, 1, 4, 5])

    @Test func valuesByHand() throws {
        let none = try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0, reduction: .none)
        #expect(none.output == T([2], [5, 0]))
        #expect(try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0, reduction: .sum)
            .output?.scalars == [5])
        #expect(try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0).output?.scalars == [2.5])
    }

    @Test func gradientsByHand() throws {
        // Row 0 active: ∇u = u/‖u‖ = (−0.6, −0.8), ∇v = (0, −1); row 1 inactive (hinge clamped).
        // ∂/∂a = ∇u − ∇v, ∂/∂p = −∇u, ∂/∂n = ∇v, times g = 2 ('sum').
        let r = try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0, reduction: .sum,
                                                gradOutput: T([], [2]))
        expectClose(r.outputs["grad_anchor"]?.scalars, [-1.2, 0.4, 0, 0], "anchor")
        expectClose(r.outputs["grad_positive"]?.scalars, [1.2, 1.6, 0, 0], "positive")
        expectClose(r.outputs["grad_negative"]?.scalars, [0, -2, 0, 0], "negative")
    }

    @Test func epsIsAddedToTheDifference() throws {
        // a = p = n: each distance is ‖(eps, eps, eps)‖₁ = 3·eps, so l = margin exactly (not margin + 0).
        // With p = 2 and n = a + 1: d_pos = √3·eps, d_neg = ‖(−1+eps)·1‖ = √3·(1 − eps).
        let x = T([3], [1, 2, 3])
        let eps = 0.25
        #expect(try Reference.tripletMarginLoss(anchor: x, positive: x, negative: x, p: 1, eps: eps)
            .output?.scalars == [1])
        let shifted = x.map { $0 + 1 }
        let r = try Reference.tripletMarginLoss(anchor: x, positive: x, negative: shifted, margin: 2, eps: eps)
        expectClose(r.output?.scalars, [2 + 3.0.squareRoot() * eps - 3.0.squareRoot() * (1 - eps)], rtol: 1e-15)
    }

    /// u = a − p = (3, −4), and n = a so every ∇ of v = 0 is 0; l = margin + ‖u‖_p with margin 1.
    static let norms: [(Double, Double, [Double])] = [
        // (p, ‖u‖_p, ∂‖u‖/∂u)
        (1.0, 7.0, [1.0, -1.0]),
        (2.0, 5.0, [0.6, -0.8]),
        (Double.infinity, 4.0, [0.0, -1.0]),
        (-Double.infinity, 3.0, [1.0, 0.0]),
        (0.0, 2.0, [0.0, 0.0]),                                        // counts non-zeros; no gradient
        (3.0, pow(91, 1.0 / 3), [9 / pow(91, 2.0 / 3), -16 / pow(91, 2.0 / 3)]),  // u|u|/‖u‖²
        (-1.0, 12.0 / 7, [144.0 / 49 / 9, -144.0 / 49 / 16]),          // (1/3+1/4)⁻¹; sgn|u|⁻²·‖u‖²
        (0.5, pow(3.0.squareRoot() + 2, 2), [(3.0.squareRoot() + 2) / 3.0.squareRoot(), -(3.0.squareRoot() + 2) / 2]),
    ]

    @Test(arguments: norms)
    func normsByHand(p: Double, norm: Double, gradient: [Double]) throws {
        let a = T([2], [3, -4]), z = T([2], [0, 0])
        let r = try Reference.tripletMarginLoss(anchor: a, positive: z, negative: a, p: p, eps: 0,
                                                gradOutput: T([], [1]))
        expectClose(r.output?.scalars, [1 + norm], rtol: 1e-15, "output")
        expectClose(r.outputs["grad_anchor"]?.scalars, gradient, rtol: 1e-14, "anchor")
        expectClose(r.outputs["grad_positive"]?.scalars, gradient.map { -$0 }, rtol: 1e-14, "positive")
        expectClose(r.outputs["grad_negative"]?.scalars, [0, 0], "negative")
    }

    @Test func infinityNormSplitsTiesAndZeroNormsGiveZero() throws {
        // u = (2, −2, 1): max |u| = 2 reached twice → sgn(u)/2 on those; p = 2 with ‖u‖ = 0 → 0.
        let r = try Reference.tripletMarginLoss(anchor: T([3], [2, -2, 1]), positive: T([3], [0, 0, 0]),
                                                negative: T([3], [9, 9, 9]), margin: 20, p: .infinity, eps: 0,
                                                gradOutput: T([], [1]))
        expectClose(r.outputs["grad_positive"]?.scalars, [-0.5, 0.5, 0] + [], "positive")
        let zero = try Reference.tripletMarginLoss(anchor: T([2], [1, 2]), positive: T([2], [1, 2]),
                                                   negative: T([2], [4, 6]), margin: 9, eps: 0,
                                                   gradOutput: T([], [1]))
        // d_pos = 0, d_neg = 5, l = 4 > 0 but ∇ of the zero difference is 0: only the negative acts.
        expectClose(zero.outputs["grad_positive"]?.scalars, [0, 0])
        expectClose(zero.outputs["grad_anchor"]?.scalars, [0.6, 0.8])
    }

    @Test func hingeExactlyZeroHasZeroGradient() throws {
        // margin 5 + ‖(−3,−4)‖ − ‖(−6,−8)‖ = 5 + 5 − 10 = 0 exactly.
        let r = try Reference.tripletMarginLoss(anchor: T([1, 2], [0, 0]), positive: T([1, 2], [3, 4]),
                                                negative: T([1, 2], [6, 8]), margin: 5, eps: 0, reduction: .sum,
                                                gradOutput: T([], [1]))
        #expect(r.output?.scalars == [0])
        for role in ["grad_anchor", "grad_positive", "grad_negative"] {
            #expect(r.outputs[role]?.scalars == [0, 0], "\(role)")
        }
    }

    @Test func swapRoutesTheNegativeGradientAndSplitsTies() throws {
        // d_pos = ‖(−1,0)‖ = 1, d(a,n) = √2, d(p,n) = ‖(0,−1)‖ = 1 < √2 → d_neg = 1, l = 5 + 1 − 1 = 5.
        // ∂/∂a = (−1,0); ∂/∂p = (1,0) − ∇(p−n) = (1,0) − (0,−1); ∂/∂n = ∇(p−n) = (0,−1).
        let r = try Reference.tripletMarginLoss(anchor: T([2], [0, 0]), positive: T([2], [1, 0]),
                                                negative: T([2], [1, 1]), margin: 5, eps: 0, swap: true,
                                                gradOutput: T([], [1]))
        #expect(r.output?.scalars == [5])
        expectClose(r.outputs["grad_anchor"]?.scalars, [-1, 0])
        expectClose(r.outputs["grad_positive"]?.scalars, [1, 1])
        expectClose(r.outputs["grad_negative"]?.scalars, [0, -1])
        // Tie: d(a,n) = ‖(−1,0)‖ = 1 = d(p,n) = ‖(1,0)‖; d_pos = 2 → l = 1 + 2 − 1 = 2.
        // ∂/∂a = (−1,0) − ½(−1,0); ∂/∂p = (1,0) − ½(1,0); ∂/∂n = ½(−1,0) + ½(1,0) = 0.
        // torch 2.15 agrees: triplet_margin_loss(a,p,n,margin=1,eps=0,swap=True) → grads
        // (−0.5, 0), (0.5, −0), (0, 0).
        let tie = try Reference.tripletMarginLoss(anchor: T([2], [0, 0]), positive: T([2], [2, 0]),
                                                  negative: T([2], [1, 0]), eps: 0, swap: true,
                                                  gradOutput: T([], [1]))
        #expect(tie.output?.scalars == [2])
        expectClose(tie.outputs["grad_anchor"]?.scalars, [-0.5, 0])
        expectClose(tie.outputs["grad_positive"]?.scalars, [0.5, 0])
        expectClose(tie.outputs["grad_negative"]?.scalars, [0, 0])
    }

    @Test func zeroDimensionalArgumentsAreOneElementVectors() throws {
        // d_pos = |1 − 2| = 1, d_neg = |1 − 0.5| = 0.5, l = 1 + 1 − 0.5 = 1.5 (0-dim).
        // ∂/∂a = sgn(−1) − sgn(0.5) = −2, ∂/∂p = 1, ∂/∂n = 1.
        let r = try Reference.tripletMarginLoss(anchor: T([], [1]), positive: T([], [2]), negative: T([], [0.5]),
                                                eps: 0, reduction: .none, gradOutput: T([], [1]))
        #expect(r.output == T([], [1.5]))
        #expect(r.outputs["grad_anchor"] == T([], [-2]))
        #expect(r.outputs["grad_positive"] == T([], [1]))
        #expect(r.outputs["grad_negative"] == T([], [1]))
    }

    @Test func emptyInputs() throws {
        let e = T([0, 3], [])
        let mean = try Reference.tripletMarginLoss(anchor: e, positive: e, negative: e, gradOutput: T([], [1]))
        #expect(mean.output?.scalars[0].isNaN == true)
        #expect(mean.outputs["grad_anchor"]?.shape == [0, 3])
        #expect(try Reference.tripletMarginLoss(anchor: e, positive: e, negative: e, reduction: .sum)
            .output?.scalars == [0])
        #expect(try Reference.tripletMarginLoss(anchor: e, positive: e, negative: e, reduction: .none)
            .output?.shape == [0])
        // D = 0: every distance is the empty norm 0, so l = margin.
        let d0 = T([2, 0], [])
        #expect(try Reference.tripletMarginLoss(anchor: d0, positive: d0, negative: d0, margin: 3, p: 1,
                                                reduction: .none).output == T([2], [3, 3]))
    }

    @Test func broadcastingSumsGradientsBack() throws {
        // a (2,1,3), p (1,4,3), n (2,4,1) → output (2,4); gradients keep each argument's shape.
        let a = T([2, 1, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4])
        let p = T([1, 4, 3], (0..<12).map { Double($0) * 0.37 - 2 })
        let n = T([2, 4, 1], (0..<8).map { Double($0) * -0.61 + 1.3 })
        let g = T([2, 4], (0..<8).map { Double($0) * 0.3 - 1 })
        let r = try Reference.evaluate(triplet(a, p, n, g: g, ["reduction": .string("none"), "margin": .number(3)]))
        #expect(r.output?.shape == [2, 4])
        #expect(r.outputs["grad_anchor"]?.shape == [2, 1, 3])
        #expect(r.outputs["grad_positive"]?.shape == [1, 4, 3])
        #expect(r.outputs["grad_negative"]?.shape == [2, 4, 1])
        try checkGradientsByFiniteDifferences(triplet(a, p, n, g: g, ["reduction": .string("none"), "margin": .number(3)]))
    }

    @Test func scalesBoundTheCancellation() throws {
        // Clamped sample: value 0 but its scale keeps margin + d_pos + d_neg (≈ 1 + 1 + 5 here).
        let r = try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0, reduction: .none)
        let s = try #require(r.scales["output"]?.scalars)
        #expect(s[1] >= 7)
        #expect(s[0] >= 5)
    }

    @Test func errors() {
        let x = T([2, 3], [1, 2, 3, 4, 5, 6])
        expectError(triplet(x, x, x, ["margin": .number(0)]), .invalidOption, argument: "margin")
        expectError(triplet(x, x, x, ["margin": .number(-1)]), .invalidOption, argument: "margin")
        expectError(triplet(x, T([3], [1, 2, 3]), x), .shapeMismatch, argument: "positive")
        expectError(triplet(x, x, T([3], [1, 2, 3])), .shapeMismatch, argument: "negative")
        expectError(triplet(x, T([3, 3], Array(repeating: 1, count: 9)), x), .shapeMismatch)
        expectError(triplet(x, x, x, ["reduction": .string("avg")]), .invalidReduction, argument: "reduction")
        // margin is checked before the shapes (PyTorch's Python check runs first).
        expectError(triplet(x, T([3], [1, 2, 3]), x, ["margin": .number(-1)]), .invalidOption, argument: "margin")
        // Negative or infinite p over an empty last dimension has no identity.
        let d0 = T([2, 0], [])
        expectError(triplet(d0, d0, d0, ["p": .string("inf")]), .emptyInput)
        expectError(triplet(d0, d0, d0, ["p": .number(-1)]), .emptyInput)
        expectError(triplet(x, x, x, g: T([2], [1, 1])), .shapeMismatch, argument: "grad_output")
        expectError(triplet(x, x, x, ["distance_function": .null]), .invalidOption, argument: "distance_function")
    }

    @Test func elementwiseMeanIsAnAlias() throws {
        let r = try Reference.evaluate(triplet(a, p, n, ["reduction": .string("elementwise_mean"), "eps": .number(0)]))
        #expect(r.output?.scalars == [2.5])
    }
}

@Suite struct TripletMarginGradientTests {
    static let pValues: [Double] = [0, 0.5, -1.5, 1, 1.5, 2, 3, .infinity, -.infinity]

    @Test(arguments: pValues, [false, true])
    func finiteDifferences(p: Double, swap: Bool) throws {
        // Generic points: no zero components, no ties in |u|, hinges well away from 0.
        let a = T([3, 4], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.9, -2.2, 1.1, 0.45, -0.8, 0.05])
        let pos = T([3, 4], [0.9, 0.35, -1.7, 0.2, -0.6, 1.45, 0.8, 0.3, -1.3, 2.1, 0.55, -0.95])
        let n = T([1, 4], [1.16, -0.25, 0.6, -1.8])
        for reduction in ["none", "mean", "sum"] {
            let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
            let options: [String: JSONValue] = ["reduction": .string(reduction), "p": .number(p),
                                                "swap": .bool(swap), "margin": .number(4), "eps": .number(0.125)]
            try checkGradientsByFiniteDifferences(triplet(a, pos, n, g: g, options))
        }
    }
}

@Suite struct TripletMarginWithDistanceLossTests {
    func withDistance(_ a: Tensor<Double>, _ p: Tensor<Double>, _ n: Tensor<Double>, g: Tensor<Double>? = nil,
                      _ options: [String: JSONValue] = [:]) -> LossCase {
        var floats = ["anchor": a, "positive": p, "negative": n]
        floats["grad_output"] = g
        return makeCase(.tripletMarginWithDistanceLoss, options: options, floats: floats)
    }

    @Test(arguments: [JSONValue.null, .string("pairwise_distance")], [false, true])
    func defaultDistanceIsTripletMarginLossDefaults(distance: JSONValue, swap: Bool) throws {
        let a = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4])
        let p = T([2, 3], [0.9, 0.35, -1.7, 0.2, -0.6, 1.45])
        let n = T([2, 3], [1.15, -0.25, 0.6, -1.85, 0.4, 0.2])
        let g = T([2], [0.5, -2])
        let mine = try Reference.evaluate(withDistance(a, p, n, g: g, ["distance_function": distance,
                                                                      "swap": .bool(swap), "margin": .number(2.5),
                                                                      "reduction": .string("none")]))
        let plain = try Reference.tripletMarginLoss(anchor: a, positive: p, negative: n, margin: 2.5, swap: swap,
                                                    reduction: .none, gradOutput: g)
        #expect(mine == plain)
    }

    @Test func cosineByHand() throws {
        // cos(a,p) = 1/√2 → d_pos = 1 − 1/√2; cos(a,n) = −1 → d_neg = 2; l = 2.5 + d_pos − 2.
        // ∂d/∂x = −(y/(‖x‖‖y‖) − cos·x/‖x‖²):
        //   pos: ∂/∂a = −((1,1)/√2 − (1,0)/√2) = (0, −1/√2); ∂/∂p = −((1,0)/√2 − (1,1)/(2√2)).
        //   neg: ∂/∂a = −((−1,0) + (1,0)) = 0, ∂/∂n = −((1,0) + (−1,0)) = 0.
        let r = try Reference.evaluate(withDistance(T([2], [1, 0]), T([2], [1, 1]), T([2], [-1, 0]),
                                                    g: T([], [1]),
                                                    ["distance_function": .string("cosine_distance"), "margin": .number(2.5)]))
        let s = 0.5.squareRoot()
        expectClose(r.output?.scalars, [1.5 - s])
        expectClose(r.outputs["grad_anchor"]?.scalars, [0, -s], atol: 1e-16)
        expectClose(r.outputs["grad_positive"]?.scalars, [-s / 2, s / 2], atol: 1e-16)
        expectClose(r.outputs["grad_negative"]?.scalars, [0, 0], atol: 1e-16)
    }

    @Test func cosineClampsEachNormAndDifferentiatesTheUnclampedOne() throws {
        // positive x = (3e-9, 4e-9): ‖x‖ = 5e-9 < eps = 1e-8, so c_x = 1e-8; anchor y = (1, 2), c_y = √5.
        // cos = 11e-9/(1e-8·√5) = 1.1/√5; ∂cos/∂x_j = y_j/(c_x c_y) − cos·x_j/(c_x·‖x‖):
        //   j=0: (1e8 − 1.1·6e7)/√5 = 3.4e7/√5;  j=1: (2e8 − 1.1·8e7)/√5 = 1.12e8/√5.
        // torch 2.15: x = torch.tensor([3e-9, 4e-9], requires_grad=True)
        //   F.cosine_similarity(x, torch.tensor([1., 2.]), dim=-1, eps=1e-8).backward()
        //   x.grad → [15205262.246998575, 50087922.69599529]
        // The negative is opposite (cos = −1, d_neg = 2), so margin 2 keeps the hinge active.
        let r = try Reference.evaluate(withDistance(T([2], [1, 2]), T([2], [3e-9, 4e-9]), T([2], [-1, -2]),
                                                    g: T([], [1]), ["distance_function": .string("cosine_distance"),
                                                                   "margin": .number(2)]))
        expectClose(r.output?.scalars, [2 + (1 - 1.1 / 5.0.squareRoot()) - 2], rtol: 1e-12)
        expectClose(r.outputs["grad_positive"]?.scalars, [-3.4e7 / 5.0.squareRoot(), -1.12e8 / 5.0.squareRoot()],
                    rtol: 1e-12)
        expectClose(r.outputs["grad_positive"]?.scalars, [-15205262.246998575, -50087922.69599529], rtol: 1e-12)
        // A zero vector: cos = 0 with gradient y/(eps·‖y‖) only (the radial term vanishes).
        let z = try Reference.evaluate(withDistance(T([2], [1, 2]), T([2], [0, 0]), T([2], [-1, -2]),
                                                    g: T([], [1]), ["distance_function": .string("cosine_distance"),
                                                                    "margin": .number(2)]))
        expectClose(z.outputs["grad_positive"]?.scalars, [-1e8 / 5.0.squareRoot(), -2e8 / 5.0.squareRoot()],
                    rtol: 1e-12)
    }

    @Test func cosineOverEmptyLastDimensionIsOne() throws {
        let d0 = T([2, 0], [])
        // d_pos = d_neg = 1 − 0 = 1 → l = margin.
        let r = try Reference.evaluate(withDistance(d0, d0, d0, ["distance_function": .string("cosine_distance"),
                                                                 "reduction": .string("none"), "margin": .number(0.5)]))
        #expect(r.output == T([2], [0.5, 0.5]))
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func cosineFiniteDifferences(reduction: String, swap: Bool) throws {
        let a = T([3, 4], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.9, -2.2, 1.1, 0.45, -0.8, 0.05])
        let p = T([3, 1], [0.9, -0.6, 1.45])
        let n = T([1, 4], [1.15, -0.25, 0.6, -1.85])
        let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(
            withDistance(a, p, n, g: g, ["distance_function": .string("cosine_distance"), "margin": .number(2.75),
                                         "swap": .bool(swap), "reduction": .string(reduction)]))
    }

    @Test func errorsInPyTorchOrder() {
        let x = T([2, 3], [1, 2, 3, 4, 5, 6])
        let v = T([3], [1, 2, 3])
        // 'elementwise_mean' is rejected here (string comparison), and reduction is checked first.
        expectError(withDistance(x, x, x, ["reduction": .string("elementwise_mean")]), .invalidReduction)
        expectError(withDistance(x, v, x, ["reduction": .string("avg"), "margin": .number(-1)]), .invalidReduction)
        expectError(withDistance(x, v, x, ["margin": .number(0)]), .invalidOption, argument: "margin")
        expectError(withDistance(x, v, x), .shapeMismatch, argument: "positive")
        expectError(withDistance(x, x, x, ["distance_function": .string("manhattan")]), .invalidOption,
                    argument: "distance_function")
        expectError(withDistance(x, x, x, ["p": .number(1)]), .invalidOption, argument: "p")
    }
}

@Suite struct TripletMarginShapeGuardTests {
    @Test func emptyTensorsWithOverflowingSizesAreRejectedNotTrapped() {
        // (2^62, 4, 0) holds no element, but its batch part (2^62, 4) cannot be counted.
        let huge = Tensor<Double>(shape: [1 << 62, 1, 0], scalars: [])
        let small = T([1, 4, 0], [])
        expectError(triplet(huge, small, small), .shapeMismatch)
    }
}
