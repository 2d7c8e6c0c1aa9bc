import Foundation
import Markup
import GoldenStore
import LossSpec
import Reference

/// One element (or structural) mismatch of one case.
public typealias Mismatch = Tolerance.Mismatch

/// What happened to one case under one implementation.
public enum CaseStatus: String, Sendable, Hashable, Codable {
    /// Every expected role matched within the budget, or the expected error kind was raised.
    case passed
    /// A mismatch: an element over the budget, a missing role, a wrong shape or error kind.
    case failed
    /// The implementation threw `Unsupported`: it does not implement this case.
    case unsupported
    /// It failed, and the implementation declares this case a known failure (with a reason).
    case expectedFailure = "expected_failure"
    /// It passed although the implementation declares it a known failure: the declaration is stale.
    case unexpectedPass = "unexpected_pass"
    /// The process running the implementation crashed, timed out or broke the protocol.
    case portError = "port_error"
    /// It gave PyTorch's result on a case that encodes a documented deviation from PyTorch, and
    /// the implementation does not follow LossBench's deviations (a port of PyTorch).
    case deviation

    /// Whether this outcome fails a check: a mismatch, an unexpected pass or a port error.
    public var isFailure: Bool { self == .failed || self == .unexpectedPass || self == .portError }
}

/// The outcome of one case under one implementation.
public struct CaseOutcome: Sendable {
    public var caseName: String
    public var loss: String
    public var implementation: String
    public var status: CaseStatus
    public var passed: Bool { status == .passed }
    /// The largest normalized error over all compared elements (0 for error cases that matched).
    public var maxError: Double
    /// Every normalized error of the case's elements, for the per-loss percentiles.
    public var errors: [Double]
    /// The first few mismatches (at most 5), structural ones first, then the worst elements.
    public var mismatches: [Mismatch]
    /// The element with the largest normalized error, passing or not (nil for error cases).
    public var worst: Mismatch?
    public var seconds: Double
}

/// Per loss and implementation: cases, failures and error statistics.
public struct LossSummary: Sendable {
    public var loss: String
    public var implementation: String
    public var cases = 0
    public var passed = 0
    public var unsupported = 0
    /// Declared known failures that failed.
    public var expectedFailures = 0
    /// Declared known failures that passed.
    public var unexpectedPasses = 0
    /// Cases the implementation's process could not answer (crash, timeout, malformed reply).
    public var portErrors = 0
    /// Cases marked as documented deviations on which it gave another result (PyTorch's).
    public var deviations = 0
    /// Cases that failed: mismatches, unexpected passes and port errors; not expected failures
    /// or deviations.
    public var failed: Int { cases - passed - unsupported - expectedFailures - deviations }
    /// The largest normalized error over the loss's cases (+inf after a structural mismatch).
    public var maxError = 0.0
    /// The 99th percentile of every compared element's normalized error.
    public var p99Error = 0.0
    /// The loss's budget for this implementation (`Implementation.budget(for:)`).
    public var budget = 0.0
}

/// Everything one `Checker.run` found: every case's outcome under every implementation, the
/// per-loss summaries, and warnings about the database itself.
public struct CheckReport: Sendable {
    /// The database's path as given, for messages and reproduction commands.
    public var database: String
    /// One per case and implementation, implementation by implementation in the order given.
    public var outcomes: [CaseOutcome]
    /// One per loss and implementation, sorted by loss name.
    public var summaries: [LossSummary]
    /// Problems with the database that do not fail the check (an edited digest).
    public var warnings: [String]
    /// Whether the check fails: a case failed, or nothing was compared at all (no case selected,
    /// or every case unsupported), since a check that compared nothing proves nothing.
    /// Unsupported cases beside compared ones are not failures.
    public var failed: Bool {
        outcomes.contains { $0.status.isFailure } || comparedNothing
    }

    /// No case passed or failed: the database (or the `losses` filter) selected none, or the
    /// implementations supported none of them.
    public var comparedNothing: Bool { !outcomes.contains { $0.status != .unsupported && $0.status != .portError } }

    /// The command that shows one case in full with the implementation it ran under.
    public func reproduce(_ c: CaseOutcome) -> String {
        Shell.command(["lossbench", "show", c.caseName, "--db", database, "--impl", c.implementation])
    }

