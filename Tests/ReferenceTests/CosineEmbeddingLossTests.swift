import Foundation
import Testing
import LossSpec
@testable import Reference

@Suite struct CosineEmbeddingLossTests {
    let eps = Double(Float(1e-12))

    @Test func valuesByHand() throws {
        // margin 0.5, rows (x1 · x2, A = Σx1² + E, B = Σx2² + E):
        // [3,4]·[3,4], y = 1: cos = 25/(25 + E) → l = E/(25 + E)  (≈ 4e-14: the EPS32 is visible);
        // [1,0]·[0,1], y = −1: cos = 0 → max(0, −0.5) = 0;
        // [1,0]·[1,0], y = −1: cos = 1/(1 + E) → 1/(1 + E) − 0.5;
        // [0,0]·[1,2], y = 1: cos = 0/√(E(5 + E)) = 0 → 1 (a zero vector is not NaN);
        // [1,0]·[1,0], y = 2: 0 for any target other than ±1.
        let x1 = T([5, 2], [3, 4, 1, 0, 1, 0, 0, 0, 1, 0]), x2 = T([5, 2], [3, 4, 0, 1, 1, 0, 1, 2, 1, 0])
        let y = T([5], [1, -1, -1, 1, 2])
        let r = try Reference.cosineEmbeddingLoss(input1: x1, input2: x2, target: y, margin: 0.5, reduction: .none)
        let expected = [eps / (25 + eps), 0, 1 / (1 + eps) - 0.5, 1, 0]
        expectClose(r.output?.scalars, expected, rtol: 1e-14, atol: 1e-16)
        let sum = try Reference.cosineEmbeddingLoss(input1: x1, input2: x2, target: y, margin: 0.5, reduction: .sum)
        expectClose(sum.output?.scalars, [expected.reduce(0, +)], rtol: 1e-15)
        let mean = try Reference.cosineEmbeddingLoss(input1: x1, input2: x2, target: y, margin: 0.5)
        expectClose(mean.output?.scalars, [expected.reduce(0, +) / 5], rtol: 1e-15)
    }

    @Test func gradientsByHandIncludingZeroVectorAndKink() throws {
        // Row 0: x1 = 0, x2 = [1, 2], y = 1: ∂l/∂x1 = −x2/√(E(5 + E)); ∂l/∂x2 = −(x1/√(AB) − 0) = 0.
        // Row 1: x1 = [1, 0], x2 = [0, 1], y = −1, margin 0: cos − margin = 0 exactly → slope 0,
        //        although ∂cos/∂x1 = x2/√(AB) ≠ 0 there.
        // Row 2: y = 0 → no gradient.
        let r = try Reference.cosineEmbeddingLoss(
            input1: T([3, 2], [0, 0, 1, 0, 1, 2]), input2: T([3, 2], [1, 2, 0, 1, 3, 1]), target: T([3], [1, -1, 0]),
            reduction: .none, gradOutput: T([3], [1, 1, 1]))
        let root = (eps * (5 + eps)).squareRoot()
        expectClose(r.outputs["grad_input1"]?.scalars, [-1 / root, -2 / root, 0, 0, 0, 0], rtol: 1e-14)
        #expect(r.outputs["grad_input2"]?.scalars == [0, 0, 0, 0, 0, 0])
        #expect(r.outputs["grad_target"] == nil)
    }

    @Test func broadcastRowsSumGradientsBack() throws {
        // x1 (1,2) = [1, 0] against x2 (2,2) = [[1, 0], [0, 1]], y (1) = −1, margin −1, 'sum', g = 1:
        // cos = [1/(1 + E), 0] → l = [1 + 1/(1 + E), 1];
        // ∂/∂x1 = Σ_rows (x2/√(AB) − cos·x1/A) = [1/(1+E) − 1/(1+E)², 0] + [0, 1/(1+E)].
        let r = try Reference.cosineEmbeddingLoss(
            input1: T([1, 2], [1, 0]), input2: T([2, 2], [1, 0, 0, 1]), target: T([1], [-1]), margin: -1,
            reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.output?.scalars, [2 + 1 / (1 + eps)], rtol: 1e-15)
        #expect(r.outputs["grad_input1"]?.shape == [1, 2])
        expectClose(r.outputs["grad_input1"]?.scalars, [1 / (1 + eps) - 1 / ((1 + eps) * (1 + eps)), 1 / (1 + eps)],
                    rtol: 1e-15, atol: 1e-15)
        // The target may enlarge the output: (1, 2) inputs with a (3) target → (3).
        let wide = try Reference.cosineEmbeddingLoss(input1: T([1, 2], [1, 0]), input2: T([1, 2], [0, 1]),
                                                     target: T([3], [1, -1, 1]), reduction: .none)
        #expect(wide.output?.scalars == [1, 0, 1])
    }

