import Markup

/// A check report as JUnit XML, for CI systems: one testsuite per loss, one testcase per case and
/// implementation (classname = loss), a failure with the mismatches and the command that shows
/// the case, and unsupported cases as skipped.
public enum JUnit {
    /// The whole report, or only `implementation`'s cases (one file per port, so a CI system
    /// shows each port's results apart).
    public static func xml(_ report: CheckReport, implementation: String? = nil) -> String {
        let outcomes = report.outcomes.filter { implementation == nil || $0.implementation == implementation }
        let byLoss = Dictionary(grouping: outcomes, by: \.loss)
        let suites = byLoss.keys.sorted().map { loss in
            JUnitReport.Suite(name: loss, cases: byLoss[loss]!.map { c in
                var t = JUnitReport.TestCase(className: loss, name: "\(c.caseName) [\(c.implementation)]", seconds: c.seconds)
                switch c.status {
                case .passed: break
                case .unsupported: t.skipped = c.mismatches.first?.got ?? "unsupported"
                case .expectedFailure: t.skipped = "expected failure: " + (c.mismatches.first?.got ?? "")
                case .deviation: t.skipped = "documented deviation from PyTorch: " + (c.mismatches.first?.got ?? "")
                case .failed, .unexpectedPass, .portError:
                    let repro = "reproduce: " + report.reproduce(c)
                    let first = c.mismatches.first?.description ?? "failed"
                    t.failure = (first + "; " + repro, c.mismatches.map(\.description).joined(separator: "\n") + "\n" + repro)
                }
                return t
            })
        }
        return JUnitReport(name: implementation.map { "lossbench check \($0)" } ?? "lossbench check", suites: suites).xml
    }
}
