import Testing
import Generator
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Fast-vs-Reference checks for the triplet and CTC tests (Docs/Tolerance.md normalized error against
/// the Reference's scales), deterministic inputs and thread-determinism helpers.
enum TripletCTCTestSupport {
    /// Float32-exact draws from the project's seeded generator (Generator.SeededRNG).
    struct Draws {
        var base: SeededRNG
        init(_ seed: UInt64) { base = SeededRNG(seed: seed) }
        mutating func next() -> UInt64 { base.next() }
        mutating func unit() -> Double { Double(next() >> 40) * 0x1p-24 }
        mutating func normal(_ std: Double = 1) -> Double {
            Double(Float(std * ((0..<12).reduce(0.0) { s, _ in s + unit() } - 6)))
        }
        mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }
        mutating func tensor(_ shape: [Int], std: Double = 1) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in normal(std) }))
        }
    }

    /// The shape of the Reference's output for `c` (nil if it raises).
    static func outputShape(_ c: LossCase) -> [Int]? {
        (try? Reference.evaluate(c))?.output?.shape
    }

    /// Evaluates `c` with both implementations and returns the largest normalized error over every
    /// role, failing the test where it exceeds `budget` or where the roles or shapes differ.
    @discardableResult
    static func agree(_ c: LossCase, budget: Double, threads: Int = 2, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> Double {
        let reference = try Reference.evaluate(c)
        let fast = try Fast.evaluate(c, threads: threads)
        #expect(Set(reference.outputs.keys) == Set(fast.outputs.keys), sourceLocation: sourceLocation)
        var worst = 0.0
        for (role, expected) in reference.outputs {
            guard let got = fast.outputs[role] else { continue }
            #expect(got.shape == expected.shape, "\(role) shape", sourceLocation: sourceLocation)
            guard got.shape == expected.shape else { continue }
            let scale = reference.scales[role]
            for i in expected.scalars.indices {
                let e = normalizedError(got.scalars[i], expected.scalars[i], scale?.scalars[i] ?? 0)
                worst = max(worst, e)
                if e > budget {
                    Issue.record("\(c.loss.rawValue) \(c.options) \(role)[\(i)]: fast \(got.scalars[i]), reference \(expected.scalars[i]) (normalized error \(e))",
                                 sourceLocation: sourceLocation)
                    return e
                }
            }
        }
        return worst
    }

    /// |f − r| / (eps32·max(scale, |r|, tiny)); 0 for equal values, NaN = NaN and equal infinities.
    static func normalizedError(_ got: Double, _ expected: Double, _ scale: Double) -> Double {
        if got == expected || (got.isNaN && expected.isNaN) { return 0 }
        if !got.isFinite || !expected.isFinite { return .infinity }
        let eps = Double(Float.ulpOfOne)
        return abs(got - expected) / (eps * max(scale.isFinite ? abs(scale) : 0, abs(expected),
                                                Double(Float.leastNormalMagnitude)))
    }

    /// Fails unless both implementations raise the same error kind for `c`.
    static func sameError(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) {
        var kinds: [ErrorKind?] = []
        for run in [{ _ = try Reference.evaluate(c) }, { _ = try Fast.evaluate(c, threads: 2) }] {
            do {
                try run()
                kinds.append(nil)
            } catch let e as LossError {
                kinds.append(e.kind)
            } catch {
                kinds.append(nil)
            }
        }
        #expect(kinds[0] != nil, "the Reference accepted \(c.options)", sourceLocation: sourceLocation)
        #expect(kinds[0] == kinds[1], "\(c.options): reference \(String(describing: kinds[0])), fast \(String(describing: kinds[1]))",
                sourceLocation: sourceLocation)
    }
}