    @Test func zeroDimTargetAndEmptyInputs() throws {
        // 1-D inputs with a 0-D target: cos = 4/(5 + E) → l = 1 − 4/(5 + E), 0-dim output.
        let r = try Reference.cosineEmbeddingLoss(input1: T([2], [1, 2]), input2: T([2], [2, 1]), target: T([], [1]),
                                                  reduction: .none)
        #expect(r.output?.shape == [])
        expectClose(r.output?.scalars, [1 - 4 / (5 + eps)], rtol: 1e-15)
        let e = T([0, 3], [])
        #expect(try Reference.cosineEmbeddingLoss(input1: e, input2: e, target: T([0], [])).output?.scalars[0].isNaN == true)
        #expect(try Reference.cosineEmbeddingLoss(input1: e, input2: e, target: T([0], []), reduction: .sum)
                    .output?.scalars == [0])
        // D = 0: cos = 0/E = 0 → y = 1 gives 1, y = −1 gives max(0, 0 − 0) = 0.
        let d0 = try Reference.cosineEmbeddingLoss(input1: T([2, 0], []), input2: T([2, 0], []), target: T([2], [1, -1]),
                                                   reduction: .none)
        #expect(d0.output?.scalars == [1, 0])
    }

    @Test(arguments: ["none", "mean", "sum"], [0.0, 0.5, -0.3])
    func finiteDifferences(reduction: String, margin: Double) throws {
        let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
        let y = T([3], [1, -1, -1])
        // Same-shape rows, then a (1, D) input1 broadcast over rows, then a feature-broadcast (N, 1) input1.
        let pairs: [(Tensor<Double>, Tensor<Double>)] = [
            (T([3, 3], [0.3, -2.2, 4.5, -0.7, 1.1, -6, 1, 2, 0.5]), T([3, 3], [1.9, 0.4, -0.8, -0.3, 1.5, -2, 0.8, 1.7, 1])),
            (T([1, 3], [0.3, 2.2, 1.5]), T([3, 3], [1.9, 0.4, -0.8, 0.2, 1.5, 2, 0.8, 1.7, 1])),
            (T([3, 1], [0.3, -2.2, 1.5]), T([3, 3], [1.9, 0.4, -0.8, -0.3, 1.5, -2, 0.8, 1.7, 1])),
        ]
        for (x1, x2) in pairs {
            try checkGradientsByFiniteDifferences(makeCase(
                .cosineEmbeddingLoss, options: ["reduction": .string(reduction), "margin": .number(margin)],
                floats: ["input1": x1, "input2": x2, "target": y, "grad_output": g]))
        }
    }

    @Test func errors() {
        func c(_ a: Tensor<Double>, _ b: Tensor<Double>, _ y: Tensor<Double>) -> LossCase {
            makeCase(.cosineEmbeddingLoss, floats: ["input1": a, "input2": b, "target": y])
        }
        let m = T([2, 3], [1, 2, 3, 4, 5, 6]), v = T([3], [1, 2, 3])
        expectError(c(m, m, T([2, 1], [1, 1])), .shapeMismatch, argument: "target")
        expectError(c(v, v, T([1], [1])), .shapeMismatch, argument: "input1")
        expectError(c(m, v, T([2], [1, 1])), .shapeMismatch, argument: "input2")
        expectError(c(T([1, 3], [1, 2, 3]), T([1, 3], [1, 2, 3]), T([], [1])), .shapeMismatch, argument: "input1")
        expectError(c(m, m, T([3], [1, 1, 1])), .shapeMismatch, argument: "target")
        expectError(c(m, T([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), T([2], [1, 1])), .shapeMismatch, argument: "input2")
        expectError(makeCase(.cosineEmbeddingLoss, options: ["reduction": .string("elementwise_sum")],
                             floats: ["input1": v, "input2": v, "target": T([], [1])]), .invalidReduction)
    }
}
