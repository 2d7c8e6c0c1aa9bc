import Testing
@testable import LossSpec
@testable import Reference

@Suite struct SmoothL1LossTests {
    let x = T([2, 2], [0.5, 1, 2, -1])
    let y = T([2, 2], [0, 1, 1, 1])  // d = [0.5, 0, 1, −2]

    @Test func valuesByHand() throws {
        // β = 1: [½·0.25, 0, 1 − ½ (linear branch at z = β), 2 − ½] = [0.125, 0, 0.5, 1.5]
        #expect(try Reference.smoothL1Loss(input: x, target: y, reduction: .none).output?.scalars == [0.125, 0, 0.5, 1.5])
        #expect(try Reference.smoothL1Loss(input: x, target: y, reduction: .mean).output?.scalars == [0.53125])
        // β = 0.5: [0.5 − 0.25, 0, 1 − 0.25, 2 − 0.25] = [0.25, 0, 0.75, 1.75], Σ = 2.75
        #expect(try Reference.smoothL1Loss(input: x, target: y, reduction: .sum, beta: 0.5).output?.scalars == [2.75])
        // β = 2: ½z²/2 = [0.0625, 0, 0.25], z = 2 = β is linear: 2 − 1 = 1
        #expect(try Reference.smoothL1Loss(input: x, target: y, reduction: .none, beta: 2).output?.scalars
                == [0.0625, 0, 0.25, 1])
    }

    @Test func gradientsByHand() throws {
        // β = 2, 'mean', g = 4 → g/numel = 1: d/β inside, sgn(d) at |d| ≥ β: [0.25, 0, 0.5, −1]
        let r = try Reference.smoothL1Loss(input: x, target: y, reduction: .mean, beta: 2, gradOutput: T([], [4]))
        #expect(r.outputs["grad_input"]?.scalars == [0.25, 0, 0.5, -1])
        #expect(r.outputs["grad_target"]?.scalars == [-0.25, 0, -0.5, 1])
    }

    @Test func betaZeroIsL1WithZeroGradientAtTheKink() throws {
        // L1: |d| = [0.5, 0, 1, 2]; gradient sgn(d) = [1, 0, 1, −1] (the raw kernel would give −1 at d = 0)
        let r = try Reference.smoothL1Loss(input: x, target: y, reduction: .none, beta: 0,
                                           gradOutput: T([2, 2], [1, 1, 1, 1]))
        #expect(r.output?.scalars == [0.5, 0, 1, 2])
        #expect(r.outputs["grad_input"]?.scalars == [1, 0, 1, -1])
        // NaN difference: L1's sgn(NaN) = 0
        let n = try Reference.smoothL1Loss(input: T([1], [.nan]), target: T([1], [0]), reduction: .sum, beta: 0,
                                           gradOutput: T([], [1]))
        #expect(n.outputs["grad_input"]?.scalars == [0])
        // β > 0: the NaN difference falls through to d/β = NaN
        let m = try Reference.smoothL1Loss(input: T([1], [.nan]), target: T([1], [0]), reduction: .sum, beta: 1,
                                           gradOutput: T([], [1]))
        #expect(m.outputs["grad_input"]?.scalars[0].isNaN == true)
    }

    @Test func infiniteBeta() throws {
        // β = inf: ½z²/inf = 0 and d/inf = 0 for finite d; d = inf → inf − inf = NaN loss, gradient 1 (d ≥ β)
        let r = try Reference.smoothL1Loss(input: T([2], [3, .infinity]), target: T([2], [0, 0]), reduction: .none,
                                           beta: .infinity, gradOutput: T([2], [1, 1]))
        expectClose(r.output?.scalars, [0, .nan])
        #expect(r.outputs["grad_input"]?.scalars == [0, 1])
    }

    @Test func zeroDimAndEmpty() throws {
        // d = −3 with β = 1: 3 − 0.5
        #expect(try Reference.smoothL1Loss(input: T([], [-1]), target: T([], [2])).output?.scalars == [2.5])
        let e = T([0], [])
        #expect(try Reference.smoothL1Loss(input: e, target: e, reduction: .mean).output?.scalars[0].isNaN == true)
        #expect(try Reference.smoothL1Loss(input: e, target: e, reduction: .sum, beta: 0).output?.scalars == [0])
    }

    @Test(arguments: [-0.1, -.infinity, Double.nan])
    func negativeBetaIsRejected(beta: Double) {
        expectError(makeCase(.smoothL1Loss, options: ["beta": .number(beta)], floats: ["input": x, "target": y]),
                    .invalidOption, argument: "beta")
    }

    @Test func errors() {
        expectError(makeCase(.smoothL1Loss, floats: ["input": x, "target": T([3], [1, 2, 3])]), .shapeMismatch)
        // No weight argument (unlike L1/MSE/Huber).
        expectError(makeCase(.smoothL1Loss, floats: ["input": x, "target": y, "weight": x]), .invalidOption,
                    argument: "weight")
        expectError(makeCase(.smoothL1Loss, options: ["reduction": .string("batchmean")],
                             floats: ["input": x, "target": y]), .invalidReduction)
    }

    /// Points keep |d| away from β ∈ {0, 0.3, 1, 2.5} by more than the finite-difference step.
    @Test(arguments: ["none", "mean", "sum"], [0.0, 0.3, 1.0, 2.5])
    func finiteDifferences(reduction: String, beta: Double) throws {
        let x = T([2, 3], [0.3, -1.2, 2.5, 0.7, 0.15, -0.4])
        let y = T([3], [0.2, 0.9, -1.1])
        let g = reduction == "none" ? T([2, 3], [0.7, -1.3, 0.4, 2.1, -0.6, 1.1]) : T([], [1.7])
        try checkGradientsByFiniteDifferences(
            makeCase(.smoothL1Loss, options: ["reduction": .string(reduction), "beta": .number(beta)],
                     floats: ["input": x, "target": y, "grad_output": g]))
    }
}
