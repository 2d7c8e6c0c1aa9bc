import Testing
import Generator
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Fast-vs-Reference checks for the elementwise likelihood losses (PoissonNLL, GaussianNLL, KLDiv).
enum LikelihoodCheck {
    /// Deterministic test inputs from the project's seeded generator, each rounded to Float32.
    struct RNG {
        var base: SeededRNG
        init(state seed: UInt64) { base = SeededRNG(seed: seed) }
        mutating func next() -> UInt64 { base.next() }
        mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
            Double(Float(lo + (hi - lo) * Double(next() >> 40) * 0x1p-24))
        }
        mutating func tensor(_ shape: [Int], _ lo: Double, _ hi: Double) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in uniform(lo, hi) }))
        }
    }

    static let budget = 64.0
    static let eps32 = 0x1p-24

    /// Adds a random grad_output (±[0.5, 2)) in the shape of the Reference's output.
    static func withGradOutput(_ c: LossCase, _ rng: inout RNG) throws -> LossCase {
        var c = c
        let shape = try #require(try Reference.evaluate(c).output).shape
        c.inputs["grad_output"] = .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in
            rng.uniform(0.5, 2) * (rng.next() % 5 == 0 ? -1 : 1)
        }))
        return c
    }

    /// Fast (1 thread) agrees with the Reference on every role within the Docs/Tolerance.md tolerance;
    /// returns the largest normalized error.
    @discardableResult
    static func expectAgreement(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        let r = try Reference.evaluate(c)
        let f = try Fast.evaluate(c, threads: 1)
        #expect(Set(f.outputs.keys) == Set(r.outputs.keys), "roles", sourceLocation: sourceLocation)
        var worst = 0.0
        for (role, expected) in r.outputs {
            guard let got = f.outputs[role], got.shape == expected.shape else {
                Issue.record("\(role): missing or wrong shape", sourceLocation: sourceLocation)
                continue
            }
            let scale = r.scales[role]?.scalars ?? expected.scalars.map(abs)
            for i in expected.scalars.indices {
                let (g, e) = (got.scalars[i], expected.scalars[i])
                if g == e || (g.isNaN && e.isNaN) { continue }
                let err = g.isFinite && e.isFinite
                    ? abs(g - e) / (eps32 * max(scale[i], abs(e), Double(Float.leastNormalMagnitude))) : .infinity
                worst = max(worst, err)
                if err > budget {
                    Issue.record("\(c.loss.rawValue) \(c.options) \(role)[\(i)]: fast \(g), reference \(e), normalized error \(err)",
                                 sourceLocation: sourceLocation)
                }
            }
        }
        return worst
    }

    /// Forward only and forward+backward: thread-independent, and the latter agrees with the Reference.
    static func expectThreadIndependence(_ c: LossCase, withGradients rng: inout RNG,
                                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ThreadInvariance.expect(c, sourceLocation: sourceLocation)
        let g = try withGradOutput(c, &rng)
        try ThreadInvariance.expect(g, sourceLocation: sourceLocation)
        try expectAgreement(g, sourceLocation: sourceLocation)
    }

    /// Fast raises the same error kind as the Reference.
    static func expectSameError(_ c: LossCase, _ kind: ErrorKind, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, evaluate) in [("reference", { try Reference.evaluate(c) }), ("fast", { try Fast.evaluate(c) })] {
            do {
                _ = try evaluate()
                Issue.record("\(name): no error, expected \(kind.rawValue)", sourceLocation: sourceLocation)
            } catch let e as LossError {
                #expect(e.kind == kind, "\(name): \(e)", sourceLocation: sourceLocation)
            } catch {
                Issue.record("\(name): \(error)", sourceLocation: sourceLocation)
            }
        }
    }
}
