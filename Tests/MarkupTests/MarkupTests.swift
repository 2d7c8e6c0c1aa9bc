import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Markup

@Suite struct XMLEscapeTests {
    @Test(arguments: [
        ("a&b<c>\"d'", "a&amp;b&lt;c&gt;&quot;d&apos;"),
        ("line\nbreak\ttab\rcr", "line&#10;break&#9;tab&#13;cr"),
        ("bell\u{7}esc\u{1B}nul\u{0}", "bell\u{FFFD}esc\u{FFFD}nul\u{FFFD}"),
        ("\u{FFFE}\u{FFFF}", "\u{FFFD}\u{FFFD}"),
        ("ok \u{FFFD} 𝄞 é", "ok \u{FFFD} 𝄞 é"),
    ])
    func escapes(input: String, expected: String) {
        #expect(XML.escape(input) == expected)
    }

    /// Whatever the names hold, the document parses.
    @Test func junitWithHostileNamesIsWellFormed() throws {
        let hostile = "x\u{0}\u{1B}]0;title\u{7}\u{FFFE}\u{FFFF}<script>&\"'\r\n"
        let report = JUnitReport(name: hostile, suites: [
            .init(name: hostile, cases: [
                .init(className: hostile, name: hostile, seconds: 0.5, failure: (hostile, hostile)),
                .init(className: "c", name: "skipped", skipped: hostile),
                .init(className: "c", name: "passed"),
            ]),
        ])
        let xml = report.xml
        let doc = try XMLDocument(data: Data(xml.utf8))
        let suites = try doc.nodes(forXPath: "/testsuites/testsuite")
        #expect(suites.count == 1)
        #expect(try doc.nodes(forXPath: "//testcase").count == 3)
        #expect(try doc.nodes(forXPath: "//failure").count == 1)
        #expect(try doc.nodes(forXPath: "//skipped").count == 1)
        let root = try #require(doc.rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        #expect(root.attribute(forName: "skipped")?.stringValue == "1")
        // The markup characters survive as text, the controls are replaced.
        #expect(root.attribute(forName: "name")?.stringValue == "x\u{FFFD}\u{FFFD}]0;title\u{FFFD}\u{FFFD}\u{FFFD}<script>&\"'\r\n")
    }
}

@Suite struct ShellQuoteTests {
    @Test(arguments: [
        ("plain/name-1.0:x", "plain/name-1.0:x"),
        ("", "''"),
        ("two words", "'two words'"),
        ("it's", "'it'\\''s'"),
        ("$(rm -rf /)", "'$(rm -rf /)'"),
        ("a;b|c&d`e`", "'a;b|c&d`e`'"),
    ])
    func quotes(input: String, expected: String) {
        #expect(Shell.quote(input) == expected)
    }

    /// A quoted word comes back unchanged through a real shell.
    @Test func roundTripsThroughSh() throws {
        for word in ["it's", "$HOME", "a b", "`id`", "\\n", "x\"y"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "printf %s " + Shell.quote(word)]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            p.waitUntilExit()
            #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == word)
        }
    }
}

@Suite struct TerminalTests {
    @Test(arguments: [
        ("plain/name é 𝄞\ttab", "plain/name é 𝄞\ttab"),
        ("\u{1B}]0;pwned\u{7}", "\\u{1B}]0;pwned\\u{7}"),
        ("a\rb\u{8}c\u{7F}d\u{9B}e", "a\\u{D}b\\u{8}c\\u{7F}d\\u{9B}e"),
    ])
    func sanitizes(input: String, expected: String) {
        #expect(Terminal.sanitize(input) == expected)
    }

    @Test func linesKeepTheirSeparators() {
        #expect(Terminal.sanitizeLines("one\u{1B}[2J\ntwo\n") == "one\\u{1B}[2J\ntwo\n")
    }
}

@Suite struct MarkdownTests {
    @Test func namesCannotBreakTablesOrInjectHTML() {
        #expect(Markdown.code("mse_loss/random/000") == "`mse_loss/random/000`")
        let hostile = "a|b`c<script>alert(1)</script>\nd"
        let t = Markdown.code(hostile)
        #expect(!t.contains("<script>") && !t.contains("\n"))
        #expect(t.replacingOccurrences(of: "\\|", with: "").contains("|") == false)
        #expect(!t.replacingOccurrences(of: "\\`", with: "").contains("`"))
    }
}
