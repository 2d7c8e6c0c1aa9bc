import Markup

/// A check report as JUnit XML, for CI systems: one testsuite per loss, one testcase per case and
/// implementation (classname = loss), a failure with the mismatches and the command that shows
/// the case, and unsupported cases as skipped.
public enum JUnit {
    public static func xml(_ report: CheckReport) -> String {
        let byLoss = Dictionary(grouping: report.outcomes, by: \.loss)
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
        return JUnitReport(name: "lossbench check", suites: suites).xml
    }
}
