import Testing
@testable import LossSpec
@testable import Reference

/// Every returned role has a scale of its own shape, non-negative, covering the value where the
/// value is finite (the tolerance of Docs/Tolerance.md uses max(scale, |expected|), but a scale below the
/// value it bounds would mean a wrong derivation). Shared by the class-index and margin loss tests.
func expectScalesCover(_ r: LossResult, sourceLocation: SourceLocation = #_sourceLocation) {
    for (role, value) in r.outputs {
        guard let scale = r.scales[role] else {
            Issue.record("no scale for \(role)", sourceLocation: sourceLocation)
            continue
        }
        #expect(scale.shape == value.shape, "\(role) scale shape", sourceLocation: sourceLocation)
        for (v, s) in zip(value.scalars, scale.scalars) where v.isFinite {
            #expect(s >= 0 && s >= abs(v) * (1 - 1e-12), "\(role): scale \(s) below |value| \(abs(v))",
                    sourceLocation: sourceLocation)
        }
    }
}

private func nll(_ input: Tensor<Double>, _ target: Tensor<Int64>, weight: Tensor<Double>? = nil,
                 ignoreIndex: Int = -100, _ reduction: String, grad: Tensor<Double>? = nil) -> LossCase {
    var floats = ["input": input]
    if let weight { floats["weight"] = weight }
    if let grad { floats["grad_output"] = grad }
    return makeCase(.nllLoss, options: ["reduction": .string(reduction), "ignore_index": .number(Double(ignoreIndex))],
                    floats: floats, ints: ["target": target])
}

@Suite struct NLLLossTests {
    // Rows of log-probabilities (a positive last entry shows the input is used as given).
    let x = T([2, 3], [-1, -2, -3, -0.5, -1.5, 2.5])

    @Test func valuesByHand() throws {
        // l = −x[n, y_n] = [−(−3), −(−0.5)] = [3, 0.5]; Σ = 3.5; mean = 3.5/2.
        let y = I([2], [2, 0])
        #expect(try Reference.evaluate(nll(x, y, "none")).output?.scalars == [3, 0.5])
        #expect(try Reference.evaluate(nll(x, y, "sum")).output?.scalars == [3.5])
        #expect(try Reference.evaluate(nll(x, y, "mean")).output?.scalars == [1.75])
        // Positive "log-probability" 2.5 gives a negative loss.
        #expect(try Reference.evaluate(nll(x, I([2], [0, 2]), "none")).output?.scalars == [1, -2.5])
    }

    @Test func weightedMeanDividesByTargetWeights() throws {
        // w = [2, 1, 0.5]: l = [0.5·3, 2·0.5] = [1.5, 1]; W = w_2 + w_0 = 2.5; mean = 2.5/2.5 = 1.
        let w = T([3], [2, 1, 0.5])
        let r = try Reference.evaluate(nll(x, I([2], [2, 0]), weight: w, "mean", grad: T([], [2])))
        #expect(r.output?.scalars == [1])
        // ∂/∂x[n, y_n] = −w_{y_n}·g/W: −0.5·2/2.5 = −0.4 at (0,2), −2·2/2.5 = −1.6 at (1,0).
        expectClose(r.outputs["grad_input"]?.scalars, [0, 0, -0.4, -1.6, 0, 0], rtol: 1e-15)
        #expect(r.outputs["grad_weight"] == nil)
        expectScalesCover(r)
    }

    @Test func ignoreIndexIsTestedBeforeTheRangeCheck() throws {
        // ignore_index 5 lies outside [0, 3): target 5 is skipped, not out of range. W = 1.
        let r = try Reference.evaluate(nll(x, I([2], [5, 0]), ignoreIndex: 5, "mean", grad: T([], [1])))
        #expect(r.output?.scalars == [0.5])
        #expect(r.outputs["grad_input"]?.scalars == [0, 0, 0, -1, 0, 0])
        #expect(try Reference.evaluate(nll(x, I([2], [5, 0]), ignoreIndex: 5, "none")).output?.scalars == [0, 0.5])
    }

    @Test func everyTargetIgnored() throws {
        let y = I([2], [-100, -100])
        let mean = try Reference.evaluate(nll(x, y, "mean", grad: T([], [1])))
        #expect(mean.output?.scalars[0].isNaN == true)  // 0/0
        #expect(mean.outputs["grad_input"]?.scalars == [0, 0, 0, 0, 0, 0])
        #expect(try Reference.evaluate(nll(x, y, "sum")).output?.scalars == [0])
        #expect(try Reference.evaluate(nll(x, y, "none")).output?.scalars == [0, 0])
    }

    @Test func zeroWeightSumIsNaN() throws {
        // w_0 = 0 for both targets: W = 0, loss 0/0 = NaN, gradient −0·(g/0) = NaN at the targets.
        let r = try Reference.evaluate(nll(x, I([2], [0, 0]), weight: T([3], [0, 1, 1]), "mean", grad: T([], [1])))
        #expect(r.output?.scalars[0].isNaN == true)
        let g = try #require(r.outputs["grad_input"]?.scalars)
        #expect(g[0].isNaN && g[3].isNaN)
        #expect(g[1] == 0 && g[5] == 0)
    }

