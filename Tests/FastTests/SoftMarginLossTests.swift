import Testing
import LossSpec
@testable import Fast

@Suite struct FastSoftMarginLossTests {
    typealias H = ElementwiseLossHarness

    /// Reductions × shapes (equal, broadcast target, SIMD and chunk sizes, empty) × ±1 and real
    /// targets, with and without gradients.
    @Test func matchesReference() throws {
        var draw = H.Draw(seed: 5)
        let shapes: [([Int], [Int])] = [([], []), ([7], [7]), ([3, 5], [3, 5]), ([2, 3, 4], [3, 1]), ([129], [129]),
                                         ([16_411], [16_411]), ([0, 3], [0, 3]), ([4, 5], [5]), ([4, 5], [])]
        for reduction in H.reductions {
            for (xs, ys) in shapes {
                for target in [draw.signs(ys), draw.tensor(ys, -2, 2)] {
                    let forward = LossCase(loss: .softMarginLoss, options: ["reduction": .string(reduction)],
                                           inputs: ["input": draw.tensor(xs, -40, 40), "target": target])
                    for c in [forward, try H.withGradient(forward, &draw)] {
                        let e = try H.maxNormalizedError(c)
                        #expect(e <= 64, "\(reduction) \(xs) vs \(ys): \(e)")
                    }
                }
            }
        }
    }

    /// −y·x up to 88 stays finite; beyond the Float32 and Double limits the loss is +inf and the
    /// gradient NaN; y = 0 gives log 2; NaN and ±inf propagate as in the Reference.
    @Test func extremes() throws {
        var draw = H.Draw(seed: 9)
        let xs: [Double] = [88, -88, 100, -100, 800, -800, 1000, 3, .nan, .infinity, -.infinity, .infinity, 2]
        let ys: [Double] = [-1, 1, 1, -1, 1, 1, -1, 0, 1, 1, 1, 0, .infinity]
        for reduction in H.reductions {
            let c = LossCase(loss: .softMarginLoss, options: ["reduction": .string(reduction)],
                             inputs: ["input": .float64(Tensor(shape: [13], scalars: xs)),
                                      "target": .float64(Tensor(shape: [13], scalars: ys))])
            #expect(try H.maxNormalizedError(H.withGradient(c, &draw)) <= 64, "\(reduction)")
        }
        let r = try Fast.softMarginLoss(input: Tensor(shape: [2], scalars: [-800, 0]), target: Tensor(shape: [2], scalars: [1, 1]),
                                        reduction: .none, gradOutput: Tensor(shape: [2], scalars: [1, 1]), threads: 1)
        #expect(r.output?.scalars[0] == .infinity)
        #expect(r.outputs["grad_input"]?.scalars[0].isNaN == true)
        #expect(r.outputs["grad_input"]?.scalars[1] == -0.5)
    }

    @Test func threadInvariant() throws {
        var draw = H.Draw(seed: 13)
        for reduction in H.reductions {
            for ys in [[40_000], [1]] {
                let c = LossCase(loss: .softMarginLoss, options: ["reduction": .string(reduction)],
                                 inputs: ["input": draw.tensor([40_000], -20, 20), "target": draw.signs(ys)])
                try ThreadInvariance.expect(H.withGradient(c, &draw))
            }
        }
    }

    @Test func errors() {
        var draw = H.Draw(seed: 17)
        func c(_ x: [Int], _ y: [Int], _ reduction: String = "mean") -> LossCase {
            LossCase(loss: .softMarginLoss, options: ["reduction": .string(reduction)],
                     inputs: ["input": draw.tensor(x), "target": draw.signs(y)])
        }
        H.expectSameError(c([4, 1], [4, 3]), .shapeMismatch)  // the target would enlarge the output
        H.expectSameError(c([3], [2, 3]), .shapeMismatch)
        H.expectSameError(c([3, 4], [3, 5]), .shapeMismatch)
        H.expectSameError(c([3], [3], "avg"), .invalidReduction)
        H.expectSameError(c([3], [3], "batchmean"), .invalidReduction)
        var withBadGrad = c([3], [3], "none")
        withBadGrad.inputs["grad_output"] = draw.tensor([4])
        H.expectSameError(withBadGrad, .shapeMismatch)
        H.expectSameError(LossCase(loss: .softMarginLoss, inputs: ["input": .int64(Tensor(shape: [1], scalars: [1])),
                                                                   "target": draw.signs([1])]), .invalidValue)
    }
}
