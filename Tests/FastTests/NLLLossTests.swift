import Testing
import LossSpec
import Reference
@testable import Fast

@Suite struct FastNLLTests {
    @Test(arguments: MarginLossCheck.reductions)
    func agreesWithReference(reduction: String) throws {
        var r = MarginTestRNG(21)
        for shape in ClassIndexTestCases.shapes {
            for (weighted, ignore) in [(false, nil), (true, nil), (false, 2), (true, -100)] as [(Bool, Int?)] {
                let c = try ClassIndexTestCases.indexCase(.nllLoss, &r, shape: shape, reduction: reduction,
                                                          weighted: weighted, ignore: ignore, smoothing: nil)
                try MarginLossCheck.compare(c, budget: 64)
            }
        }
    }

    /// All ignored ('mean' NaN), W = 0 by zero and by cancelling weights, non-finite inputs.
    @Test func specialValues() throws {
        let x = TensorValue.float64(Tensor(shape: [3, 3], scalars: [-1, .nan, -3, -.infinity, -1.5, .infinity, -4, -0.25, -1]))
        for (reduction, target, weight, ignore) in [
            ("mean", [1, 1, 1], nil, 1), ("mean", [0, 0, 2], [0.0, 1, 0], -100), ("sum", [0, 1, 2], [1.0, -1, 2], -100),
            ("mean", [0, 1, 2], [1.0, 1, -2], -100), ("none", [2, 0, 1], nil, 5),
        ] as [(String, [Int64], [Double]?, Int)] {
            var inputs: [String: TensorValue] = ["input": x, "target": .int64(Tensor(shape: [3], scalars: target))]
            if let weight { inputs["weight"] = .float64(Tensor(shape: [3], scalars: weight)) }
            var r = MarginTestRNG(22)
            let c = LossCase(loss: .nllLoss,
                             options: ["reduction": .string(reduction), "ignore_index": .number(Double(ignore))],
                             inputs: inputs)
            try MarginLossCheck.compare(try r.withGradOutput(c), budget: 64)
        }
    }

    @Test func threadDeterminism() throws {
        var r = MarginTestRNG(23)
        // 40000 positions: 3 chunks of 16384.
        for shape in [[40000, 3], [3, 4, 15000]] {
            for reduction in ["mean", "none"] {
                let c = LossCase(loss: .nllLoss, options: ["reduction": .string(reduction), "ignore_index": .number(1)],
                                 inputs: ["input": r.values(shape), "weight": r.values([shape[1]], 0, 2),
                                          "target": ClassIndexTestCases.targets(&r, ClassIndexTestCases.positionShape(shape),
                                                                                classes: shape[1], ignore: 1)])
                try MarginLossCheck.expectDeterministicAndAccurate(c, budget: 64, &r)
            }
        }
    }

    @Test func sameErrorsAsReference() {
        let x = TensorValue.float64(Tensor(shape: [3, 4], scalars: (0..<12).map { -Double($0) }))
        let y = TensorValue.int64(Tensor(shape: [3], scalars: [0, 1, 2]))
        let cases: [([String: JSONValue], [String: TensorValue], ErrorKind)] = [
            ([:], ["input": .float64(Tensor(scalar: 1)), "target": .int64(Tensor(scalar: 0))], .shapeMismatch),
            ([:], ["input": x, "target": .int64(Tensor(shape: [4], scalars: [0, 1, 2, 3]))], .shapeMismatch),
            ([:], ["input": .float64(Tensor(shape: [4], scalars: [0, 1, 2, 3])),
                   "target": .int64(Tensor(shape: [2], scalars: [0, 1]))], .shapeMismatch),
            ([:], ["input": .float64(Tensor(shape: [2, 3, 4], scalars: [Double](repeating: 0, count: 24))),
                   "target": .int64(Tensor(shape: [2, 3], scalars: [0, 0, 0, 0, 0, 0]))], .shapeMismatch),
            ([:], ["input": x, "target": .int64(Tensor(shape: [3], scalars: [0, 4, 1]))], .targetOutOfRange),
            (["ignore_index": .number(4)], ["input": x, "target": .int64(Tensor(shape: [3], scalars: [4, 5, 1]))], .targetOutOfRange),
            ([:], ["input": x, "target": y, "weight": .float64(Tensor(shape: [1, 4], scalars: [1, 1, 1, 1]))], .shapeMismatch),
            ([:], ["input": x, "target": .float64(Tensor(shape: [3], scalars: [0, 1, 2]))], .invalidValue),
            (["reduction": .string("batchmean")], ["input": x, "target": y], .invalidReduction),
        ]
        for (options, inputs, kind) in cases {
            MarginLossCheck.expectSameError(LossCase(loss: .nllLoss, options: options, inputs: inputs), kind)
        }
    }
}
