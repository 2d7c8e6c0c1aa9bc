import Testing
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Random cases of the class-index losses: logits/log-probabilities and class targets with a share
/// of ignored positions. Uses the Docs/Tolerance.md comparison of `MarginLossCheck`.
enum ClassIndexTestCases {
    static func targets(_ r: inout MarginTestRNG, _ shape: [Int], classes: Int, ignore: Int?) -> TensorValue {
        .int64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in
            let y = min(classes - 1, Int(r.uniform(0, Double(classes))))
            if let ignore, r.uniform(0, 1) < 0.25 { return Int64(ignore) }
            return Int64(y)
        }))
    }

    static func positionShape(_ input: [Int]) -> [Int] { input.count == 1 ? [] : [input[0]] + input.dropFirst(2) }
    static func classes(_ input: [Int]) -> Int { input.count == 1 ? input[0] : input[1] }

    /// `(C)`, rows crossing the SIMD widths (contiguous hot path), and K-dim (strided path).
    static let shapes: [[Int]] = [[7], [5, 9], [3, 37], [4, 16], [2, 4, 5], [2, 3, 2, 3]]

    static func indexCase(_ loss: LossKind, _ r: inout MarginTestRNG, shape: [Int], reduction: String,
                          weighted: Bool, ignore: Int?, smoothing: Double?) throws -> LossCase {
        let c = classes(shape)
        var options: [String: JSONValue] = ["reduction": .string(reduction)]
        if let ignore { options["ignore_index"] = .number(Double(ignore)) }
        if let smoothing { options["label_smoothing"] = .number(smoothing) }
        var inputs = ["input": r.values(shape, -4, 4),
                      "target": targets(&r, positionShape(shape), classes: c, ignore: ignore)]
        if weighted { inputs["weight"] = r.values([c], 0.25, 2) }
        return try r.withGradOutput(LossCase(loss: loss, options: options, inputs: inputs))
    }
}

@Suite struct FastCrossEntropyTests {
    @Test(arguments: MarginLossCheck.reductions)
    func indexTargetsAgreeWithReference(reduction: String) throws {
        var r = MarginTestRNG(11)
        for shape in ClassIndexTestCases.shapes {
            for (weighted, ignore, smoothing) in [(false, nil, nil), (true, nil, nil), (false, 1, nil),
                                                  (true, -1, 0.2), (false, nil, 1.0), (true, 2, 0.5)] as [(Bool, Int?, Double?)] {
                let c = try ClassIndexTestCases.indexCase(.crossEntropy, &r, shape: shape, reduction: reduction,
                                                          weighted: weighted, ignore: ignore, smoothing: smoothing)
                try MarginLossCheck.compare(c, budget: 64)
            }
        }
    }

    @Test(arguments: MarginLossCheck.reductions)
    func probabilityTargetsAgreeWithReference(reduction: String) throws {
        var r = MarginTestRNG(12)
        for shape in ClassIndexTestCases.shapes {
            for (weighted, smoothing) in [(false, nil), (true, nil), (false, 0.3), (true, 1.0)] as [(Bool, Double?)] {
                var options: [String: JSONValue] = ["reduction": .string(reduction)]
                if let smoothing { options["label_smoothing"] = .number(smoothing) }
                var inputs = ["input": r.values(shape, -4, 4), "target": r.values(shape, 0, 1)]
                if weighted { inputs["weight"] = r.values([ClassIndexTestCases.classes(shape)], -0.5, 2) }
                let c = try r.withGradOutput(LossCase(loss: .crossEntropy, options: options, inputs: inputs))
                try MarginLossCheck.compare(c, budget: 64)
            }
        }
    }

