import Testing
import LossSpec
@testable import Fast

private typealias T = ClassMarginTensors
private let budget = 32.0

private func options(_ reduction: String, p: Double = 1, margin: Double = 1) -> [String: JSONValue] {
    ["reduction": .string(reduction), "p": .number(p), "margin": .number(margin)]
}

private func multiMargin(_ o: [String: JSONValue], _ inputs: [String: TensorValue]) -> LossCase {
    LossCase(loss: .multiMarginLoss, options: o, inputs: inputs)
}

@Suite struct FastMultiMarginLossTests {
    @Test func agreesWithTheReferenceOnRandomCases() throws {
        var rng = MarginTestRNG(18)
        var worst = 0.0
        for p in [1.0, 2.0] {
            for margin in [-0.5, 0, 1, 2.5] {
                for reduction in MarginLossCheck.reductions {
                    for (shape, targetShape) in [([5, 7], [5]), ([3, 16], [3]), ([2, 33], [2]), ([6, 48], [6]), ([5, 70], [5]), ([4, 1], [4]),
                                                 ([9], []), ([9], [1]), ([1, 6], []), ([], [])] {
                        let c = shape.last ?? 1
                        var inputs = ["input": rng.values(shape), "target": rng.indices(targetShape, 0, c - 1)]
                        if rng.int(0, 1) == 1 { inputs["weight"] = rng.values([c], -10, 10) }
                        let forward = multiMargin(options(reduction, p: p, margin: margin), inputs)
                        worst = max(worst, try MarginLossCheck.compare(forward, budget: budget))
                        worst = max(worst, try MarginLossCheck.compare(rng.withGradOutput(forward), budget: budget))
                    }
                }
            }
        }
        #expect(worst <= budget)
    }

    @Test func kinksNonFiniteScoresAndEmptyBatch() throws {
        var rng = MarginTestRNG(19)
        let cases: [(String, [Int], [Double], [Int64])] = [
            // z = 0 exactly (strict test), NaN terms and a NaN target score, infinities.
            ("kink", [2, 4], [0.5, 1, 0.25, 1.5, 1.5, 1.5, 1.5, 2], [1, 3]),
            ("nan", [3, 4], [.nan, 1, 2, 0.5, 0.25, .nan, -1, 3, .nan, .nan, 0, 0], [1, 1, 2]),
            ("inf", [4, 3], [0, .infinity, 1, .infinity, 0, 2, -.infinity, 0, 1, .infinity, .infinity, 1], [0, 0, 0, 0]),
            ("empty", [0, 4], [], []),
        ]
        for (name, shape, x, y) in cases {
            for p in [1.0, 2.0] {
                for reduction in name == "empty" ? ["none"] : MarginLossCheck.reductions {
                    let c = multiMargin(options(reduction, p: p, margin: name == "kink" ? 0.5 : 1),
                                        ["input": T.floats(shape, x), "target": T.ints([shape[0]], y)])
                    try MarginLossCheck.compare(rng.withGradOutput(c), budget: budget)
                }
            }
        }
        // An empty batch: 'sum' is 0 and 'mean' NaN (the Reference's choice; PyTorch returns garbage).
        let empty = ["input": T.floats([0, 3], []), "target": T.ints([0], [])]
        #expect(try Fast.evaluate(multiMargin(options("sum"), empty)).output?.scalars == [0])
        #expect(try Fast.evaluate(multiMargin(options("mean"), empty)).output?.scalars.first?.isNaN == true)
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        // 300 rows of 200 classes: 81 rows per chunk, so four chunks.
        var rng = MarginTestRNG(20)
        let inputs = ["input": rng.values([300, 200]), "target": rng.indices([300], 0, 199),
                      "weight": rng.values([200], 0, 2)]
        for p in [1.0, 2.0] {
            for reduction in MarginLossCheck.reductions {
                try MarginLossCheck.expectDeterministicAndAccurate(multiMargin(options(reduction, p: p), inputs),
                                                                   budget: budget, &rng)
            }
        }
    }

    @Test func raisesTheReferenceErrorKinds() {
        let x = T.floats([3, 4], (0..<12).map(Double.init))
        let y = T.ints([3], [0, 1, 2])
        let invalid: [(ErrorKind, [String: JSONValue], [String: TensorValue])] = [
            (.invalidOption, ["p": .number(3)], ["input": x, "target": y]),
            (.invalidOption, ["p": .number(1.5)], ["input": x, "target": y]),
            (.invalidReduction, ["reduction": .string("avg")], ["input": x, "target": y]),
            (.shapeMismatch, [:], ["input": T.floats([2, 3, 4], [Double](repeating: 0, count: 24)), "target": T.ints([2], [0, 0])]),
            (.shapeMismatch, [:], ["input": x, "target": T.ints([3, 1], [0, 1, 2])]),
            (.shapeMismatch, [:], ["input": x, "target": T.ints([4], [0, 1, 2, 3])]),
            (.shapeMismatch, [:], ["input": x, "target": y, "weight": T.floats([1, 4], [1, 1, 1, 1])]),
            (.shapeMismatch, [:], ["input": x, "target": y, "weight": T.floats([5], [1, 1, 1, 1, 1])]),
            (.targetOutOfRange, [:], ["input": x, "target": T.ints([3], [0, 4, 1])]),
            (.targetOutOfRange, [:], ["input": x, "target": T.ints([3], [0, -1, 1])]),
            (.emptyInput, [:], ["input": T.floats([3, 0], []), "target": y]),
            (.emptyInput, [:], ["input": T.floats([0], []), "target": T.ints([], [0])]),
            (.invalidValue, [:], ["input": x, "target": T.floats([3], [0, 1, 2])]),
            (.shapeMismatch, ["reduction": .string("none")], ["input": x, "target": y, "grad_output": T.floats([2], [1, 1])]),
            (.shapeMismatch, ["reduction": .string("sum")], ["input": x, "target": y, "grad_output": T.floats([1], [1])]),
        ]
        for (kind, o, inputs) in invalid {
            MarginLossCheck.expectSameError(multiMargin(o, inputs), kind)
        }
    }
}
