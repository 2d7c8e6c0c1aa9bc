import Testing
import LossSpec
@testable import Fast

@Suite struct FastGaussianNLLLossTests {
    typealias Check = LikelihoodCheck

    static func makeCase(_ rng: inout Check.RNG, x: [Int], y: [Int], v: [Int], full: Bool, reduction: String,
                         eps: Double = 1e-6, varRange: (Double, Double) = (0, 3)) -> LossCase {
        LossCase(loss: .gaussianNLLLoss,
                 options: ["full": .bool(full), "eps": .number(eps), "reduction": .string(reduction)],
                 inputs: ["input": rng.tensor(x, -3, 3), "target": rng.tensor(y, -3, 3),
                          "var": rng.tensor(v, varRange.0, varRange.1)])
    }

    /// (input, target, var) shapes PyTorch accepts, var broadcast in every way it can be.
    static let layouts: [([Int], [Int], [Int])] = [
        ([37], [37], [37]), ([3, 5, 7], [3, 5, 7], [3, 5, 7]), ([], [], []), ([4, 6], [4, 6], [4]),
        ([4, 6], [4, 6], [4, 1]), ([4, 6], [4, 6], [1, 6]), ([5], [5], []), ([4, 6], [6], [4, 6]),
        ([3], [2, 3], [3]), ([0, 2], [0, 2], [0]),
    ]

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func agreesWithReference(reduction: String, full: Bool) throws {
        var rng = Check.RNG(state: 21)
        for (x, y, v) in Self.layouts {
            let c = Self.makeCase(&rng, x: x, y: y, v: v, full: full, reduction: reduction)
            try Check.expectAgreement(c)
            try Check.expectAgreement(Check.withGradOutput(c, &rng))
        }
        // eps decides the clamp; variances straddle it.
        for eps in [1e-3, 0.5, 0] {
            let c = Self.makeCase(&rng, x: [19], y: [19], v: [19], full: full, reduction: reduction, eps: eps,
                                  varRange: (0, 1))
            try Check.expectAgreement(Check.withGradOutput(c, &rng))
        }
    }

    @Test func clampAndSpecialValues() throws {
        var rng = Check.RNG(state: 4)
        let c = LossCase(loss: .gaussianNLLLoss, options: ["reduction": .string("none")], inputs: [
            "input": .float64(Tensor(shape: [8], scalars: [0.5, 1, 2, .nan, .infinity, 1, 1e15, 3])),
            "target": .float64(Tensor(shape: [8], scalars: [0, 0, 0, 0, 0, .infinity, 0, 3])),
            "var": .float64(Tensor(shape: [8], scalars: [0, -0.0, Double(Float(1e-8)), 1, 1, 1, 1e20, .nan])),
        ])
        try Check.expectAgreement(Check.withGradOutput(c, &rng))
    }

    @Test(arguments: ["none", "mean", "sum"])
    func threadsAgree(reduction: String) throws {
        var rng = Check.RNG(state: 6)
        let n = 3 * Parallel.elementChunk + 77
        for v in [[n], []] {
            let c = Self.makeCase(&rng, x: [n], y: [n], v: v, full: true, reduction: reduction)
            try Check.expectThreadIndependence(c, withGradients: &rng)
        }
    }

    @Test func errors() {
        var rng = Check.RNG(state: 8)
        let x = rng.tensor([3, 2], -1, 1)
        func gaussian(_ variance: TensorValue, target: TensorValue? = nil, reduction: String = "mean") -> LossCase {
            LossCase(loss: .gaussianNLLLoss, options: ["reduction": .string(reduction)],
                     inputs: ["input": x, "target": target ?? x, "var": variance])
        }
        Check.expectSameError(gaussian(.float64(Tensor(shape: [3, 2], scalars: [1, 1, -0.5, 1, 1, 1]))), .invalidValue)
        // The value check comes before the shape check.
        Check.expectSameError(gaussian(.float64(Tensor(shape: [2], scalars: [-1, 1]))), .invalidValue)
        for shape in [[2], [], [1, 1], [3, 2, 1], [3, 3]] {
            Check.expectSameError(gaussian(rng.tensor(shape, 0.5, 1)), .shapeMismatch)
        }
        Check.expectSameError(gaussian(rng.tensor([3, 2], 0.5, 1), target: rng.tensor([3, 3], 0, 1)), .shapeMismatch)
        Check.expectSameError(gaussian(rng.tensor([3, 2], 0.5, 1), reduction: "elementwise_mean"), .invalidReduction)
        Check.expectSameError(LossCase(loss: .gaussianNLLLoss, inputs: ["input": x, "target": x]), .invalidOption)
    }
}
