import Testing
import Generator
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Fast-vs-Reference checks shared by the logistic losses' tests (BCE, BCEWithLogits, MLSM).
enum LogisticFastSupport {
    /// The project's seeded generator (Generator.SeededRNG), so every test run sees the same inputs.
    struct RNG: RandomNumberGenerator {
        var base: SeededRNG
        init(_ seed: UInt64) { base = SeededRNG(seed: seed) }
        mutating func next() -> UInt64 { base.next() }

        /// Uniform in [lo, hi), rounded to Float32 (golden-database rule: Float32-exact inputs).
        mutating func tensor(_ shape: [Int], _ lo: Double, _ hi: Double) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in
                Double(Float(Double.random(in: lo..<hi, using: &self)))
            }))
        }

        /// 0/1 labels.
        mutating func labels(_ shape: [Int]) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in Bool.random(using: &self) ? 1 : 0 }))
        }
    }

    static let eps32 = 0x1p-24
    /// Tolerance.budget for these losses (Docs/Tolerance.md: tens of eps32).
    static let budget = 64.0

    /// Adds a random grad_output in the shape of the Reference's output (sign-mixed, not all ones).
    static func withGradOutput(_ c: LossCase, _ rng: inout RNG) throws -> LossCase {
        guard let out = try Reference.evaluate(c).output else { throw LossError(.invalidOption, argument: "output", "none") }
        var c = c
        c.inputs["grad_output"] = rng.tensor(out.shape, -2, 2)
        return c
    }

    /// Every role of Fast within `budget`·eps32·max(scale, |r|, tiny) of the Reference, NaN = NaN,
    /// equal infinities; both return the same roles with the same shapes.
    static func expectMatchesReference(_ c: LossCase, threads: Int = 2, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try Reference.evaluate(c)
        let f = try Fast.evaluate(c, threads: threads)
        #expect(Set(f.outputs.keys) == Set(r.outputs.keys), sourceLocation: sourceLocation)
        for (role, expected) in r.outputs {
            guard let got = f.outputs[role], let scale = r.scales[role] else { continue }
            #expect(got.shape == expected.shape, "\(role)", sourceLocation: sourceLocation)
            guard got.shape == expected.shape else { continue }
            for k in 0..<expected.count {
                let e = expected[k], g = got[k], s = scale[k]
                if e == g || (e.isNaN && g.isNaN) { continue }
                let bound = budget * eps32 * max(s.isFinite ? s : 0, abs(e), Double(Float.leastNormalMagnitude))
                #expect(e.isFinite && g.isFinite && abs(g - e) <= bound,
                        "\(role)[\(k)]: fast \(g), reference \(e), normalized error \(abs(g - e) / bound * budget)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// Fast raises the Reference's error kind on the same argument.
    static func expectSameError(_ c: LossCase, _ kind: ErrorKind, sourceLocation: SourceLocation = #_sourceLocation) {
        func failure(_ body: () throws -> LossResult) -> LossError? {
            do { _ = try body(); return nil } catch { return error as? LossError }
        }
        let r = failure { try Reference.evaluate(c) }
        let f = failure { try Fast.evaluate(c, threads: 2) }
        #expect(r?.kind == kind, "reference: \(String(describing: r))", sourceLocation: sourceLocation)
        #expect(f?.kind == r?.kind && f?.argument == r?.argument,
                "fast: \(String(describing: f)), reference: \(String(describing: r))", sourceLocation: sourceLocation)
    }

    static func make(_ loss: LossKind, _ reduction: String, _ inputs: [String: TensorValue]) -> LossCase {
        LossCase(loss: loss, options: ["reduction": .string(reduction)], inputs: inputs)
    }
}