    /// Extreme and NaN logits, W = 0 (non-finite upstream: the strided path's exact order).
    /// (−inf logits are in the golden catalogue: their scale is NaN, which `MarginLossCheck` does
    /// not treat as 0 the way the runner's `Tolerance` does.)
    @Test func specialValues() throws {
        let x = Tensor<Double>(shape: [3, 4], scalars: [-800, 800, 0, 100, -200, 1, 2, 3, .nan, 1, 2, 3])
        for (options, target, weight) in [
            (["reduction": JSONValue.string("none"), "label_smoothing": .number(0.1)], [1, 0, 2], nil),
            (["reduction": .string("mean")], [1, 1, 3], [0.0, 0, 1, 1]),
            (["reduction": .string("mean"), "label_smoothing": .number(0.5)], [0, 1, 2], [1.0, -1, 0.5, 1]),
        ] as [([String: JSONValue], [Int64], [Double]?)] {
            var inputs: [String: TensorValue] = ["input": .float64(x), "target": .int64(Tensor(shape: [3], scalars: target))]
            if let weight { inputs["weight"] = .float64(Tensor(shape: [4], scalars: weight)) }
            var r = MarginTestRNG(13)
            try MarginLossCheck.compare(try r.withGradOutput(LossCase(loss: .crossEntropy, options: options, inputs: inputs)),
                                        budget: 64)
        }
    }

    @Test func threadDeterminism() throws {
        var r = MarginTestRNG(14)
        // 300 rows of 1000 classes: 19 chunks of 16 rows; K-dim (4, 5, 9000): 11 chunks of positions.
        for (shape, smoothing) in [([300, 1000], 0.0), ([300, 1000], 0.1), ([4, 5, 9000], 0.1)] {
            for reduction in ["sum", "none"] {
                let c = LossCase(loss: .crossEntropy,
                                 options: ["reduction": .string(reduction), "label_smoothing": .number(smoothing),
                                           "ignore_index": .number(0)],
                                 inputs: ["input": r.values(shape, -4, 4),
                                          "target": ClassIndexTestCases.targets(&r, ClassIndexTestCases.positionShape(shape),
                                                                                classes: shape[1], ignore: 0)])
                try MarginLossCheck.expectDeterministicAndAccurate(c, budget: 64, &r)
            }
        }
        let p = LossCase(loss: .crossEntropy, options: ["reduction": .string("mean"), "label_smoothing": .number(0.2)],
                         inputs: ["input": r.values([200, 333], -4, 4), "target": r.values([200, 333], 0, 1)])
        try MarginLossCheck.expectDeterministicAndAccurate(p, budget: 64, &r)
    }

    @Test func sameErrorsAsReference() {
        let x = TensorValue.float64(Tensor(shape: [3, 4], scalars: (0..<12).map { Double($0) }))
        let y = TensorValue.int64(Tensor(shape: [3], scalars: [0, 1, 2]))
        let probs = TensorValue.float64(Tensor(shape: [3, 4], scalars: [Double](repeating: 0.25, count: 12)))
        let cases: [([String: JSONValue], [String: TensorValue], ErrorKind)] = [
            ([:], ["input": .float64(Tensor(scalar: 1)), "target": .int64(Tensor(scalar: 0))], .shapeMismatch),
            (["label_smoothing": .number(1.5)], ["input": x, "target": y], .invalidOption),
            ([:], ["input": x, "target": .int64(Tensor(shape: [2], scalars: [0, 1]))], .shapeMismatch),
            ([:], ["input": x, "target": .int64(Tensor(shape: [3, 1], scalars: [0, 1, 2]))], .shapeMismatch),
            ([:], ["input": x, "target": .int64(Tensor(shape: [3], scalars: [0, 4, 1]))], .targetOutOfRange),
            ([:], ["input": x, "target": .int64(Tensor(shape: [3], scalars: [0, -1, 1]))], .targetOutOfRange),
            ([:], ["input": x, "target": y, "weight": .float64(Tensor(shape: [3], scalars: [1, 1, 1]))], .shapeMismatch),
            ([:], ["input": x, "target": .float64(Tensor(shape: [3], scalars: [0, 1, 2]))], .invalidValue),
            ([:], ["input": x, "target": .int64(Tensor(shape: [3, 4], scalars: [Int64](repeating: 0, count: 12)))], .invalidValue),
            (["ignore_index": .number(0)], ["input": x, "target": probs], .invalidOption),
            (["reduction": .string("avg")], ["input": x, "target": y], .invalidReduction),
            ([:], ["input": x, "target": y, "grad_output": .float64(Tensor(shape: [3], scalars: [1, 1, 1]))], .shapeMismatch),
        ]
        for (options, inputs, kind) in cases {
            MarginLossCheck.expectSameError(LossCase(loss: .crossEntropy, options: options, inputs: inputs), kind)
        }
    }
}
