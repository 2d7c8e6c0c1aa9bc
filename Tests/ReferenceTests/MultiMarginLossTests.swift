import Testing
@testable import LossSpec
@testable import Reference

private func mm(_ input: Tensor<Double>, _ target: Tensor<Int64>, p: Double = 1, margin: Double = 1,
                weight: Tensor<Double>? = nil, _ reduction: String, grad: Tensor<Double>? = nil) -> LossCase {
    var floats = ["input": input]
    if let weight { floats["weight"] = weight }
    if let grad { floats["grad_output"] = grad }
    return makeCase(.multiMarginLoss,
                    options: ["reduction": .string(reduction), "p": .number(p), "margin": .number(margin)],
                    floats: floats, ints: ["target": target])
}

@Suite struct MultiMarginLossTests {
    // PyTorch's documentation example: x = [0.1, 0.2, 0.4, 0.8], y = 3.
    let x = T([1, 4], [0.1, 0.2, 0.4, 0.8])
    let y = I([1], [3])

    @Test func documentationExampleByHand() throws {
        // z_i = 1 − 0.8 + x_i = [0.3, 0.4, 0.6]; p = 1: (0.3 + 0.4 + 0.6)/4 = 0.325.
        // Gradient ('sum', g = 1): 1/4 at each i ≠ y, −3/4 at y.
        let r1 = try Reference.evaluate(mm(x, y, "sum", grad: T([], [1])))
        expectClose(r1.output?.scalars, [0.325])
        expectClose(r1.outputs["grad_input"]?.scalars, [0.25, 0.25, 0.25, -0.75])
        expectScalesCover(r1)
        // p = 2: (0.09 + 0.16 + 0.36)/4 = 0.1525; gradient 2z/4 = [0.15, 0.2, 0.3], −0.65 at y.
        let r2 = try Reference.evaluate(mm(x, y, p: 2, "sum", grad: T([], [1])))
        expectClose(r2.output?.scalars, [0.1525])
        expectClose(r2.outputs["grad_input"]?.scalars, [0.15, 0.2, 0.3, -0.65])
        expectScalesCover(r2)
    }

    @Test func weightIsIndexedByTheTargetClass() throws {
        // w_y = w_3 = 2 scales the whole row: 2·0.325; the other entries must not matter.
        let w = T([4], [10, 20, 30, 2])
        expectClose(try Reference.evaluate(mm(x, y, weight: w, "none")).output?.scalars, [0.65])
    }

    @Test func marginAndReductions() throws {
        // margin −0.5, rows [0, 1] (y = 0) and [2, 0] (y = 0): z = −0.5 − 0 + 1 = 0.5 → 0.5/2;
        // z = −0.5 − 2 + 0 < 0 → 0. mean = 0.25/2.
        let input = T([2, 2], [0, 1, 2, 0])
        let target = I([2], [0, 0])
        #expect(try Reference.evaluate(mm(input, target, margin: -0.5, "none")).output?.scalars == [0.25, 0])
        #expect(try Reference.evaluate(mm(input, target, margin: -0.5, "sum")).output?.scalars == [0.25])
        // 'mean' gradient: g/(N·C) = 2/4 at (0,1), −0.5 at (0,0); row 1 inactive.
        let r = try Reference.evaluate(mm(input, target, margin: -0.5, "mean", grad: T([], [2])))
        #expect(r.output?.scalars == [0.125])
        #expect(r.outputs["grad_input"]?.scalars == [-0.5, 0.5, 0, 0])
    }

    @Test func strictHingeAtTheKinkAndNaNTerms() throws {
        // margin 0.5, y = 1: z_0 = 0.5 − 1 + 0.5 = 0 exactly → no loss, gradient 0 (strict z > 0).
        let kink = try Reference.evaluate(mm(T([1, 3], [0.5, 1, 0.2]), I([1], [1]), margin: 0.5, "sum", grad: T([], [1])))
        #expect(kink.output?.scalars == [0])
        #expect(kink.outputs["grad_input"]?.scalars == [0, 0, 0])
        // A NaN z is dropped: x = [NaN, 1, 2], y = 1 → only z_2 = 1 − 1 + 2 = 2 counts: 2/3.
        let nan = try Reference.evaluate(mm(T([1, 3], [.nan, 1, 2]), I([1], [1]), "none", grad: T([1], [3])))
        expectClose(nan.output?.scalars, [2.0 / 3])
        #expect(nan.outputs["grad_input"]?.scalars == [0, -1, 1])
        // NaN at the target: every z is NaN, so the loss is 0.
        #expect(try Reference.evaluate(mm(T([1, 3], [0.5, .nan, 2]), I([1], [1]), "none")).output?.scalars == [0])
    }

