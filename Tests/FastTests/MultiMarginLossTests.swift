import Testing
import LossSpec
@testable import Fast

private typealias S = MarginLossTestSupport

private func options(_ reduction: String, p: Double = 1, margin: Double = 1) -> [String: JSONValue] {
    ["reduction": .string(reduction), "p": .number(p), "margin": .number(margin)]
}

@Suite struct FastMultiMarginLossTests {
    @Test func agreesWithTheReferenceOnRandomCases() throws {
        var rng = MarginTestRNG(seed: 18)
        var worst = 0.0
        for p in [1.0, 2.0] {
            for margin in [-0.5, 0, 1, 2.5] {
                for reduction in ["none", "mean", "sum"] {
                    for (shape, targetShape) in [([5, 7], [5]), ([3, 16], [3]), ([2, 33], [2]), ([4, 1], [4]),
                                                 ([9], []), ([9], [1]), ([1, 6], []), ([], [])] {
                        let c = shape.last ?? 1
                        var inputs: [String: TensorValue] = [
                            "input": rng.floats(shape),
                            "target": S.ints(targetShape, (0..<Shape.count(targetShape)).map { _ in Int64(rng.int(0, c - 1)) }),
                        ]
                        if rng.int(0, 1) == 1 { inputs["weight"] = rng.floats([c], -10, 10) }
                        for grad in [false, true] {
                            let lossCase = try S.makeCase(.multiMarginLoss, options(reduction, p: p, margin: margin), inputs,
                                                          grad: grad, rng: &rng)
                            worst = max(worst, try S.expectAgreement(lossCase))
                        }
                    }
                }
            }
        }
        #expect(worst <= S.budget)
    }

    @Test func kinksNonFiniteScoresAndEmptyBatch() throws {
        var rng = MarginTestRNG(seed: 19)
        let cases: [(String, [Int], [Double], [Int64])] = [
            // z = 0 exactly (strict test), NaN terms and a NaN target score, infinities.
            ("kink", [2, 4], [0.5, 1, 0.25, 1.5, 1.5, 1.5, 1.5, 2], [1, 3]),
            ("nan", [3, 4], [.nan, 1, 2, 0.5, 0.25, .nan, -1, 3, .nan, .nan, 0, 0], [1, 1, 2]),
            ("inf", [4, 3], [0, .infinity, 1, .infinity, 0, 2, -.infinity, 0, 1, .infinity, .infinity, 1], [0, 0, 0, 0]),
            ("empty", [0, 4], [], []),
        ]
        for (name, shape, x, y) in cases {
            for p in [1.0, 2.0] {
                for reduction in name == "empty" ? ["none"] : ["none", "mean", "sum"] {
                    let lossCase = try S.makeCase(.multiMarginLoss, options(reduction, p: p, margin: name == "kink" ? 0.5 : 1),
                                                  ["input": S.floats(shape, x), "target": S.ints([shape[0]], y)],
                                                  grad: true, rng: &rng)
                    try S.expectAgreement(lossCase)
                }
            }
        }
        // An empty batch: 'sum' is 0 and 'mean' NaN (the Reference's choice; PyTorch returns garbage).
        let empty = ["input": S.floats([0, 3], []), "target": S.ints([0], [])]
        #expect(try Fast.evaluate(LossCase(loss: .multiMarginLoss, options: options("sum"), inputs: empty)).output?.scalars == [0])
        #expect(try Fast.evaluate(LossCase(loss: .multiMarginLoss, options: options("mean"), inputs: empty)).output?.scalars.first?.isNaN == true)
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        // 300 rows of 200 classes: 81 rows per chunk, so four chunks.
        var rng = MarginTestRNG(seed: 20)
        let inputs: [String: TensorValue] = [
            "input": rng.floats([300, 200]),
            "target": S.ints([300], (0..<300).map { _ in Int64(rng.int(0, 199)) }),
            "weight": rng.floats([200], 0, 2),
        ]
        for p in [1.0, 2.0] {
            for reduction in ["none", "mean", "sum"] {
                let lossCase = try S.makeCase(.multiMarginLoss, options(reduction, p: p), inputs, grad: true, rng: &rng)
                try S.expectThreadIndependent(lossCase)
                try S.expectAgreement(lossCase, threads: 8)
            }
        }
    }

    @Test func raisesTheReferenceErrorKinds() {
        let x = S.floats([3, 4], (0..<12).map(Double.init))
        let y = S.ints([3], [0, 1, 2])
        let invalid: [([String: JSONValue], [String: TensorValue])] = [
            (["p": .number(3)], ["input": x, "target": y]),
            (["p": .number(1.5)], ["input": x, "target": y]),
            (["reduction": .string("avg")], ["input": x, "target": y]),
            ([:], ["input": S.floats([2, 3, 4], [Double](repeating: 0, count: 24)), "target": S.ints([2], [0, 0])]),
            ([:], ["input": x, "target": S.ints([3, 1], [0, 1, 2])]),
            ([:], ["input": x, "target": S.ints([4], [0, 1, 2, 3])]),
            ([:], ["input": x, "target": y, "weight": S.floats([1, 4], [1, 1, 1, 1])]),
            ([:], ["input": x, "target": y, "weight": S.floats([5], [1, 1, 1, 1, 1])]),
            ([:], ["input": x, "target": S.ints([3], [0, 4, 1])]),
            ([:], ["input": x, "target": S.ints([3], [0, -1, 1])]),
            ([:], ["input": S.floats([3, 0], []), "target": y]),
            ([:], ["input": S.floats([0], []), "target": S.ints([], [0])]),
            ([:], ["input": x, "target": S.floats([3], [0, 1, 2])]),
            (["reduction": .string("none")], ["input": x, "target": y, "grad_output": S.floats([2], [1, 1])]),
            (["reduction": .string("sum")], ["input": x, "target": y, "grad_output": S.floats([1], [1])]),
        ]
        for (o, inputs) in invalid {
            S.expectSameError(LossCase(loss: .multiMarginLoss, options: o, inputs: inputs))
        }
    }
}
