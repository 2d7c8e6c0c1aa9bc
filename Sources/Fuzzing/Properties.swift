import Foundation
import Conformance
import FastDispatch
import Implementations
import LossSpec
import Reference

/// The named properties the fuzzer checks on every case.
package enum FuzzProperty: String, CaseIterable, Sendable, Codable, Hashable {
    /// Fast's outputs and gradients match the Reference's under the tolerance model (Docs/Tolerance.md).
    case differential
    /// On input the Reference rejects, Fast raises the same error kind (Docs/ErrorKinds.md); on input the
    /// Reference accepts, Fast raises nothing.
    case errorKind = "error_kind"
    /// 'sum' equals the compensated sum of the 'none' output (both implementations).
    case sumOfNone = "sum_of_none"
    /// 'mean' (and kl_div's 'batchmean') equals the spec's rule applied to 'none'
    /// (`ReductionRules.meanRule`; both implementations).
    case meanDivisor = "mean_divisor"
    /// Reversing the batch leaves 'sum'/'mean' unchanged and reverses 'none' (both implementations).
    case batchPermutation = "batch_permutation"
    /// The Reference's gradients match central finite differences at sampled smooth points.
    case finiteDifference = "finite_difference"
    /// Fast is bit-identical for every thread count (NaN payloads aside).
    case threadDeterminism = "thread_determinism"
}

/// The implementations under test, injectable so tests can pass deliberately broken ones.
package struct FuzzTargets: Sendable {
    /// The oracle: its outputs, scales and error kinds are what the candidate must match.
    package var reference: any Implementation
    /// The candidate at a given thread count.
    package var candidate: @Sendable (Int) -> any Implementation
    /// Thread counts whose results must be bit-identical; the first is used for `differential`.
    package var threadCounts: [Int]

    package init(reference: any Implementation = ReferenceImplementation(), threadCounts: [Int] = [1, 2, 8],
                candidate: @escaping @Sendable (Int) -> any Implementation = { FastImplementation(threads: $0) }) {
        self.reference = reference
        self.candidate = candidate
        self.threadCounts = threadCounts.isEmpty ? [1] : threadCounts
    }

    package static let standard = FuzzTargets()
}

/// One violated property.
package struct PropertyFailure: Sendable, Hashable {
    package var property: FuzzProperty
    /// Which implementation broke it.
    package var implementation: String
    package var message: String
}

/// What checking one case found.
package struct CaseVerdict: Sendable {
    package var failures: [PropertyFailure] = []
    /// The candidate threw `Unsupported` for this case: its properties were skipped.
    package var candidateUnsupported = false
    /// The Reference rejected the case (an error case).
    package var invalid = false
}