    @Test func unbatchedInputTakesScalarOrSingletonTarget() throws {
        let v = T([3], [-1, -2, -3])
        for target in [I([], [1]), I([1], [1])] {
            let r = try Reference.evaluate(nll(v, target, "none", grad: T([], [3])))
            #expect(r.output?.shape == [])
            #expect(r.output?.scalars == [2])
            #expect(r.outputs["grad_input"]?.scalars == [0, -3, 0])
        }
    }

    @Test func spatialInputIsTheLossAtEveryPosition() throws {
        // (N=1, C=2, d=2): class 0 scores [−1, −2], class 1 scores [−3, −4]; target [[1, 0]]
        // picks x[0,1,0] = −3 and x[0,0,1] = −2: l = [[3, 2]], mean 2.5.
        let input = T([1, 2, 2], [-1, -2, -3, -4])
        let y = I([1, 2], [1, 0])
        let r = try Reference.evaluate(nll(input, y, "none", grad: T([1, 2], [1, 10])))
        #expect(r.output?.shape == [1, 2])
        #expect(r.output?.scalars == [3, 2])
        #expect(r.outputs["grad_input"]?.scalars == [0, -10, -1, 0])
        #expect(try Reference.evaluate(nll(input, y, "mean")).output?.scalars == [2.5])
    }

    @Test func emptyInputs() throws {
        let e = T([0, 3], [])
        #expect(try Reference.evaluate(nll(e, I([0], []), "mean")).output?.scalars[0].isNaN == true)
        #expect(try Reference.evaluate(nll(e, I([0], []), "sum")).output?.scalars == [0])
        let spatial = try Reference.evaluate(nll(T([2, 3, 0], []), I([2, 0], []), "none", grad: T([2, 0], [])))
        #expect(spatial.output?.shape == [2, 0])
        #expect(spatial.outputs["grad_input"]?.shape == [2, 3, 0])
    }

    @Test(arguments: ["none", "mean", "sum"])
    func finiteDifferences(reduction: String) throws {
        let input = T([2, 3, 2, 2], (0..<24).map { Double($0 % 7) * 0.3 - 1.1 })
        let y = I([2, 2, 2], [0, 2, 1, -100, 2, 2, 0, 1])
        let g = reduction == "none" ? T([2, 2, 2], [0.5, -1, 2, 0.3, 1.5, -0.7, 0.9, 1.1]) : T([], [1.3])
        try checkGradientsByFiniteDifferences(nll(input, y, weight: T([3], [0.5, 2, -1]), reduction, grad: g))
        try checkGradientsByFiniteDifferences(nll(input, y, reduction, grad: g))
        let flat = T([3, 4], (0..<12).map { Double($0) * 0.25 - 1 })
        try checkGradientsByFiniteDifferences(
            nll(flat, I([3], [3, 0, 1]), reduction, grad: reduction == "none" ? T([3], [1, 2, 3]) : T([], [0.4])))
    }

    @Test func errors() {
        expectError(nll(T([], [1]), I([], [0]), "mean"), .shapeMismatch, argument: "input")
        expectError(nll(T([3], [1, 2, 3]), I([2], [0, 1]), "mean"), .shapeMismatch, argument: "target")
        expectError(nll(x, I([2, 1], [0, 1]), "mean"), .shapeMismatch, argument: "target")
        expectError(nll(x, I([], [0]), "mean"), .shapeMismatch, argument: "target")
        expectError(nll(x, I([3], [0, 1, 2]), "mean"), .shapeMismatch, argument: "target")
        expectError(nll(T([2, 3, 2], Array(repeating: 0, count: 12)), I([2, 3], Array(repeating: 0, count: 6)), "mean"),
                    .shapeMismatch, argument: "target")
        expectError(nll(T([2, 3, 2, 2], Array(repeating: 0, count: 24)), I([2, 4], Array(repeating: 0, count: 8)), "mean"),
                    .shapeMismatch, argument: "target")
        expectError(nll(x, I([2], [0, 1]), weight: T([2], [1, 1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(nll(T([2, 1], [0, 0]), I([2], [0, 0]), weight: T([], [1]), "mean"), .shapeMismatch, argument: "weight")
        expectError(nll(x, I([2], [0, 3]), "mean"), .targetOutOfRange, argument: "target")
        expectError(nll(x, I([2], [-1, 0]), "mean"), .targetOutOfRange, argument: "target")
        expectError(makeCase(.nllLoss, floats: ["input": x, "target": T([2], [0, 1])]), .invalidValue, argument: "target")
        expectError(nll(x, I([2], [0, 1]), "avg"), .invalidReduction, argument: "reduction")
        expectError(nll(x, I([2], [0, 1]), "none", grad: T([], [1])), .shapeMismatch, argument: "grad_output")
    }
}
