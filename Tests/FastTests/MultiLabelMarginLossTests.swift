import Testing
import LossSpec
@testable import Fast

private typealias T = ClassMarginTensors
private let budget = 32.0

/// `rows` target rows of `c` entries: up to `maxLabels` random classes (repeats allowed), −1, then
/// random entries in [−1, C) that the loss ignores.
private func targets(_ rng: inout MarginTestRNG, rows: Int, classes c: Int, maxLabels: Int) -> [Int64] {
    (0..<rows).flatMap { _ in
        var row = (0..<rng.int(0, min(c, maxLabels))).map { _ in Int64(rng.int(0, c - 1)) }
        if row.count < c { row.append(-1) }
        while row.count < c { row.append(Int64(rng.int(-1, c - 1))) }
        return row
    }
}

private func multilabel(_ reduction: String, _ inputs: [String: TensorValue]) -> LossCase {
    LossCase(loss: .multilabelMarginLoss, options: ["reduction": .string(reduction)], inputs: inputs)
}

@Suite struct FastMultiLabelMarginLossTests {
    @Test func agreesWithTheReferenceOnRandomCases() throws {
        var rng = MarginTestRNG(12)
        var worst = 0.0
        for reduction in MarginLossCheck.reductions {
            for (shape, targetShape) in [([5, 7], [5, 7]), ([3, 16], [3, 16]), ([4, 33], [4, 33]), ([6, 1], [6, 1]),
                                         ([2, 64], [2, 64]), ([9], [9]), ([1], []), ([], []), ([], [1])] {
                let rows = shape.count == 2 ? shape[0] : 1, c = shape.last ?? 1
                for maxLabels in [1, 4, c] {
                    let forward = multilabel(reduction, [
                        "input": rng.values(shape),
                        "target": T.ints(targetShape, targets(&rng, rows: rows, classes: c, maxLabels: maxLabels)),
                    ])
                    worst = max(worst, try MarginLossCheck.compare(forward, budget: budget))
                    worst = max(worst, try MarginLossCheck.compare(rng.withGradOutput(forward), budget: budget))
                }
            }
        }
        #expect(worst <= budget)
    }

    @Test func labelListsKinksNonFiniteScoresAndEmptyBatch() throws {
        var rng = MarginTestRNG(13)
        let cases: [([Int], [Double], [Int64])] = [
            // First entry −1; all classes; duplicated label; entries after −1.
            ([4, 4], [0.5, -1, 2, 0.25, 1, 2, 3, 4, 0.5, 0.75, 1.5, -0.5, 0, 1, 0.5, -2],
             [-1, 1, 2, 3, 3, 1, 0, 2, 2, 2, 0, -1, 0, 3, -1, 2]),
            // z = 0 exactly.
            ([2, 4], [2, 1, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5], [0, -1, 3, 3, 2, 1, -1, 0]),
            ([3, 4], [.nan, 1, 2, 0.5, 0.25, .nan, -1, 3, .nan, .nan, 0, 0], [0, 1, -1, 0, 2, -1, 3, 3, 2, 1, -1, -1]),
            ([4, 3], [0, .infinity, 1, .infinity, 0, 2, -.infinity, 0, 1, .infinity, .infinity, 1],
             [0, -1, 0, 0, -1, 1, 0, -1, -1, 0, 1, -1]),
            ([0, 4], [], []),
        ]
        for (shape, x, y) in cases {
            for reduction in shape[0] == 0 ? ["none"] : MarginLossCheck.reductions {
                let c = multilabel(reduction, ["input": T.floats(shape, x), "target": T.ints(shape, y)])
                try MarginLossCheck.compare(rng.withGradOutput(c), budget: budget)
            }
        }
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        // 200 rows of 256 classes: 64 rows per chunk, so four chunks.
        var rng = MarginTestRNG(14)
        let inputs = ["input": rng.values([200, 256]),
                      "target": T.ints([200, 256], targets(&rng, rows: 200, classes: 256, maxLabels: 12))]
        for reduction in MarginLossCheck.reductions {
            try MarginLossCheck.expectDeterministicAndAccurate(multilabel(reduction, inputs), budget: budget, &rng)
        }
    }

