import Foundation
import Testing
import LossSpec
@testable import Reference

@Suite struct BCELossTests {
    let eps32 = Double(Float(1e-12))

    @Test func valuesByHand() throws {
        // x = [0.5, 0.25], y = [1, 0]: l = [−log 0.5, −log 0.75] = [log 2, log(4/3)].
        let x = T([2], [0.5, 0.25]), y = T([2], [1, 0])
        let none = try Reference.binaryCrossEntropy(input: x, target: y, reduction: .none)
        expectClose(none.output?.scalars, [log(2), log(4.0 / 3)], rtol: 1e-15)
        let sum = try Reference.binaryCrossEntropy(input: x, target: y, reduction: .sum)
        expectClose(sum.output?.scalars, [log(2) + log(4.0 / 3)], rtol: 1e-15)
        let mean = try Reference.binaryCrossEntropy(input: x, target: y, reduction: .mean)
        expectClose(mean.output?.scalars, [(log(2) + log(4.0 / 3)) / 2], rtol: 1e-15)
        #expect(mean.output?.shape == [])
    }

    @Test func weightBroadcastsAndScalesGradients() throws {
        // x = [[0.5, 0.25]], y = [[1, 0]], w = [2, 3] (broadcast over rows), g = 1 ('sum'):
        // l = [2 log 2, 3 log(4/3)];
        // ∂/∂x = w (x − y)/(x(1 − x)) = [2·(−0.5)/0.25, 3·0.25/0.1875] = [−4, 4];
        // ∂/∂y = −w (log x − log1p(−x)) = [0, −3 (log 0.25 − log 0.75)] = [0, 3 log 3].
        let r = try Reference.binaryCrossEntropy(
            input: T([1, 2], [0.5, 0.25]), target: T([1, 2], [1, 0]), weight: T([2], [2, 3]),
            reduction: .sum, gradOutput: T([], [1]))
        expectClose(r.output?.scalars, [2 * log(2) + 3 * log(4.0 / 3)], rtol: 1e-15)
        expectClose(r.outputs["grad_input"]?.scalars, [-4, 4], rtol: 1e-15)
        expectClose(r.outputs["grad_target"]?.scalars, [0, 3 * log(3)], rtol: 1e-15)
        #expect(r.outputs["grad_weight"] == nil)
    }

    @Test func clampsAndDenominatorAtTheBounds() throws {
        // x = 0, y = 1: log x clamped to −100 → l = 100; ∂/∂x = −1/EPS32; ∂/∂y = −(−inf − 0) = +inf.
        // x = 1, y = 0: symmetric → 100, +1/EPS32, −inf.  x = y = 1: l = −0.0, ∂/∂x = 0, ∂/∂y = −inf.
        let r = try Reference.binaryCrossEntropy(
            input: T([3], [0, 1, 1]), target: T([3], [1, 0, 1]), reduction: .none, gradOutput: T([3], [1, 1, 1]))
        #expect(r.output?.scalars == [100, 100, 0])
        #expect(r.output?.scalars[2].sign == .minus)
        #expect(r.outputs["grad_input"]?.scalars == [-1 / eps32, 1 / eps32, 0])
        #expect(r.outputs["grad_target"]?.scalars == [.infinity, -.infinity, -.infinity])
        #expect(abs(-1 / eps32 + 1.000000004e12) < 1e3)
    }

    @Test func zeroWeightAtABoundGivesNaNTargetGradient() throws {
        // 0 · inf in ∂/∂y, as in PyTorch; the input gradient stays 0.
        let r = try Reference.binaryCrossEntropy(
            input: T([1], [0]), target: T([1], [1]), weight: T([1], [0]), reduction: .none,
            gradOutput: T([1], [1]))
        #expect(r.output?.scalars == [0])
        #expect(r.outputs["grad_input"]?.scalars == [0])
        #expect(r.outputs["grad_target"]?.scalars[0].isNaN == true)
    }

    @Test func emptyAndZeroDim() throws {
        let e = T([0, 3], [])
        #expect(try Reference.binaryCrossEntropy(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.binaryCrossEntropy(input: e, target: e, reduction: .sum).output?.scalars == [0])
        #expect(try Reference.binaryCrossEntropy(input: e, target: e, reduction: .none).output?.shape == [0, 3])
        // 0-dim: x = 0.5, y = 0.5 → −(0.5 log 0.5 + 0.5 log 0.5) = log 2.
        let s = try Reference.binaryCrossEntropy(input: T([], [0.5]), target: T([], [0.5]), reduction: .none)
        #expect(s.output?.shape == [])
        expectClose(s.output?.scalars, [log(2)], rtol: 1e-15)
    }

    @Test(arguments: ["none", "mean", "sum"], [false, true])
    func finiteDifferences(reduction: String, weighted: Bool) throws {
        var floats = ["input": T([2, 3], [0.3, 0.9, 0.05, 0.6, 0.45, 0.7]),
                      "target": T([2, 3], [0.2, 0.95, 0.01, 0.5, 0.9, 0.1]),
                      "grad_output": reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])]
        if weighted { floats["weight"] = T([3], [0.5, -1.5, 2]) }
        try checkGradientsByFiniteDifferences(
            makeCase(.binaryCrossEntropy, options: ["reduction": .string(reduction)], floats: floats), h: 1e-7)
    }

    @Test func errors() {
        func bce(_ x: Tensor<Double>, _ y: Tensor<Double>, _ w: Tensor<Double>? = nil,
                 options: [String: JSONValue] = [:]) -> LossCase {
            var floats = ["input": x, "target": y]
            if let w { floats["weight"] = w }
            return makeCase(.binaryCrossEntropy, options: options, floats: floats)
        }
        let half = T([2], [0.5, 0.5])
        expectError(bce(half, T([1, 2], [0.5, 0.5])), .shapeMismatch, argument: "target")
        expectError(bce(T([1], [0.5]), half), .shapeMismatch, argument: "target")
        expectError(bce(T([2], [0.5, 1.5]), half), .invalidValue, argument: "input")
        expectError(bce(T([2], [-0.1, 0.5]), half), .invalidValue, argument: "input")
        expectError(bce(T([2], [.nan, 0.5]), half), .invalidValue, argument: "input")
        expectError(bce(half, T([2], [0.5, -1])), .invalidValue, argument: "target")
        expectError(bce(half, T([2], [0.5, .nan])), .invalidValue, argument: "target")
        expectError(bce(half, half, T([3, 2], [1, 1, 1, 1, 1, 1])), .shapeMismatch, argument: "weight")
        expectError(bce(half, half, T([3], [1, 1, 1])), .shapeMismatch, argument: "weight")
        expectError(bce(half, half, options: ["reduction": .string("avg")]), .invalidReduction, argument: "reduction")
        expectError(makeCase(.binaryCrossEntropy, floats: ["input": half], ints: ["target": I([2], [0, 1])]),
                    .invalidValue, argument: "target")
        var up = bce(half, half, options: ["reduction": .string("none")])
        up.inputs["grad_output"] = .float64(T([], [1]))
        expectError(up, .shapeMismatch, argument: "grad_output")
    }
}