/// Evaluates properties on cases.
package struct PropertyChecker: Sendable {
    package var targets: FuzzTargets
    package var properties: Set<FuzzProperty>
    /// Finite differences are skipped on cases with more elements than this (cost).
    package var finiteDifferenceMaxElements = 4096

    package init(targets: FuzzTargets = .standard, properties: Set<FuzzProperty> = Set(FuzzProperty.allCases)) {
        self.targets = targets
        self.properties = properties
    }

    /// An evaluation's outcome.
    enum Outcome {
        case ok(LossResult)
        case rejected(LossError)
        case unsupported
        case crashed(String)

        var result: LossResult? { if case .ok(let r) = self { return r }; return nil }
    }

    static func run(_ impl: any Implementation, _ c: LossCase) -> Outcome {
        do {
            return .ok(try impl.evaluate(c))
        } catch let e as LossError {
            return .rejected(e)
        } catch is Unsupported {
            return .unsupported
        } catch {
            return .crashed("\(error)")
        }
    }

    /// Checks every enabled property on `c`.
    package func check(_ c: LossCase) -> CaseVerdict {
        check(c, only: properties)
    }

    /// Checks `only` (∩ enabled properties) on `c`; the shrinker re-checks one property at a time.
    package func check(_ c: LossCase, only: Set<FuzzProperty>) -> CaseVerdict {
        var verdict = CaseVerdict()
        let want = only.intersection(properties)
        let ref = Self.run(targets.reference, c)
        if case .rejected = ref { verdict.invalid = true }
        let needsCandidate = !want.isDisjoint(with: [.differential, .errorKind, .threadDeterminism, .sumOfNone,
                                                     .meanDivisor, .batchPermutation])
        var candidates: [(any Implementation, Outcome)] = []
        if needsCandidate {
            let counts = want.contains(.threadDeterminism) ? targets.threadCounts : [targets.threadCounts[0]]
            for t in counts {
                let impl = targets.candidate(t)
                // Grain 1, so that the fuzzer's small cases are really split across `t` threads.
                let o = FastDispatch.current.withGrainOverride(1) { Self.run(impl, c) }
                if case .unsupported = o { verdict.candidateUnsupported = true; break }
                candidates.append((impl, o))
            }
        }
        func fail(_ p: FuzzProperty, _ impl: String, _ message: String) {
            verdict.failures.append(PropertyFailure(property: p, implementation: impl, message: message))
        }
        if case .crashed(let m) = ref { fail(.errorKind, targets.reference.name, "the Reference threw a non-LossError: \(m)") }
        let candidate = verdict.candidateUnsupported ? nil : candidates.first

        // Differential and error kinds.
        if let (impl, outcome) = candidate {
            switch (ref, outcome) {
            case (.rejected(let e), .rejected(let f)):
                if e.kind != f.kind, want.contains(.errorKind) {
                    fail(.errorKind, impl.name, "the Reference raised \(e.kind.rawValue) (\(e.message)), \(impl.name) raised \(f.kind.rawValue) (\(f.message))")
                }
            case (.rejected(let e), .ok):
                if want.contains(.errorKind) { fail(.errorKind, impl.name, "the Reference raised \(e.kind.rawValue) (\(e.message)), \(impl.name) evaluated the case") }
            case (.ok, .rejected(let f)):
                if want.contains(.errorKind) { fail(.errorKind, impl.name, "the Reference evaluated the case, \(impl.name) raised \(f)") }
            case (_, .crashed(let m)):
                if want.contains(.errorKind) { fail(.errorKind, impl.name, "\(impl.name) threw a non-LossError: \(m)") }
            case (.ok(let expected), .ok(let got)):
                if want.contains(.differential),
                   let m = Self.compare(expected: expected, got: got, loss: c.loss, computeType: impl.computeType) {
                    fail(.differential, impl.name, m)
                }
            default: break
            }
        }

        // Thread determinism.
        if want.contains(.threadDeterminism), candidates.count > 1 {
            let (firstImpl, first) = candidates[0]
            for (impl, o) in candidates.dropFirst() {
                if let m = Self.identical(first, o) {
                    fail(.threadDeterminism, "\(firstImpl.name) vs \(impl.name)", m)
                    break
                }
            }
        }

        // Invariants, on the Reference and on the candidate.
        guard let refResult = ref.result else { return verdict }
        let invariants = want.intersection([.sumOfNone, .meanDivisor, .batchPermutation])
        if !invariants.isEmpty {
            var impls = [targets.reference]
            if let (impl, _) = candidate { impls.append(impl) }
            let refVariants = Variants(c, targets.reference)
            if refVariants.none != nil {
                for impl in impls {
                    let v = impl.name == targets.reference.name ? refVariants : Variants(c, impl)
                    for f in checkInvariants(c, v, reference: refVariants, impl: impl, want: invariants) {
                        verdict.failures.append(f)
                    }
                }
            }
        }
        if want.contains(.finiteDifference), let f = finiteDifference(c, refResult) {
            verdict.failures.append(f)
        }
        return verdict
    }

    // MARK: Comparisons

    /// The first element (per role, sorted) outside the tolerance, as a message; nil if all pass.
    static func compare(expected: LossResult, got: LossResult, loss: LossKind, computeType: ComputeType) -> String? {
        let budget = Tolerance.budget(loss: loss, computeType: computeType)
        let c = Tolerance.compare(expected: expected.outputs, scales: expected.scales, got: got.outputs,
                                  computeType: computeType, budget: budget)
        guard !c.passed else { return nil }
        let m = c.mismatches.first { $0.element == nil }
            ?? c.mismatches.filter { $0.element != nil }.min { ($0.role, $0.element!) < ($1.role, $1.element!) }!
        guard let i = m.element else { return "\(m.role): \(m.got == "missing" ? "missing" : "\(m.got), expected \(m.expected)")" }
        return "\(m.role)[\(i)]: expected \(m.expected), got \(m.got) (normalized error \(fmt(m.normalizedError)) > budget \(fmt(budget)))"
    }

    /// One scalar under the tolerance model, as a message; nil if it passes.
    static func elementMismatch(got: Double, expected: Double, scale: Double, computeType: ComputeType, budget: Double) -> String? {
        let err = Tolerance.normalizedError(got: got, expected: expected, scale: scale, computeType: computeType)
        if err <= budget { return nil }
        return "expected \(fmt(expected)), got \(fmt(got)) (normalized error \(fmt(err)) > budget \(fmt(budget)))"
    }

    static func fmt(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }

    /// Bit-identical outcomes: same error kind, or the same bits in every role (any NaN equals any
    /// NaN: PyTorch itself does not define NaN signs or payloads).
    static func identical(_ a: Outcome, _ b: Outcome) -> String? {
        switch (a, b) {
        case (.rejected(let e), .rejected(let f)):
            return e.kind == f.kind ? nil : "error kinds differ: \(e.kind.rawValue) vs \(f.kind.rawValue)"
        case (.ok(let x), .ok(let y)):
            for (role, t) in x.outputs.sorted(by: { $0.key < $1.key }) {
                guard let u = y.outputs[role], u.shape == t.shape else { return "\(role): shapes differ" }
                for i in 0..<t.count where t[i].bitPattern != u[i].bitPattern && !(t[i].isNaN && u[i].isNaN) {
                    return "\(role)[\(i)]: \(fmt(t[i])) vs \(fmt(u[i])) (bit patterns differ)"
                }
            }
            return nil
        case (.unsupported, .unsupported): return nil
        default: return "one thread count evaluated, another raised an error"
        }
    }

    // MARK: Reduction invariants

    /// The case evaluated forward-only under 'none', 'sum', 'mean' (and 'batchmean' for kl_div).
    struct Variants {
        var none: LossResult?
        var reduced: [Reduction: LossResult] = [:]
        /// Reductions whose evaluation failed while 'none' succeeded (a finding in itself).
        var failures: [Reduction: String] = [:]

        init(_ c: LossCase, _ impl: any Implementation) {
            func eval(_ r: Reduction) -> Outcome {
                var v = c
                v.inputs["grad_output"] = nil
                v.options["reduction"] = .string(r.rawValue)
                return PropertyChecker.run(impl, v)
            }
            guard case .ok(let n) = eval(.none) else { return }
            none = n
            var all: [Reduction] = [.sum, .mean]
            if c.loss == .klDiv { all.append(.batchmean) }
            for r in all {
                switch eval(r) {
                case .ok(let x): reduced[r] = x
                case .rejected(let e): failures[r] = "\(e)"
                case .crashed(let m): failures[r] = m
                case .unsupported: break
                }
            }
        }
    }

    func checkInvariants(_ c: LossCase, _ v: Variants, reference: Variants, impl: any Implementation,
                         want: Set<FuzzProperty>) -> [PropertyFailure] {
        guard let none = v.none?.output, let refNone = reference.none?.output, refNone.shape == none.shape else { return [] }
        let budget = 2 * impl.budget(for: c.loss)
        let refScale = reference.none?.scales["output"]
        // Per-element magnitude bounding each 'none' element's rounding error.
        let magnitude = (0..<none.count).map { i in max(abs(none[i]), refScale.map { $0.count == none.count ? $0[i] : 0 } ?? 0) }
        var out: [PropertyFailure] = []
        func fail(_ p: FuzzProperty, _ m: String) { out.append(PropertyFailure(property: p, implementation: impl.name, message: m)) }
        func scalar(_ r: Reduction) -> Double? {
            guard let t = v.reduced[r]?.output, t.count == 1 else { return nil }
            return t[0]
        }
        for (r, m) in v.failures.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where reference.failures[r] == nil {
            fail(r == .sum ? .sumOfNone : .meanDivisor, "'none' evaluates but '\(r.rawValue)' raised \(m)")
        }
        if want.contains(.sumOfNone), let sum = scalar(.sum) {
            let expected = CompensatedSum.sum(none.scalars)
            if let m = Self.elementMismatch(got: sum, expected: expected, scale: CompensatedSum.sum(magnitude), computeType: impl.computeType, budget: budget) {
                fail(.sumOfNone, "'sum' \(Self.fmt(sum)) ≠ Σ 'none' over \(none.count) elements: \(m)")
            }
        }
        if want.contains(.meanDivisor) {
            for r in [Reduction.mean, .batchmean] {
                guard let mean = scalar(r), let rule = ReductionRules.meanRule(c, none: none, reduction: r) else { continue }
                let a = rule.coefficients ?? Array(repeating: 1, count: none.count)
                guard a.count == none.count else { continue }
                let expected = rule.divisor == 0 && rule.nanWhenDivisorIsZero ? .nan
                    : CompensatedSum.sum((0..<none.count).map { a[$0] * none[$0] }) / rule.divisor
                let scale = CompensatedSum.sum((0..<none.count).map { abs(a[$0]) * magnitude[$0] }) / abs(rule.divisor)
                if let m = Self.elementMismatch(got: mean, expected: expected, scale: scale, computeType: impl.computeType, budget: budget) {
                    fail(.meanDivisor, "'\(r.rawValue)' \(Self.fmt(mean)) ≠ \(rule.description) (divisor \(Self.fmt(rule.divisor))): \(m)")
                }
            }
        }
        if want.contains(.batchPermutation), let axes = ReductionRules.batchAxes(c, noneShape: none.shape) {
            let n = none.shape[0]
            let perm = Array((0..<n).reversed())
            let p = ReductionRules.permuted(c, axes: axes, perm: perm)
            let pv = Variants(p, impl)
            if let pNone = pv.none?.output {
                let expected = ReductionRules.permute(none, axis: 0, perm: perm)
                let scale = ReductionRules.permute(Tensor(shape: none.shape, scalars: magnitude), axis: 0, perm: perm)
                if pNone.shape != expected.shape {
                    fail(.batchPermutation, "'none' of the reversed batch has shape \(pNone.shape), expected \(expected.shape)")
                } else if let i = (0..<expected.count).first(where: {
                    Self.elementMismatch(got: pNone[$0], expected: expected[$0], scale: scale[$0], computeType: impl.computeType, budget: budget) != nil
                }) {
                    fail(.batchPermutation, "'none'[\(i)] of the reversed batch is \(Self.fmt(pNone[i])), expected \(Self.fmt(expected[i])) (sample order reversed)")
                }
                for (r, x) in v.reduced.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    guard let a = x.output, a.count == 1, let b = pv.reduced[r]?.output, b.count == 1 else { continue }
                    let s = CompensatedSum.sum(magnitude) / (r == .sum ? 1 : max(1, Double(none.count)))
                    let refS = reference.reduced[r]?.scales["output"].flatMap { $0.count == 1 ? $0[0] : nil } ?? 0
                    if let m = Self.elementMismatch(got: b[0], expected: a[0], scale: max(s, refS), computeType: impl.computeType, budget: budget) {
                        fail(.batchPermutation, "'\(r.rawValue)' changes when the batch is reversed: \(m)")
                    }
                }
            } else if v.none != nil {
                fail(.batchPermutation, "the reversed batch is rejected while the original evaluates")
            }
        }
        return out
    }

    // MARK: Finite differences

    /// Central differences of `f = Σ grad_output · output` at a few elements of every argument the
    /// Reference returns a gradient for. An element is tested only where f is smooth: both
    /// one-sided differences must agree (so no kink, clamp or branch change lies within ±h), the
    /// central differences with h and h/16 must agree (no feature narrower than h), and every
    /// value involved is finite. CTC is skipped (its gradient is PyTorch's log_softmax
    /// convention, not the partial derivative, Docs/Losses/ctc_loss.md); so are the documented non-derivative
    /// conventions: clamped GaussianNLL var entries and BCE inputs at 0 or 1.
    func finiteDifference(_ c: LossCase, _ result: LossResult) -> PropertyFailure? {
        guard c.loss != .ctcLoss, case .float64(let g)? = c.inputs["grad_output"] else { return nil }
        let total = c.inputs.values.reduce(0) { $0 + $1.count }
        guard total <= finiteDifferenceMaxElements, let out = result.output, out.shape == g.shape else { return nil }
        let ref = targets.reference
        let outScale = result.scales["output"]
        func objective(_ v: LossCase) -> Double? {
            var v = v
            v.inputs["grad_output"] = nil
            guard let r = try? ref.evaluate(v), let o = r.output, o.shape == g.shape else { return nil }
            return CompensatedSum.sum((0..<o.count).map { g[$0] * o[$0] })
        }
        guard let f0 = objective(c), f0.isFinite else { return nil }
        let fScale = CompensatedSum.sum((0..<out.count).map { i in
            abs(g[i]) * max(abs(out[i]), outScale.map { s in s.count == out.count ? s[i] : 0 } ?? 0)
        })
        let options = try? c.decodedOptions()
        for (role, grad) in result.outputs.sorted(by: { $0.key < $1.key }) where role.hasPrefix("grad_") {
            let name = String(role.dropFirst(5))
            guard case .float64(let x)? = c.inputs[name], x.shape == grad.shape, x.count > 0 else { continue }
            let picks = Set((0..<min(4, x.count)).map { k in x.count == 1 ? 0 : k * (x.count - 1) / max(1, min(4, x.count) - 1) })
            for i in picks.sorted() {
                let theta = x[i], analytic = grad[i]
                guard theta.isFinite, analytic.isFinite else { continue }
                if c.loss == .gaussianNLLLoss, name == "var", theta <= (options?.eps ?? 1e-6) * 2 { continue }
                if c.loss == .binaryCrossEntropy, name == "input", theta <= 1e-4 || theta >= 1 - 1e-4 { continue }
                let h = 0x1p-20 * max(1, abs(theta))
                func at(_ value: Double) -> Double? {
                    var y = x
                    y[i] = value
                    var v = c
                    v.inputs[name] = .float64(y)
                    return objective(v)
                }
                guard let fp = at(theta + h), let fm = at(theta - h), fp.isFinite, fm.isFinite else { continue }
                let roundoff = 64 * 0x1p-53 * max(fScale, abs(f0)) / h
                let forward = (fp - f0) / h, backward = (f0 - fm) / h
                if abs(forward - backward) > 1e-4 * max(abs(forward), abs(backward)) + 4 * roundoff { continue }  // kink within ±h
                let central = (fp - fm) / (2 * h)
                // The Reference's own error bound for this gradient element (Docs/Tolerance.md).
                let gradScale = 16 * 0x1p-53 * max(abs(analytic), result.scales[role].map { $0.count == grad.count ? $0[i] : 0 } ?? 0)
                // Smooth at the scale of h, too: a steep region narrower than h (an eps clamp such
                // as cosine similarity's 1e-8 on a zero norm) shows as disagreeing step sizes.
                let h2 = h / 16
                guard let fp2 = at(theta + h2), let fm2 = at(theta - h2), fp2.isFinite, fm2.isFinite else { continue }
                let central2 = (fp2 - fm2) / (2 * h2)
                if abs(central2 - central) > 1e-4 * max(abs(central), abs(central2)) + 64 * roundoff { continue }
                // At a C¹ kink (SmoothL1/Huber at |d| = β) the one-sided slopes differ by O(h); an
                // error no larger than that difference is the kink's, not the gradient's.
                let error = abs(central - analytic)
                if error > 1e-5 * max(abs(central), abs(analytic)) + 8 * roundoff + gradScale, error > abs(forward - backward) {
                    return PropertyFailure(
                        property: .finiteDifference, implementation: ref.name,
                        message: "\(role)[\(i)] = \(Self.fmt(analytic)), central difference \(Self.fmt(central)) (h = \(h), one-sided \(Self.fmt(forward)) / \(Self.fmt(backward)))")
                }
            }
        }
        return nil
    }
}
