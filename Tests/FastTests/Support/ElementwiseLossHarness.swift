import Testing
import Generator
@_spi(Kernels) import LossSpec
import Reference
@testable import Fast

/// Fast-vs-Reference checks for the elementwise losses: random Float32-exact cases, the Docs/Tolerance.md
/// normalized error against the Reference's scales, thread determinism and error kinds.
enum ElementwiseLossHarness {
    /// A deterministic stream of Float32 values (Generator.SeededRNG), so failures reproduce.
    struct Draw {
        var base: SeededRNG
        init(seed: UInt64) { base = SeededRNG(seed: seed) }

        mutating func next() -> UInt64 { base.next() }

        /// Uniform in [lo, hi), rounded to Float.
        mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
            lo + (hi - lo) * Float(next() >> 40) * 0x1p-24
        }

        mutating func tensor(_ shape: [Int], _ lo: Float = -3, _ hi: Float = 3) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in Double(uniform(lo, hi)) }))
        }

        mutating func signs(_ shape: [Int]) -> TensorValue {
            .float64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in next() & 1 == 0 ? 1 : -1 }))
        }
    }

    /// The case with a random grad_output in the output's shape (drawn after a forward run).
    static func withGradient(_ c: LossCase, _ draw: inout Draw) throws -> LossCase {
        guard let shape = try Reference.evaluate(c).output?.shape else { return c }
        var c = c
        c.inputs["grad_output"] = draw.tensor(shape, 0.5, 2)
        return c
    }

    /// Largest Docs/Tolerance.md normalized error of Fast against the Reference over every output role;
    /// also requires both to return the same roles and shapes.
    static func maxNormalizedError(_ c: LossCase, threads: Int = 2) throws -> Double {
        let r = try Reference.evaluate(c)
        let f = try Fast.evaluate(c, threads: threads)
        #expect(Set(r.outputs.keys) == Set(f.outputs.keys), "roles differ")
        let eps = Double(Float.ulpOfOne)
        var worst = 0.0
        for (role, expected) in r.outputs {
            guard let got = f.outputs[role] else { continue }
            #expect(got.shape == expected.shape, "\(role) shape")
            guard got.shape == expected.shape else { continue }
            let scale = r.scales[role]
            for k in 0..<expected.count {
                let e = expected[k], g = got[k]
                if g == e || (g.isNaN && e.isNaN) { continue }
                guard g.isFinite && e.isFinite else { return .infinity }
                let s = scale.map { $0[k].isFinite ? abs($0[k]) : 0 } ?? 0
                worst = max(worst, abs(g - e) / (eps * max(s, abs(e), Double(Float.leastNormalMagnitude))))
            }
        }
        return worst
    }

    /// Both implementations raise the same error kind.
    static func expectSameError(_ c: LossCase, _ kind: ErrorKind) {
        for (name, run) in [("reference", { _ = try Reference.evaluate(c) }), ("fast", { _ = try Fast.evaluate(c) })] {
            do {
                try run()
                Issue.record("\(name) did not raise \(kind.rawValue)")
            } catch let e as LossError {
                #expect(e.kind == kind, "\(name) raised \(e.kind.rawValue), expected \(kind.rawValue)")
            } catch {
                Issue.record("\(name) raised \(error)")
            }
        }
    }
}

extension ElementwiseLossHarness {
    static let reductions = ["none", "mean", "sum"]

    /// (input shape, target shape): equal shapes across SIMD widths and chunks, and broadcasts.
    static let regressionShapes: [([Int], [Int])] = [
        ([], []), ([7], [7]), ([3, 5], [3, 5]), ([2, 3, 4], [2, 3, 4]), ([129], [129]), ([16_411], [16_411]),
        ([0], [0]), ([4, 5], [1, 5]), ([4, 1], [3]), ([5], []),
    ]

