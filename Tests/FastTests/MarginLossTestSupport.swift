import Testing
import LossSpec
import Reference
@testable import Fast

/// Support for the margin-loss Fast tests: a seeded generator of Float32-exact draws, and the
/// design §4 comparison of a Fast result with the Reference's values and scales.
struct MarginTestRNG {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    /// splitmix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi), rounded to Float32.
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        Double(Float(lo + (hi - lo) * Double(next() >> 40) * 0x1p-24))
    }

    /// Uniform integer in lo...hi.
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }

    mutating func floats(_ shape: [Int], _ lo: Double = -3, _ hi: Double = 3) -> TensorValue {
        .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in uniform(lo, hi) }))
    }
}

enum MarginLossTestSupport {
    /// The Fast budget of these losses (Runner's Tolerance: 32 eps32).
    static let budget = 32.0

    /// `LossCase` from tensors, with a random grad_output in the output's shape when `grad`.
    static func makeCase(_ loss: LossKind, _ options: [String: JSONValue], _ inputs: [String: TensorValue],
                         grad: Bool, rng: inout MarginTestRNG) throws -> LossCase {
        var c = LossCase(loss: loss, options: options, inputs: inputs)
        guard grad, let shape = try Reference.evaluate(c).output?.shape else { return c }
        c.inputs["grad_output"] = rng.floats(shape, -2, 2)
        return c
    }

    /// Expects every role of the Reference's result in Fast's, within the budget; returns the
    /// largest normalized error.
    @discardableResult
    static func expectAgreement(_ c: LossCase, threads: Int = 2,
                                sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        let ref = try Reference.evaluate(c)
        let fast = try Fast.evaluate(c, threads: threads)
        var worst = 0.0
        for (role, expected) in ref.outputs {
            guard let got = fast.outputs[role], got.shape == expected.shape else {
                Issue.record("\(role): Fast shape \(fast.outputs[role]?.shape.description ?? "missing"), expected \(expected.shape)",
                             sourceLocation: sourceLocation)
                continue
            }
            let scale = ref.scales[role]?.scalars ?? expected.scalars.map(abs)
            for k in 0..<expected.count {
                let e = expected[k], g = got[k]
                if g == e || (g.isNaN && e.isNaN) { continue }
                let denominator = Double(Float.ulpOfOne) * max(scale[k].isFinite ? scale[k] : 0, abs(e),
                                                                Double(Float.leastNormalMagnitude))
                let err = g.isFinite && e.isFinite ? abs(g - e) / denominator : .infinity
                worst = max(worst, err)
                if err > budget {
                    Issue.record("\(role)[\(k)]: Fast \(g), Reference \(e), normalized error \(err)",
                                 sourceLocation: sourceLocation)
                }
            }
        }
        return worst
    }

    /// Expects bit-identical Fast results for 1, 2 and 8 threads.
    static func expectThreadIndependent(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let one = try Fast.evaluate(c, threads: 1)
        for threads in [2, 8] {
            let other = try Fast.evaluate(c, threads: threads)
            for (role, t) in one.outputs {
                let same = other.outputs[role].map { o in
                    o.shape == t.shape && zip(o.scalars, t.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
                } ?? false
                #expect(same, "\(role) differs between 1 and \(threads) threads", sourceLocation: sourceLocation)
            }
        }
    }

    /// Hand-written tensors.
    static func floats(_ shape: [Int], _ scalars: [Double]) -> TensorValue { .float64(Tensor(shape: shape, scalars: scalars)) }
    static func ints(_ shape: [Int], _ scalars: [Int64]) -> TensorValue { .int64(Tensor(shape: shape, scalars: scalars)) }

    /// Expects Fast to raise the same error kind as the Reference (which must raise).
    static func expectSameError(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) {
        func kind(_ body: () throws -> LossResult) -> ErrorKind? {
            do { _ = try body(); return nil } catch let e as LossError { return e.kind } catch { return nil }
        }
        let ref = kind { try Reference.evaluate(c) }
        let fast = kind { try Fast.evaluate(c) }
        #expect(ref != nil, "the Reference accepted an invalid case", sourceLocation: sourceLocation)
        #expect(fast == ref, "Fast raised \(fast?.rawValue ?? "nothing"), Reference \(ref?.rawValue ?? "nothing")",
                sourceLocation: sourceLocation)
    }
}
