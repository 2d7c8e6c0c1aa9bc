import Testing
import Generator
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Helpers for the margin-loss Fast tests (margin_ranking, hinge_embedding, cosine_embedding):
/// Float32-exact random inputs and the Docs/Tolerance.md comparison against the Reference.
struct MarginTestRNG {
    private var base: SeededRNG

    init(_ seed: UInt64) { base = SeededRNG(seed: seed) }

    /// Uniform in [lo, hi), rounded to Float32 (Generator.SeededRNG's draw).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { base.uniform(lo, hi) }

    mutating func values(_ shape: [Int], _ lo: Double = -3, _ hi: Double = 3) -> TensorValue {
        .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in uniform(lo, hi) }))
    }

    /// Labels from `choices`.
    mutating func labels(_ shape: [Int], _ choices: [Double] = [1, -1]) -> TensorValue {
        .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in
            choices[min(choices.count - 1, Int(uniform(0, Double(choices.count))))]
        }))
    }

    /// A random grad_output in the shape of the case's output (0-dim when reduced).
    mutating func withGradOutput(_ c: LossCase) throws -> LossCase {
        var c = c
        guard let output = try Reference.evaluate(c).output else { return c }
        c.inputs["grad_output"] = values(output.shape, 0.5, 2)
        return c
    }
}

enum MarginLossCheck {
    /// Fast vs Reference on every output role: |f − r| ≤ budget·eps32·max(scale, |r|, tiny), with
    /// NaN = NaN and equal infinities. Returns the largest normalized error.
    @discardableResult
    static func compare(_ c: LossCase, budget: Double, threads: Int = 2,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        let reference = try Reference.evaluate(c)
        let fast = try Fast.evaluate(c, threads: threads)
        #expect(Set(fast.outputs.keys) == Set(reference.outputs.keys), sourceLocation: sourceLocation)
        let eps = Double(Float.ulpOfOne)
        var worst = 0.0
        for (role, expected) in reference.outputs {
            guard let got = fast.outputs[role] else { continue }
            #expect(got.shape == expected.shape, "\(role) shape", sourceLocation: sourceLocation)
            guard got.shape == expected.shape else { continue }
            let scale = reference.scales[role]
            for k in 0..<expected.count {
                let r = expected.scalars[k], f = got.scalars[k]
                let error: Double
                if r == f || (r.isNaN && f.isNaN) {
                    error = 0
                } else if !r.isFinite || !f.isFinite {
                    error = .infinity
                } else {
                    let s = scale.map { abs($0.scalars[k]) } ?? 0
                    error = abs(f - r) / (eps * max(s, abs(r), Double(Float.leastNormalMagnitude)))
                }
                worst = max(worst, error)
                #expect(error <= budget, "\(role)[\(k)]: fast \(f), reference \(r), normalized error \(error)",
                        sourceLocation: sourceLocation)
            }
        }
        return worst
    }

    /// A multi-chunk case: thread determinism of the forward and of forward+backward (with a random
    /// grad_output), and agreement with the Reference.
    static func expectDeterministicAndAccurate(_ c: LossCase, budget: Double, _ rng: inout MarginTestRNG,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ThreadInvariance.expect(c, sourceLocation: sourceLocation)
        let withGradient = try rng.withGradOutput(c)
        try ThreadInvariance.expect(withGradient, sourceLocation: sourceLocation)
        try compare(withGradient, budget: budget, sourceLocation: sourceLocation)
    }

    /// Fast raises the same error kind as the Reference.
    static func expectSameError(_ c: LossCase, _ kind: ErrorKind, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, evaluate) in [("reference", { try Reference.evaluate(c) }), ("fast", { try Fast.evaluate(c) })] {
            do {
                _ = try evaluate()
                Issue.record("\(name) evaluated an invalid case", sourceLocation: sourceLocation)
            } catch let e as LossError {
                #expect(e.kind == kind, "\(name) raised \(e)", sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(name) raised \(error)", sourceLocation: sourceLocation)
            }
        }
    }

    static let reductions = ["none", "mean", "sum"]

    static func options(_ reduction: String, _ margin: Double) -> [String: JSONValue] {
        ["reduction": .string(reduction), "margin": .number(margin)]
    }
}
