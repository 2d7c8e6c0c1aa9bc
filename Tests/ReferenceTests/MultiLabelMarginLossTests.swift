import Testing
@testable import LossSpec
@testable import Reference

private func mlm(_ input: Tensor<Double>, _ target: Tensor<Int64>, _ reduction: String,
                 grad: Tensor<Double>? = nil) -> LossCase {
    var floats = ["input": input]
    if let grad { floats["grad_output"] = grad }
    return makeCase(.multilabelMarginLoss, options: ["reduction": .string(reduction)],
                    floats: floats, ints: ["target": target])
}

@Suite struct MultiLabelMarginLossTests {
    // PyTorch's documentation example: x = [0.1, 0.2, 0.4, 0.8], targets {3, 0}.
    let x = T([1, 4], [0.1, 0.2, 0.4, 0.8])

    @Test func documentationExampleByHand() throws {
        // J = [3, 0], i ∉ T = {1, 2}: j = 3 → 1 − 0.8 + [0.2, 0.4] = [0.4, 0.6];
        // j = 0 → 1 − 0.1 + [0.2, 0.4] = [1.1, 1.3]. Σ = 3.4, / C = 0.85.
        let r = try Reference.evaluate(mlm(x, I([1, 4], [3, 0, -1, 1]), "sum", grad: T([], [1])))
        expectClose(r.output?.scalars, [0.85])
        // Every term is active: +1/4 per term at i (two each), −1/4 per term at j (two each).
        #expect(r.outputs["grad_input"]?.scalars == [-0.5, 0.5, 0.5, -0.5])
        expectScalesCover(r)
    }

    @Test func duplicatesCountOnceInTheSetButTwiceInTheSum() throws {
        // J = [3, 3], T = {3}: i ∈ {0, 1, 2}: 1 − 0.8 + x_i = [0.3, 0.4, 0.6], Σ 1.3, twice → 2.6/4.
        let r = try Reference.evaluate(mlm(x, I([1, 4], [3, 3, -1, 0]), "none", grad: T([1], [1])))
        expectClose(r.output?.scalars, [0.65])
        #expect(r.outputs["grad_input"]?.scalars == [0.5, 0.5, 0.5, -1.5])
    }

    @Test func terminatorEndsTheRow() throws {
        // Entries after −1 are ignored: J = [3] → (0.3 + 0.4 + 0.6)/4.
        expectClose(try Reference.evaluate(mlm(x, I([1, 4], [3, -1, 0, 1]), "none")).output?.scalars, [0.325])
        // A row starting with −1, or whose targets cover every class, has loss 0.
        #expect(try Reference.evaluate(mlm(x, I([1, 4], [-1, 3, 0, 1]), "none")).output?.scalars == [0])
        #expect(try Reference.evaluate(mlm(x, I([1, 4], [2, 0, 3, 1]), "none")).output?.scalars == [0])
    }

    @Test func strictHingeAtTheKinkAndNaNTerms() throws {
        // x = [1, 0], J = [0]: z = 1 − 1 + 0 = 0 → loss 0, gradient 0.
        let kink = try Reference.evaluate(mlm(T([2], [1, 0]), I([2], [0, -1]), "sum", grad: T([], [1])))
        #expect(kink.output?.scalars == [0])
        #expect(kink.outputs["grad_input"]?.scalars == [0, 0])
        // x = [0.1, NaN, 0.4], J = [0]: the NaN term is dropped; z = 1 − 0.1 + 0.4 = 1.3 → 1.3/3.
        let nan = try Reference.evaluate(mlm(T([1, 3], [0.1, .nan, 0.4]), I([1, 3], [0, -1, 1]), "none", grad: T([1], [3])))
        expectClose(nan.output?.scalars, [1.3 / 3])
        #expect(nan.outputs["grad_input"]?.scalars == [-1, 0, 1])
    }

