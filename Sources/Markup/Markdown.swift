/// Text from a database inside the Markdown reports (table cells, code spans).
///
/// A case or loss name could hold `|` (which splits a table row), a backtick (which ends a code
/// span), a newline (which ends the table), or raw HTML such as `<script>` that renderers pass
/// through. Names go through `code` or `text` before they reach a report.
package enum Markdown {
    /// Plain text safe in a table cell: HTML-significant characters as entities, the Markdown
    /// punctuation that opens markup inside a line (backslash, backtick, `*`, brackets)
    /// backslash-escaped (`_` is left as it is: GitHub does not emphasize inside a word, and loss
    /// names are full of them), line breaks and other controls as spaces.
    package static func text(_ s: String) -> String {
        var r = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "|": r += "\\|"
            case "\\", "`", "*", "[", "]": r += "\\" + String(ch)
            default:
                if ch.value < 0x20 || ch.value == 0x7F || (0x80..<0xA0).contains(ch.value) { r += " " } else { r.unicodeScalars.append(ch) }
            }
        }
        return r
    }

    /// A code span for a name: `` `name` `` when it holds nothing that breaks out of one (the names
    /// LossBench writes), else the name as escaped `text`.
    package static func code(_ s: String) -> String {
        let safe = !s.isEmpty && s.unicodeScalars.allSatisfy { ch in
            ch.value >= 0x20 && ch.value != 0x7F && !"`|<>&\\".unicodeScalars.contains(ch)
        }
        return safe ? "`" + s + "`" : text(s)
    }
}