    @Test func raisesTheReferenceErrorKinds() {
        let x = T.floats([2, 4], (0..<8).map(Double.init))
        let y = T.ints([2, 4], [0, -1, 0, 0, 1, 2, -1, 3])
        let invalid: [(ErrorKind, [String: JSONValue], [String: TensorValue])] = [
            (.invalidReduction, ["reduction": .string("batchmean")], ["input": x, "target": y]),
            (.invalidOption, ["margin": .number(1)], ["input": x, "target": y]),
            (.shapeMismatch, [:], ["input": T.floats([2, 2, 2], [Double](repeating: 0, count: 8)),
                                   "target": T.ints([2, 2, 2], [0, 0, 0, 0, 0, 0, 0, 0])]),
            (.shapeMismatch, [:], ["input": x, "target": T.ints([2, 3], [0, 0, 0, 0, 0, 0])]),
            (.shapeMismatch, [:], ["input": x, "target": T.ints([4], [0, 1, 2, 3])]),
            (.shapeMismatch, [:], ["input": T.floats([4], [0, 1, 2, 3]), "target": T.ints([1, 4], [0, 1, 2, 3])]),
            (.targetOutOfRange, [:], ["input": x, "target": T.ints([2, 4], [0, -1, 0, 0, 1, 2, -1, 4])]),
            (.targetOutOfRange, [:], ["input": x, "target": T.ints([2, 4], [0, -1, -2, 0, 1, 2, -1, 3])]),
            (.targetOutOfRange, [:], ["input": x, "target": T.ints([2, 4], [-2, -1, 0, 0, 1, 2, -1, 3])]),
            (.emptyInput, [:], ["input": T.floats([2, 0], []), "target": T.ints([2, 0], [])]),
            (.invalidValue, [:], ["input": x, "target": T.floats([2, 4], [0, -1, 0, 0, 1, 2, -1, 3])]),
            (.shapeMismatch, ["reduction": .string("none")], ["input": x, "target": y, "grad_output": T.floats([], [1])]),
        ]
        for (kind, o, inputs) in invalid {
            MarginLossCheck.expectSameError(LossCase(loss: .multilabelMarginLoss, options: o, inputs: inputs), kind)
        }
    }

    /// The range check reads every entry of a target spanning many chunks on several threads (its
    /// extremes are Fast's parallel SIMD pass): one bad entry after a row's −1, deep in a late
    /// chunk, is found at any thread count, and the error names the first bad entry in order.
    @Test(arguments: [1, 2, 3])
    func aBadEntryAnywhereInALargeTargetIsFound(threads: Int) throws {
        var rng = MarginTestRNG(15)
        let (rows, c) = (300, 256)
        let x = rng.values([rows, c])
        let valid = targets(&rng, rows: rows, classes: c, maxLabels: 6)
        for (position, bad) in [(250 * c + 200, Int64(c)), (299 * c + 255, -2), (17, Int64.max), (40_000, Int64.min)] {
            var y = valid
            y[position] = bad
            if position == 17 { y[70_000] = -5 }  // a later bad entry: the first one is named
            let c = multilabel("sum", ["input": x, "target": T.ints([rows, c], y)])
            #expect {
                try Fast.evaluate(c, threads: threads)
            } throws: { error in
                guard let e = error as? LossError else { return false }
                return e.kind == .targetOutOfRange && "\(e)".contains("entry \(bad) is out of range")
            }
        }
        #expect(throws: Never.self) { try Fast.evaluate(multilabel("sum", ["input": x, "target": T.ints([rows, c], valid)]), threads: threads) }
    }
}
