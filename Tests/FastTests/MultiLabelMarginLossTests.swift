import Testing
import LossSpec
@testable import Fast

private typealias S = MarginLossTestSupport

/// A target row of `c` entries: `labels` random classes (repeats allowed), −1, then random
/// entries in [−1, C) that the loss ignores.
private func targetRow(_ rng: inout MarginTestRNG, classes c: Int, labels: Int) -> [Int64] {
    var row = (0..<labels).map { _ in Int64(rng.int(0, c - 1)) }
    if row.count < c { row.append(-1) }
    while row.count < c { row.append(Int64(rng.int(-1, c - 1))) }
    return row
}

private func targets(_ rng: inout MarginTestRNG, rows: Int, classes c: Int, maxLabels: Int) -> [Int64] {
    (0..<rows).flatMap { _ in targetRow(&rng, classes: c, labels: rng.int(0, min(c, maxLabels))) }
}

@Suite struct FastMultiLabelMarginLossTests {
    @Test func agreesWithTheReferenceOnRandomCases() throws {
        var rng = MarginTestRNG(seed: 12)
        var worst = 0.0
        for reduction in ["none", "mean", "sum"] {
            for (shape, targetShape) in [([5, 7], [5, 7]), ([3, 16], [3, 16]), ([4, 33], [4, 33]), ([6, 1], [6, 1]),
                                         ([2, 64], [2, 64]), ([9], [9]), ([1], []), ([], []), ([], [1])] {
                let rows = shape.count == 2 ? shape[0] : 1, c = shape.last ?? 1
                for maxLabels in [1, 4, c] {
                    let inputs: [String: TensorValue] = [
                        "input": rng.floats(shape),
                        "target": S.ints(targetShape, targets(&rng, rows: rows, classes: c, maxLabels: maxLabels)),
                    ]
                    for grad in [false, true] {
                        let lossCase = try S.makeCase(.multilabelMarginLoss, ["reduction": .string(reduction)], inputs,
                                                      grad: grad, rng: &rng)
                        worst = max(worst, try S.expectAgreement(lossCase))
                    }
                }
            }
        }
        #expect(worst <= S.budget)
    }

    @Test func labelListsKinksNonFiniteScoresAndEmptyBatch() throws {
        var rng = MarginTestRNG(seed: 13)
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
            for reduction in shape[0] == 0 ? ["none"] : ["none", "mean", "sum"] {
                let lossCase = try S.makeCase(.multilabelMarginLoss, ["reduction": .string(reduction)],
                                              ["input": S.floats(shape, x), "target": S.ints(shape, y)], grad: true, rng: &rng)
                try S.expectAgreement(lossCase)
            }
        }
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        // 200 rows of 256 classes: 64 rows per chunk, so four chunks.
        var rng = MarginTestRNG(seed: 14)
        let inputs: [String: TensorValue] = [
            "input": rng.floats([200, 256]),
            "target": S.ints([200, 256], targets(&rng, rows: 200, classes: 256, maxLabels: 12)),
        ]
        for reduction in ["none", "mean", "sum"] {
            let lossCase = try S.makeCase(.multilabelMarginLoss, ["reduction": .string(reduction)], inputs, grad: true, rng: &rng)
            try S.expectThreadIndependent(lossCase)
            try S.expectAgreement(lossCase, threads: 8)
        }
    }

    @Test func raisesTheReferenceErrorKinds() {
        let x = S.floats([2, 4], (0..<8).map(Double.init))
        let y = S.ints([2, 4], [0, -1, 0, 0, 1, 2, -1, 3])
        let invalid: [([String: JSONValue], [String: TensorValue])] = [
            (["reduction": .string("batchmean")], ["input": x, "target": y]),
            (["margin": .number(1)], ["input": x, "target": y]),
            ([:], ["input": S.floats([2, 2, 2], [Double](repeating: 0, count: 8)), "target": S.ints([2, 2, 2], [0, 0, 0, 0, 0, 0, 0, 0])]),
            ([:], ["input": x, "target": S.ints([2, 3], [0, 0, 0, 0, 0, 0])]),
            ([:], ["input": x, "target": S.ints([4], [0, 1, 2, 3])]),
            ([:], ["input": S.floats([4], [0, 1, 2, 3]), "target": S.ints([1, 4], [0, 1, 2, 3])]),
            ([:], ["input": x, "target": S.ints([2, 4], [0, -1, 0, 0, 1, 2, -1, 4])]),
            ([:], ["input": x, "target": S.ints([2, 4], [0, -1, -2, 0, 1, 2, -1, 3])]),
            ([:], ["input": x, "target": S.ints([2, 4], [-2, -1, 0, 0, 1, 2, -1, 3])]),
            ([:], ["input": S.floats([2, 0], []), "target": S.ints([2, 0], [])]),
            ([:], ["input": x, "target": S.floats([2, 4], [0, -1, 0, 0, 1, 2, -1, 3])]),
            (["reduction": .string("none")], ["input": x, "target": y, "grad_output": S.floats([], [1])]),
        ]
        for (o, inputs) in invalid {
            S.expectSameError(LossCase(loss: .multilabelMarginLoss, options: o, inputs: inputs))
        }
    }
}
