import Conformance

/// `lossbench check --json`: the whole report as one JSON object (keys of Docs/CLI.md).
struct CheckJSON: Codable, Equatable {
    var database: String
    /// No case failed.
    var passed: Bool
    /// Case runs: cases × implementations.
    var cases: Int
    var failures: [Failure]
    var losses: [Summary]
    var warnings: [String]

    /// One loss under one implementation.
    struct Summary: Codable, Equatable {
        var loss: String
        var impl: String
        var cases: Int
        var passed: Int
        var failed: Int
        var maxError: Double
        var p99Error: Double
        var budget: Double
        var unsupported = 0
        var expectedFailures = 0
        var unexpectedPasses = 0
        var portErrors = 0
        var deviations = 0

        enum CodingKeys: String, CodingKey {
            case loss, impl, cases, passed, failed, budget, unsupported, deviations
            case maxError = "max_error", p99Error = "p99_error"
            case expectedFailures = "expected_failures", unexpectedPasses = "unexpected_passes", portErrors = "port_errors"
        }
    }

    /// A failed case under one implementation.
    struct Failure: Codable, Equatable {
        var caseName: String
        var loss: String
        var impl: String
        var mismatches: [Mismatch]

        enum CodingKeys: String, CodingKey {
            case loss, impl, mismatches
            case caseName = "case"
        }
    }

    struct Mismatch: Codable, Equatable {
        var role: String
        /// Flat element index; null for a structural mismatch (missing role, shape, error kind).
        var element: Int?
        var expected: String
        var got: String
        var normalizedError: Double

        enum CodingKeys: String, CodingKey {
            case role, element, expected, got
            case normalizedError = "normalized_error"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(element, forKey: .element)  // null, not a missing key
            try c.encode(expected, forKey: .expected)
            try c.encode(got, forKey: .got)
            try c.encode(normalizedError, forKey: .normalizedError)
        }
    }
}

extension CheckJSON {
    init(_ report: CheckReport) {
        database = report.database
        passed = !report.failed
        cases = report.outcomes.count
        failures = report.outcomes.filter { $0.status.isFailure }.map { o in
            Failure(caseName: o.caseName, loss: o.loss, impl: o.implementation, mismatches: o.mismatches.map { m in
                Mismatch(role: m.role, element: m.element, expected: m.expected, got: m.got, normalizedError: m.normalizedError)
            })
        }
        losses = report.summaries.map { s in
            Summary(loss: s.loss, impl: s.implementation, cases: s.cases, passed: s.passed, failed: s.failed,
                    maxError: s.maxError, p99Error: s.p99Error, budget: s.budget, unsupported: s.unsupported,
                    expectedFailures: s.expectedFailures, unexpectedPasses: s.unexpectedPasses, portErrors: s.portErrors,
                    deviations: s.deviations)
        }
        warnings = report.warnings
    }

    static func encode(_ report: CheckReport) -> String { JSONOutput.line(CheckJSON(report)) }
}
