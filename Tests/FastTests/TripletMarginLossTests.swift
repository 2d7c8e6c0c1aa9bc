import Testing
import LossSpec
@testable import Fast

private typealias S = TripletCTCTestSupport

private func tripletCase(_ shapes: [[Int]], _ options: [String: JSONValue], seed: UInt64,
                         loss: LossKind = .tripletMarginLoss, grad: Bool = true) -> LossCase {
    var d = S.Draws(seed)
    var inputs: [String: TensorValue] = [:]
    for (name, shape) in zip(["anchor", "positive", "negative"], shapes) { inputs[name] = d.tensor(shape) }
    var c = LossCase(loss: loss, options: options, inputs: inputs)
    if grad, let shape = S.outputShape(c) { c.inputs["grad_output"] = d.tensor(shape) }
    return c
}

@Suite struct TripletMarginLossFastTests {
    @Test func agreesWithReferenceForEveryPSwapAndReduction() throws {
        var seed: UInt64 = 1
        for p in [1, 2, 3, 0.5, Double.infinity, 0, -1] {
            for swap in [false, true] {
                for reduction in ["none", "mean", "sum"] {
                    for eps in [0, 1e-6, 0.25] {
                        seed += 1
                        try S.agree(tripletCase([[9, 37], [9, 37], [9, 37]],
                                                ["p": .number(p), "swap": .bool(swap), "eps": .number(eps),
                                                 "reduction": .string(reduction)], seed: seed), budget: 64)
                    }
                }
            }
        }
    }

    @Test func agreesOnBroadcastAndUnusualShapes() throws {
        let shapes: [[[Int]]] = [[[], [], []], [[5], [5], [5]], [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
                                 [[4, 5], [1, 5], [4, 5]], [[2, 1, 5], [1, 3, 5], [2, 3, 5]], [[4, 1], [4, 6], [1, 6]],
                                 [[3, 0], [3, 0], [3, 0]], [[0, 4], [0, 4], [0, 4]]]
        for (i, s) in shapes.enumerated() {
            for reduction in ["none", "mean", "sum"] {
                for swap in [false, true] {
                    try S.agree(tripletCase(s, ["swap": .bool(swap), "reduction": .string(reduction), "margin": .number(2)],
                                            seed: UInt64(100 + i)), budget: 64)
                }
            }
        }
    }

    @Test func bitIdenticalForOneTwoAndEightThreads() throws {
        for swap in [false, true] {
            try ThreadInvariance.expect(tripletCase([[1000, 64], [1000, 64], [1000, 64]],
                                              ["swap": .bool(swap), "reduction": .string("mean")], seed: 7))
            try ThreadInvariance.expect(tripletCase([[1000, 64], [1000, 64], [1000, 64]],
                                              ["swap": .bool(swap), "reduction": .string("none")], seed: 8))
        }
    }

    @Test func raisesTheReferenceErrors() {
        let ok: [[Int]] = [[3, 4], [3, 4], [3, 4]]
        for (shapes, options) in [(ok, ["margin": JSONValue.number(0)]), (ok, ["margin": .number(-1)]),
                                  (ok, ["reduction": .string("avg")]),
                                  ([[3, 4], [4], [3, 4]], [:]), ([[3, 4], [3, 5], [3, 4]], [:]),
                                  ([[1, 4], [3, 4], [2, 4]], [:]), ([[2, 0], [2, 0], [2, 0]], ["p": .number(.infinity)])] {
            S.sameError(tripletCase(shapes, options, seed: 3, grad: false))
        }
    }

    @Test func typedEntryPointByHand() throws {
        // Row 0: ‖(−3, −4)‖ = 5, ‖(0, −1)‖ = 1 → 1 + 5 − 1 = 5; row 1 clamped.
        let a = Tensor<Float>(shape: [2, 2], scalars: [0, 0, 1, 1])
        let p = Tensor<Float>(shape: [2, 2], scalars: [3, 4, 1, 2])
        let n = Tensor<Float>(shape: [2, 2], scalars: [0, 1, 4, 5])
        let r = try Fast.tripletMarginLoss(anchor: a, positive: p, negative: n, eps: 0, reduction: .sum,
                                           gradOutput: Tensor(scalar: 2), threads: 1)
        #expect(r.output?.scalars == [5])
        #expect(r.outputs["grad_negative"]?.scalars == [0, -2, 0, 0])
    }
}

@Suite struct TripletMarginWithDistanceLossFastTests {
    @Test func agreesWithReferenceForEveryDistanceSwapAndReduction() throws {
        var seed: UInt64 = 500
        for distance in [JSONValue.null, .string("pairwise_distance"), .string("cosine_distance")] {
            for swap in [false, true] {
                for reduction in ["none", "mean", "sum"] {
                    for shapes in [[[7, 33], [7, 33], [7, 33]], [[2, 1, 9], [1, 3, 9], [2, 3, 9]], [[], [], []]] {
                        seed += 1
                        try S.agree(tripletCase(shapes, ["distance_function": distance, "swap": .bool(swap),
                                                         "reduction": .string(reduction)],
                                                seed: seed, loss: .tripletMarginWithDistanceLoss), budget: 64)
                    }
                }
            }
        }
    }

    @Test func bitIdenticalForOneTwoAndEightThreads() throws {
        for distance in [JSONValue.null, .string("cosine_distance")] {
            try ThreadInvariance.expect(tripletCase([[700, 48], [700, 48], [700, 48]], ["distance_function": distance, "swap": .bool(true)],
                                              seed: 9, loss: .tripletMarginWithDistanceLoss))
        }
    }

    @Test func raisesTheReferenceErrors() {
        let ok: [[Int]] = [[3, 4], [3, 4], [3, 4]]
        for options in [["reduction": JSONValue.string("elementwise_mean")], ["margin": .number(0)],
                        ["distance_function": .string("euclidean")]] {
            S.sameError(tripletCase(ok, options, seed: 4, loss: .tripletMarginWithDistanceLoss, grad: false))
        }
        S.sameError(tripletCase([[3, 4], [3, 4], [4]], [:], seed: 4, loss: .tripletMarginWithDistanceLoss, grad: false))
    }
}