    @Test func reductionsAndShapes() throws {
        // Rows: [0.1, 0.2, 0.4, 0.8] with J = [3] → 0.325; [0, 0, 0, 0] with J = [0] → 3·1/4 = 0.75.
        let input = T([2, 4], [0.1, 0.2, 0.4, 0.8, 0, 0, 0, 0])
        let target = I([2, 4], [3, -1, -1, -1, 0, -1, -1, -1])
        let none = try Reference.evaluate(mlm(input, target, "none"))
        #expect(none.output?.shape == [2])
        expectClose(none.output?.scalars, [0.325, 0.75])
        expectClose(try Reference.evaluate(mlm(input, target, "sum")).output?.scalars, [1.075])
        // 'mean' gradient: ±g/(N·C) = ±2/8 per term.
        let mean = try Reference.evaluate(mlm(input, target, "mean", grad: T([], [2])))
        expectClose(mean.output?.scalars, [0.5375])
        expectClose(mean.outputs["grad_input"]?.scalars, [0.25, 0.25, 0.25, -0.75, -0.75, 0.25, 0.25, 0.25])
        // Unbatched and 0-dim inputs give a 0-dim 'none' result.
        let vector = try Reference.evaluate(mlm(T([4], [0.1, 0.2, 0.4, 0.8]), I([4], [3, -1, 0, 0]), "none"))
        #expect(vector.output?.shape == [])
        expectClose(vector.output?.scalars, [0.325])
        for target in [I([], [0]), I([1], [-1])] {
            let scalar = try Reference.evaluate(mlm(T([], [0.3]), target, "none", grad: T([], [1])))
            #expect(scalar.output?.shape == [] && scalar.output?.scalars == [0])
            #expect(scalar.outputs["grad_input"]?.shape == [])
        }
    }

    /// Deviation from PyTorch (uninitialised memory): an empty batch sums to 0, and its mean is NaN.
    @Test func emptyBatch() throws {
        let e = T([0, 3], [])
        let t = I([0, 3], [])
        #expect(try Reference.evaluate(mlm(e, t, "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(mlm(e, t, "mean")).output?.scalars[0].isNaN == true)
        let none = try Reference.evaluate(mlm(e, t, "none", grad: T([0], [])))
        #expect(none.output?.shape == [0])
        #expect(none.outputs["grad_input"]?.shape == [0, 3])
    }

    @Test(arguments: ["none", "mean", "sum"])
    func finiteDifferences(reduction: String) throws {
        // Every z = 1 − x_j + x_i is at least 0.05 away from 0.
        let input = T([3, 4], [0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.1, 0.2, -0.8, 1.9, 0.5, -2.0])
        let target = I([3, 4], [2, 0, -1, 3, 1, 1, 3, -1, 3, 0, 1, 2])
        let g = reduction == "none" ? T([3], [0.7, -1.3, 0.4]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(mlm(input, target, reduction, grad: g))
    }

    @Test func errors() {
        let t = I([1, 4], [3, -1, 0, 0])
        expectError(mlm(T([1, 4, 1], [0, 0, 0, 0]), I([1, 4, 1], [0, 0, 0, 0]), "mean"), .shapeMismatch, argument: "input")
        expectError(mlm(T([2, 0], []), I([2, 0], []), "mean"), .emptyInput, argument: "input")
        expectError(mlm(T([0], []), I([0], []), "mean"), .emptyInput, argument: "input")
        expectError(mlm(x, I([4], [3, -1, 0, 0]), "mean"), .shapeMismatch, argument: "target")
        expectError(mlm(T([4], [0.1, 0.2, 0.4, 0.8]), t, "mean"), .shapeMismatch, argument: "target")
        expectError(mlm(T([], [0.3]), I([2], [0, -1]), "mean"), .shapeMismatch, argument: "target")
        // Range-checked even after the terminator; −2 is not a terminator.
        expectError(mlm(x, I([1, 4], [3, -1, 4, 0]), "mean"), .targetOutOfRange, argument: "target")
        expectError(mlm(x, I([1, 4], [3, -2, 0, 0]), "mean"), .targetOutOfRange, argument: "target")
        expectError(makeCase(.multilabelMarginLoss, floats: ["input": x, "target": T([1, 4], [3, -1, 0, 0])]),
                    .invalidValue, argument: "target")
        expectError(mlm(x, t, "none", grad: T([], [1])), .shapeMismatch, argument: "grad_output")
    }
}
