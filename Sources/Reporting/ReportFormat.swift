import Foundation

/// Number formatting shared by the reports and the CLI tables.
package enum ReportFormat {
    /// Three significant digits; `0`, `nan` and `inf` spelled out.
    package static func number(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return x.isNaN ? "nan" : "inf" }
        return String(format: "%.3g", x)
    }
}
