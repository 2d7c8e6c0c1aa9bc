import Foundation

/// JUnit XML for CI systems: one testsuite per loss, one testcase per case and implementation
/// (classname = loss), a failure message with the mismatches and the reproduction command.
public enum JUnit {
    public static func xml(_ report: CheckReport) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let total = report.outcomes.count
        let failures = report.outcomes.filter { !$0.passed }.count
        out += "<testsuites name=\"lossbench check\" tests=\"\(total)\" failures=\"\(failures)\">\n"
        let byLoss = Dictionary(grouping: report.outcomes, by: \.loss)
        for loss in byLoss.keys.sorted() {
            let cases = byLoss[loss]!
            let time = cases.reduce(0) { $0 + $1.seconds }
            out += "  <testsuite name=\"\(escape(loss))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\" time=\"\(String(format: "%.6f", time))\">\n"
            for c in cases {
                out += "    <testcase classname=\"\(escape(loss))\" name=\"\(escape(c.caseName)) [\(c.implementation)]\" time=\"\(String(format: "%.6f", c.seconds))\""
                if c.passed {
                    out += "/>\n"
                } else {
                    let detail = c.mismatches.map(describe).joined(separator: "\n")
                    let repro = "lossbench show \(c.caseName) --db \(report.database) --impl \(c.implementation)"
                    out += ">\n      <failure message=\"\(escape(c.mismatches.first.map(describe) ?? "failed")); reproduce: \(escape(repro))\">\(escape(detail + "\nreproduce: " + repro))</failure>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    public static func describe(_ m: Mismatch) -> String {
        let at = m.element.map { "\(m.role)[\($0)]" } ?? m.role
        let err = m.normalizedError.isFinite ? String(format: " (normalized error %.3g)", m.normalizedError) : ""
        return "\(at): expected \(m.expected), got \(m.got)\(err)"
    }

    static func escape(_ s: String) -> String {
        var r = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&apos;"
            case "\n": r += "&#10;"
            default:
                // XML 1.0 forbids most control characters.
                if ch.value < 0x20 && ch != "\t" { r += "?" } else { r.unicodeScalars.append(ch) }
            }
        }
        return r
    }
}