    /// Fast vs Reference for an `l(x − y)` loss over reductions × shapes × parameter values, with and
    /// without gradients, and with a weight when the loss takes one.
    static func regressionSweep(_ loss: LossKind, parameter: String?, values: [Double], weighted: Bool,
                                budget: Double = 32) throws {
        var draw = Draw(seed: UInt64(loss.rawValue.utf8.count))
        for value in values {
            for reduction in reductions {
                var options: [String: JSONValue] = ["reduction": .string(reduction)]
                if let parameter { options[parameter] = .number(value) }
                for (xs, ys) in regressionShapes {
                    for withWeight in weighted ? [false, true] : [false] {
                        var inputs = ["input": draw.tensor(xs), "target": draw.tensor(ys)]
                        if withWeight { inputs["weight"] = draw.tensor(xs, -0.5, 2) }
                        let forward = LossCase(loss: loss, options: options, inputs: inputs)
                        for c in [forward, try withGradient(forward, &draw)] {
                            let e = try maxNormalizedError(c)
                            #expect(e <= budget, "\(loss.rawValue) \(options) \(xs) vs \(ys) weight: \(withWeight): \(e)")
                        }
                    }
                }
            }
        }
    }

    /// Kinks (d = 0, |d| = p exactly), ±0, NaN and ±inf differences, each element against the
    /// Reference: non-finite values and branch choices must agree exactly (else the error is
    /// infinite or O(1/eps)); finite values to a few roundings.
    static func regressionSpecialValues(_ loss: LossKind, parameter: String?, values: [Double]) throws {
        var draw = Draw(seed: 7)
        for value in values {
            let k = Double(Float(value))
            let xs: [Double] = [1.5 + k, 1.5 - k, 0, -0.0, 2, .nan, 1, .infinity, -.infinity, .infinity, 3, -1]
            let ys: [Double] = [1.5, 1.5, -0.0, 0, 2, 1, .nan, 1, 1, .infinity, -.infinity, -1 + k]
            for reduction in reductions {
                var options: [String: JSONValue] = ["reduction": .string(reduction)]
                if let parameter { options[parameter] = .number(value) }
                let c = LossCase(loss: loss, options: options,
                                 inputs: ["input": .float64(Tensor(shape: [12], scalars: xs)),
                                          "target": .float64(Tensor(shape: [12], scalars: ys))])
                #expect(try maxNormalizedError(withGradient(c, &draw)) <= 4, "\(loss.rawValue) \(options)")
            }
        }
    }

    /// Bit-identical results for 1, 2 and 8 threads on inputs spanning several chunks, on the hot
    /// path and (with a weight or a broadcast target) the general one.
    static func regressionThreads(_ loss: LossKind, parameter: String?, value: Double, weighted: Bool) throws {
        var draw = Draw(seed: 11)
        for reduction in reductions {
            var options: [String: JSONValue] = ["reduction": .string(reduction)]
            if let parameter { options[parameter] = .number(value) }
            var general = ["input": draw.tensor([40_000, 1]), "target": draw.tensor([1])]
            if weighted { general["weight"] = draw.tensor([40_000, 1], 0, 2) }
            for inputs in [["input": draw.tensor([40_000]), "target": draw.tensor([40_000])], general] {
                try ThreadInvariance.expect(withGradient(LossCase(loss: loss, options: options, inputs: inputs), &draw))
            }
        }
    }

    /// The errors every `l(x − y)` loss shares, raised with the same kind by Fast and the Reference.
    static func regressionErrors(_ loss: LossKind, weighted: Bool) {
        var draw = Draw(seed: 3)
        let x = draw.tensor([3, 4])
        func c(_ inputs: [String: TensorValue], _ reduction: String = "mean") -> LossCase {
            LossCase(loss: loss, options: ["reduction": .string(reduction)], inputs: inputs)
        }
        expectSameError(c(["input": x, "target": draw.tensor([3, 5])]), .shapeMismatch)
        expectSameError(c(["input": x, "target": x], "avg"), .invalidReduction)
        expectSameError(c(["input": .int64(Tensor(shape: [2], scalars: [1, 2])), "target": draw.tensor([2])]), .invalidValue)
        expectSameError(c(["input": x, "target": x, "grad_output": draw.tensor([3, 4])], "sum"), .shapeMismatch)
        expectSameError(c(["input": x, "target": x, "grad_output": draw.tensor([])], "none"), .shapeMismatch)
        if weighted {
            expectSameError(c(["input": x, "target": x, "weight": draw.tensor([4])]), .shapeMismatch)
            expectSameError(c(["input": x, "target": x, "weight": draw.tensor([3, 4])], "elementwise_mean"), .invalidReduction)
        } else {
            expectSameError(c(["input": x, "target": x, "weight": draw.tensor([3, 4])]), .invalidOption)
        }
    }
}
