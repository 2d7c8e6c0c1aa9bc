import Foundation

/// A JUnit XML report, the format CI systems read test results from: `<testsuites>` holding one
/// `<testsuite>` per group, each holding `<testcase>` elements with an optional `<failure>`.
///
/// This is the one writer behind `check --junit` and `gate --junit`; every name and message goes
/// through `XML.escape`, so the file is well-formed whatever the database holds.
package struct JUnitReport: Sendable {
    package struct TestCase: Sendable {
        package var className: String
        package var name: String
        package var seconds: Double?
        /// The failure's one-line message and its full text, or nil for a passing case.
        package var failure: (message: String, detail: String)?
        /// Set for a case that did not run (JUnit's `<skipped>`), with the reason.
        package var skipped: String?

        package init(className: String, name: String, seconds: Double? = nil,
                     failure: (message: String, detail: String)? = nil, skipped: String? = nil) {
            self.className = className
            self.name = name
            self.seconds = seconds
            self.failure = failure
            self.skipped = skipped
        }
    }

    package struct Suite: Sendable {
        package var name: String
        package var cases: [TestCase]
        package init(name: String, cases: [TestCase]) {
            self.name = name
            self.cases = cases
        }
    }

    package var name: String
    package var suites: [Suite]

    package init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    package var xml: String {
        func counts(_ cases: [TestCase]) -> String {
            "tests=\"\(cases.count)\" failures=\"\(cases.filter { $0.failure != nil }.count)\" "
                + "skipped=\"\(cases.filter { $0.skipped != nil }.count)\""
        }
        func time(_ s: Double) -> String { String(format: "%.6f", s) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(XML.escape(name))\" \(counts(suites.flatMap(\.cases)))>\n"
        for suite in suites {
            let seconds = suite.cases.compactMap(\.seconds)
            let suiteTime = seconds.isEmpty ? "" : " time=\"\(time(seconds.reduce(0, +)))\""
            out += "  <testsuite name=\"\(XML.escape(suite.name))\" \(counts(suite.cases))\(suiteTime)>\n"
            for c in suite.cases {
                out += "    <testcase classname=\"\(XML.escape(c.className))\" name=\"\(XML.escape(c.name))\""
                if let s = c.seconds { out += " time=\"\(time(s))\"" }
                if let f = c.failure {
                    out += ">\n      <failure message=\"\(XML.escape(f.message))\">\(XML.escape(f.detail))</failure>\n    </testcase>\n"
                } else if let reason = c.skipped {
                    out += ">\n      <skipped message=\"\(XML.escape(reason))\"/>\n    </testcase>\n"
                } else {
                    out += "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