    /// The `count` cases of one loss and implementation with the largest normalized error, worst
    /// first (error cases, which have no element to show, left out).
    public func worstCases(loss: String, implementation: String, count: Int) -> [CaseOutcome] {
        let cases = outcomes.filter { $0.loss == loss && $0.implementation == implementation && $0.worst != nil }
        return Array(cases.sorted { $0.maxError > $1.maxError }.prefix(count))
    }
}

/// Runs implementations against a golden database under the tolerance model of Docs/Tolerance.md.
public enum Checker {
    /// - Parameters:
    ///   - losses: only cases of these losses (all when empty).
    public static func run(_ file: GoldenFile, database: String, implementations: [any Implementation],
                           losses: Set<String> = []) -> CheckReport {
        var warnings: [String] = []
        if let stored = file.meta["content_sha256"], stored != GoldenDatabase.contentDigest(file.cases) {
            warnings.append("content digest differs from meta.content_sha256: the database was edited after it was written")
        }
        let cases = file.cases.filter { losses.isEmpty || losses.contains($0.loss) }
        var outcomes: [CaseOutcome] = []
        let decoded = cases.map { g in Result { try g.lossCase() } }
        let valid = decoded.compactMap { try? $0.get() }
        for impl in implementations {
            var results = evaluate(valid, with: impl).makeIterator()
            for (golden, lossCase) in zip(cases, decoded) {
                let (result, seconds) = (try? lossCase.get()) == nil ? (nil, 0) : results.next()!
                outcomes.append(judge(golden, lossCase, result, impl: impl, seconds: seconds))
            }
        }
        return CheckReport(database: database, outcomes: outcomes, summaries: summarize(outcomes, implementations),
                           warnings: warnings)
    }