    @Test func outputShapeFollowsTheTarget() throws {
        let v = T([3], [0.5, 0.2, 0.9])
        // z = 1 − 0.2 + [0.5, 0.9] = [1.3, 1.7] → 3/3 = 1.
        let scalar = try Reference.evaluate(mm(v, I([], [1]), "none", grad: T([], [1])))
        #expect(scalar.output?.shape == [])
        expectClose(scalar.output?.scalars, [1])
        let single = try Reference.evaluate(mm(v, I([1], [1]), "none"))
        #expect(single.output?.shape == [1])
        #expect(try Reference.evaluate(mm(T([1, 3], [0.5, 0.2, 0.9]), I([], [1]), "none")).output?.shape == [])
        // A 0-dim input is one sample of one class: nothing to compare, loss 0.
        let zeroDim = try Reference.evaluate(mm(T([], [0.3]), I([], [0]), "none", grad: T([], [1])))
        #expect(zeroDim.output?.scalars == [0] && zeroDim.output?.shape == [])
        #expect(zeroDim.outputs["grad_input"]?.shape == [])
    }

    /// Deviation from PyTorch (uninitialised memory): an empty batch sums to 0, and its mean is NaN.
    @Test func emptyBatch() throws {
        let e = T([0, 3], [])
        #expect(try Reference.evaluate(mm(e, I([0], []), "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(mm(e, I([0], []), "mean")).output?.scalars[0].isNaN == true)
        let none = try Reference.evaluate(mm(e, I([0], []), "none", grad: T([0], [])))
        #expect(none.output?.shape == [0])
        #expect(none.outputs["grad_input"]?.shape == [0, 3])
    }

    @Test(arguments: [(1.0, "none"), (1.0, "mean"), (1.0, "sum"), (2.0, "none"), (2.0, "mean"), (2.0, "sum")])
    func finiteDifferences(p: Double, reduction: String) throws {
        // Every z is at least 0.25 away from 0; rows 0 and 1 have active terms, row 2 none.
        let input = T([3, 4], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.1, 0.2, -0.8, 1.9, 0.5, -2.0])
        let target = I([3], [1, 0, 1])
        let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
        for weight in [nil, T([4], [0.5, -1.5, 2, 3])] {
            for margin in [1.0, 0.25] {
                try checkGradientsByFiniteDifferences(
                    mm(input, target, p: p, margin: margin, weight: weight, reduction, grad: g))
            }
        }
    }

    @Test func errors() {
        expectError(mm(x, y, p: 3, "mean"), .invalidOption, argument: "p")
        expectError(mm(x, y, p: 1.5, "mean"), .invalidOption, argument: "p")
        expectError(mm(x, y, weight: T([1, 4], [1, 1, 1, 1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(mm(x, y, weight: T([], [1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(mm(x, y, weight: T([3], [1, 1, 1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(mm(T([1, 4, 1], [0, 0, 0, 0]), y, "mean"), .shapeMismatch, argument: "input")
        expectError(mm(T([2, 0], []), I([2], [0, 0]), "mean"), .emptyInput, argument: "input")
        expectError(mm(T([0], []), I([], [0]), "mean"), .emptyInput, argument: "input")
        expectError(mm(x, I([1, 1], [3]), "mean"), .shapeMismatch, argument: "target")
        expectError(mm(T([2, 4], Array(repeating: 0, count: 8)), I([], [0]), "mean"), .shapeMismatch, argument: "target")
        expectError(mm(x, I([1], [4]), "mean"), .targetOutOfRange, argument: "target")
        expectError(mm(x, I([1], [-1]), "mean"), .targetOutOfRange, argument: "target")
        expectError(mm(T([], [0.3]), I([], [1]), "mean"), .targetOutOfRange, argument: "target")
        expectError(makeCase(.multiMarginLoss, floats: ["input": x, "target": T([1], [3])]), .invalidValue, argument: "target")
    }
}
