import Foundation
import GoldenStore
import Generator
import Conformance
import LossSpec

/// Differential and property fuzzing (Docs/CLI.md `fuzz`).
///
/// Case i of a run is drawn from its own RNG, seeded from (seed, i) alone, for the loss
/// `losses[i % losses.count]`: the case sequence is fixed by the seed; a `--seconds` budget only
/// decides how far along it a run gets (checked between cases). Every property failure is shrunk
/// (the first per loss and property; later ones are counted) and reported with a replay token.
package struct Fuzzer: Sendable {
    package struct Configuration: Sendable {
        package var seed: UInt64 = 1
        /// Stop after this many cases (nil: only the time budget stops the run).
        package var cases: Int? = 500
        /// Stop starting new cases after this many seconds.
        package var seconds: Double? = nil
        package var losses: [LossKind] = LossKind.allCases
        package var properties: Set<FuzzProperty> = Set(FuzzProperty.allCases)
        package var maxElements = 70_000
        package var shrink = true
        package var maxShrinkEvaluations = 4000
        package init() {}
    }

    package struct Finding: Sendable {
        package var property: FuzzProperty
        package var loss: LossKind
        package var implementation: String
        /// The message of the shrunk case's failure.
        package var message: String
        /// Index of the case in the run's sequence.
        package var caseIndex: Int
        package var original: LossCase
        package var shrunk: LossCase
        package var shrinkEvaluations: Int
        package var token: String { ReplayToken.encode(shrunk) }
    }

    package struct LossStats: Sendable {
        package var cases = 0
        /// Cases the Reference rejected (error-kind cases).
        package var invalid = 0
        /// Cases the candidate reported `Unsupported` (their properties skipped).
        package var skippedUnsupported = 0
        /// Cases that failed any property.
        package var failing = 0
    }

    package struct Report: Sendable {
        package var seed: UInt64
        package var casesRun = 0
        package var perLoss: [LossKind: LossStats] = [:]
        package var findings: [Finding] = []
        /// Failing cases beyond the first per (loss, property), not shrunk.
        package var repeatFailures = 0
        package var seconds = 0.0
        package var stoppedByTime = false
        package var failed: Bool { !findings.isEmpty }
    }

    package var configuration: Configuration
    package var targets: FuzzTargets

    package init(_ configuration: Configuration = .init(), targets: FuzzTargets = .standard) {
        self.configuration = configuration
        self.targets = targets
    }

    var checker: PropertyChecker { PropertyChecker(targets: targets, properties: configuration.properties) }

    /// The seed of case `index`'s RNG: a function of the run's seed and the index only.
    package static func caseSeed(_ seed: UInt64, index: Int) -> UInt64 {
        var rng = SeededRNG(seed: seed ^ fnv1a("fuzz/\(index)"))
        return rng.next()
    }

    /// Case `index` of the run with this configuration's seed (for `--replay` by index and tests).
    package func drawCase(_ index: Int) -> LossCase {
        let losses = configuration.losses.isEmpty ? LossKind.allCases : configuration.losses
        var rng = SeededRNG(seed: Self.caseSeed(configuration.seed, index: index))
        return FuzzCaseDrawer(maxElements: configuration.maxElements).draw(losses[index % losses.count], &rng)
    }

    /// Runs the fuzz loop. `progress` is called after every case with the report so far.
    package func run(progress: (Report, Int) -> Void = { _, _ in }) -> Report {
        let start = Date()
        var report = Report(seed: configuration.seed)
        var seen = Set<String>()
        let checker = self.checker
        var index = 0
        while true {
            if let n = configuration.cases, index >= n { break }
            if let s = configuration.seconds, Date().timeIntervalSince(start) >= s {
                report.stoppedByTime = true
                break
            }
            let c = drawCase(index)
            let verdict = checker.check(c)
            var stats = report.perLoss[c.loss, default: LossStats()]
            stats.cases += 1
            if verdict.invalid { stats.invalid += 1 }
            if verdict.candidateUnsupported { stats.skippedUnsupported += 1 }
            if !verdict.failures.isEmpty { stats.failing += 1 }
            report.perLoss[c.loss] = stats
            var properties = Set<FuzzProperty>()
            for failure in verdict.failures where properties.insert(failure.property).inserted {
                let key = "\(c.loss.rawValue)/\(failure.property.rawValue)"
                guard seen.insert(key).inserted else { report.repeatFailures += 1; continue }
                report.findings.append(finding(c, failure, index: index))
            }
            index += 1
            report.casesRun = index
            report.seconds = Date().timeIntervalSince(start)
            progress(report, index)
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Shrinks one failure into a finding.
    package func finding(_ c: LossCase, _ failure: PropertyFailure, index: Int) -> Finding {
        var shrunk = c, evaluations = 0, message = failure.message, implementation = failure.implementation
        if configuration.shrink {
            let checker = self.checker
            let p = failure.property
            (shrunk, evaluations) = Shrinker(reference: targets.reference, maxEvaluations: configuration.maxShrinkEvaluations)
                .shrink(c) { checker.check($0, only: [p]).failures.contains { $0.property == p } }
            if let f = checker.check(shrunk, only: [p]).failures.first(where: { $0.property == p }) {
                message = f.message
                implementation = f.implementation
            }
        }
        return Finding(property: failure.property, loss: c.loss, implementation: implementation, message: message,
                       caseIndex: index, original: c, shrunk: shrunk, shrinkEvaluations: evaluations)
    }

    /// Re-checks one case (`--replay`).
    package func replay(_ c: LossCase) -> CaseVerdict { checker.check(c) }

    // MARK: Regression cases

    /// The finding's shrunk case as a golden `regression` case with the Reference's expected
    /// values (or its error kind): options made explicit, name derived from the content.
    package static func regressionCase(_ f: Finding, reference: any Implementation = ReferenceImplementation()) throws -> GoldenCase {
        var c = f.shrunk
        var options = LossOptions.defaults(for: c.loss).json(for: c.loss)
        options.merge(c.options) { _, given in given }
        if let canonical = try? LossOptions(kind: c.loss, json: options).json(for: c.loss) { options = canonical }
        c.options = options
        let token = ReplayToken.encode(c)
        var digest = SHA256()
        digest.update(token)
        let name = "\(c.loss.rawValue)/regression/fuzz-\(f.property.rawValue)/\(digest.finalizeHex().prefix(12))"
        let note = "fuzz seed case \(f.caseIndex), property \(f.property.rawValue) (\(f.implementation)): \(f.message)"
        do {
            let r = try reference.evaluate(c)
            var inputs = c.inputs
            if inputs["grad_output"] == nil, let out = r.output {
                inputs["grad_output"] = .float64(Tensor(repeating: 1, shape: out.shape))
                return try regressionCase(Finding(property: f.property, loss: f.loss, implementation: f.implementation,
                                                  message: f.message, caseIndex: f.caseIndex, original: f.original,
                                                  shrunk: LossCase(loss: c.loss, options: options, inputs: inputs),
                                                  shrinkEvaluations: f.shrinkEvaluations), reference: reference)
            }
            return GoldenCase(name: name, loss: c.loss.rawValue, options: options, family: .regression, seed: nil,
                              expectError: nil, note: note, inputs: inputs, expected: r.outputs, scales: r.scales)
        } catch let e as LossError {
            c.inputs["grad_output"] = nil
            return GoldenCase(name: name, loss: c.loss.rawValue, options: options, family: .regression, seed: nil,
                              expectError: e.kind, note: note, inputs: c.inputs)
        }
    }
}