    /// Every case's result and the seconds it took: timed one by one where the implementation
    /// evaluates cases singly; a batched one's total time shared out evenly, since a batch's
    /// cases are not timed apart.
    static func evaluate(_ cases: [LossCase], with impl: any Implementation) -> [(Result<LossResult, any Error>, Double)] {
        guard impl.evaluatesInBatches else {
            return parallelMap(cases) { c in
                let start = DispatchTime.now().uptimeNanoseconds
                let r = Result { try impl.evaluate(c) }
                return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let results = impl.evaluateAll(cases)
        let share = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(max(cases.count, 1))
        return results.map { ($0, share) }
    }

    /// Checks one case with one implementation.
    public static func check(_ golden: GoldenCase, with impl: any Implementation) -> CaseOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        let lossCase = Result { try golden.lossCase() }
        let result = (try? lossCase.get()).map { c in Result { try impl.evaluate(c) } }
        return judge(golden, lossCase, result, impl: impl,
                     seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// The outcome of one case from what the implementation returned, with its declared expected
    /// failures applied.
    static func judge(_ golden: GoldenCase, _ lossCase: Result<LossCase, any Error>, _ result: Result<LossResult, any Error>?,
                      impl: any Implementation, seconds: Double) -> CaseOutcome {
        var outcome = compare(golden, lossCase, result, impl: impl)
        outcome.seconds = seconds
        if let deviation = golden.deviation, outcome.status == .failed, !impl.followsDeviations {
            outcome.status = .deviation
            outcome.mismatches.insert(Mismatch(role: "deviation", element: nil, expected: "LossBench's documented result",
                                               got: deviation, normalizedError: outcome.maxError), at: 0)
            return outcome
        }
        if let reason = impl.expectedFailure(caseName: golden.name) {
            switch outcome.status {
            case .failed:
                outcome.status = .expectedFailure
                outcome.mismatches.insert(Mismatch(role: "expected failure", element: nil, expected: "a failure", got: reason,
                                                   normalizedError: outcome.maxError), at: 0)
            case .passed:
                outcome.status = .unexpectedPass
                outcome.mismatches = [Mismatch(role: "unexpected pass", element: nil, expected: "a failure (\(reason))",
                                               got: "passed", normalizedError: 0)]
            default: break
            }
        }
        return outcome
    }

    static func compare(_ golden: GoldenCase, _ decoded: Result<LossCase, any Error>, _ evaluated: Result<LossResult, any Error>?,
                        impl: any Implementation) -> CaseOutcome {
        var outcome = CaseOutcome(caseName: golden.name, loss: golden.loss, implementation: impl.name,
                                  status: .passed, maxError: 0, errors: [], mismatches: [], worst: nil, seconds: 0)
        func fail(_ m: Mismatch) {
            outcome.status = .failed
            outcome.maxError = .infinity
            outcome.mismatches.append(m)
        }
        guard let lossCase = try? decoded.get(), let evaluated else {
            fail(Mismatch(role: "loss", element: nil, expected: "a known loss", got: golden.loss, normalizedError: .infinity))
            return outcome
        }
        let result: LossResult
        do {
            result = try evaluated.get()
        } catch let p as PortFailure {
            outcome.status = .portError
            outcome.maxError = .infinity
            outcome.mismatches = [Mismatch(role: "port error", element: nil, expected: "a reply", got: p.description,
                                           normalizedError: .infinity)]
            return outcome
        } catch let u as Unsupported {
            outcome.status = .unsupported
            outcome.mismatches = [Mismatch(role: "unsupported", element: nil, expected: "a result", got: u.reason,
                                           normalizedError: .infinity)]
            return outcome
        } catch let e as LossError {
            if let expected = golden.expectError, e.kind == expected { return outcome }
            fail(Mismatch(role: "error", element: nil, expected: golden.expectError?.rawValue ?? "no error",
                          got: "\(e)", normalizedError: .infinity))
            return outcome
        } catch {
            fail(Mismatch(role: "error", element: nil, expected: golden.expectError?.rawValue ?? "no error",
                          got: "\(error)", normalizedError: .infinity))
            return outcome
        }
        if let expected = golden.expectError {
            fail(Mismatch(role: "error", element: nil, expected: expected.rawValue, got: "no error (evaluated)",
                          normalizedError: .infinity))
            return outcome
        }
        let scales = golden.scales.count == golden.expected.count ? golden.scales : derivedScales(golden, lossCase)
        let budget = impl.budget(for: lossCase.loss)
        let comparison = Tolerance.compare(expected: golden.expected, scales: scales, got: result.outputs,
                                           computeType: impl.computeType, budget: budget)
        outcome.errors = comparison.errors
        outcome.maxError = comparison.maxError
        outcome.worst = comparison.worst
        if !comparison.passed {
            outcome.status = .failed
            outcome.mismatches = Array(comparison.mismatches.prefix(5))
        }
        return outcome
    }

    /// Scales for a database written without them (Docs/GoldenDatabase.md): the Reference's, computed on the
    /// case's inputs; where the Reference cannot evaluate it, |expected| alone.
    static func derivedScales(_ golden: GoldenCase, _ c: LossCase) -> [String: Tensor<Double>] {
        var scales = golden.scales
        let reference = try? Reference.evaluate(c)
        for (role, expected) in golden.expected where scales[role] == nil {
            if let s = reference?.scales[role], s.shape == expected.shape {
                scales[role] = s
            } else {
                scales[role] = expected.map(abs)
            }
        }
        return scales
    }

    static func summarize(_ outcomes: [CaseOutcome], _ implementations: [any Implementation]) -> [LossSummary] {
        var groups: [String: [CaseOutcome]] = [:]
        var order: [String] = []
        for o in outcomes {
            let key = "\(o.loss)\u{0}\(o.implementation)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(o)
        }
        return order.sorted().map { key in
            let group = groups[key]!
            var s = LossSummary(loss: group[0].loss, implementation: group[0].implementation)
            s.cases = group.count
            s.passed = group.filter(\.passed).count
            s.unsupported = group.filter { $0.status == .unsupported }.count
            s.expectedFailures = group.filter { $0.status == .expectedFailure }.count
            s.unexpectedPasses = group.filter { $0.status == .unexpectedPass }.count
            s.portErrors = group.filter { $0.status == .portError }.count
            s.deviations = group.filter { $0.status == .deviation }.count
            let errors = group.flatMap(\.errors).sorted()
            // A documented deviation is not the implementation's error: it is left out of the maximum.
            s.maxError = group.filter { $0.status != .deviation }.map(\.maxError).max() ?? 0
            s.p99Error = errors.isEmpty ? 0 : errors[min(errors.count - 1, Int((Double(errors.count) * 0.99).rounded(.down)))]
            if let kind = LossKind(rawValue: s.loss) {
                s.budget = implementations.first { $0.name == s.implementation }?.budget(for: kind)
                    ?? Tolerance.budget(loss: kind, computeType: .float32)
            }
            return s
        }
    }
}
