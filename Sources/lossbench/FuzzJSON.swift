import Fuzzing
import LossSpec

/// `lossbench fuzz --json`: the report as one JSON object. `seed` is a string (a UInt64 does not
/// survive a JSON reader that parses numbers as doubles).
struct FuzzJSON: Codable, Equatable {
    var seed: String
    var cases: Int
    var seconds: Double
    var passed: Bool
    var repeatFailures: Int
    var losses: [Loss]
    var findings: [Finding]

    enum CodingKeys: String, CodingKey {
        case seed, cases, seconds, passed, losses, findings
        case repeatFailures = "repeat_failures"
    }

    struct Loss: Codable, Equatable {
        var loss: String
        var cases: Int
        /// Cases drawn invalid on purpose (the implementations must raise).
        var errorCases: Int
        var skippedUnsupported: Int
        var failing: Int

        enum CodingKeys: String, CodingKey {
            case loss, cases, failing
            case errorCases = "error_cases", skippedUnsupported = "skipped_unsupported"
        }
    }

    struct Finding: Codable, Equatable {
        var property: FuzzProperty
        var loss: String
        var impl: String
        var message: String
        var caseIndex: Int
        /// The shrunk case's largest argument, in elements.
        var elements: Int
        /// The shrunk case in one line.
        var caseSummary: String
        var token: String
        var reproduce: String

        enum CodingKeys: String, CodingKey {
            case property, loss, impl, message, elements, token, reproduce
            case caseIndex = "case_index", caseSummary = "case"
        }
    }
}

extension FuzzJSON {
    init(_ r: Fuzzer.Report) {
        seed = String(r.seed)
        cases = r.casesRun
        seconds = r.seconds
        passed = !r.failed
        repeatFailures = r.repeatFailures
        losses = r.perLoss.sorted { $0.key.rawValue < $1.key.rawValue }.map { loss, s in
            Loss(loss: loss.rawValue, cases: s.cases, errorCases: s.invalid, skippedUnsupported: s.skippedUnsupported,
                 failing: s.failing)
        }
        findings = r.findings.map { f in
            Finding(property: f.property, loss: f.loss.rawValue, impl: f.implementation, message: f.message,
                    caseIndex: f.caseIndex, elements: Shrinker.largestArgument(f.shrunk), caseSummary: FuzzText.summary(f.shrunk),
                    token: f.token, reproduce: "lossbench fuzz --replay \(f.token)")
        }
    }

    static func encode(_ r: Fuzzer.Report) -> String { JSONOutput.line(FuzzJSON(r)) }
}
