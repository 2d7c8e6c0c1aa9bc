/// Escaping for XML 1.0 text and attribute values (JUnit files, SVG charts).
///
/// XML 1.0 allows only TAB, LF, CR, U+0020…U+D7FF, U+E000…U+FFFD and U+10000…U+10FFFF; any other
/// scalar (the C0 controls, U+FFFE, U+FFFF) makes a document that no parser accepts, and cannot
/// be written even as a character reference. Those become U+FFFD, the replacement character, so a
/// hostile name still yields a well-formed file and is visibly altered. The five markup characters
/// become entity references, and LF, CR and TAB character references, so they survive in
/// attribute values (a parser normalizes literal ones to spaces there).
package enum XML {
    package static func escape(_ s: String) -> String {
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&apos;"
            case "\n": r += "&#10;"
            case "\r": r += "&#13;"
            case "\t": r += "&#9;"
            default:
                r.unicodeScalars.append(isAllowed(ch) ? ch : "\u{FFFD}")
            }
        }
        return r
    }

    /// Whether XML 1.0's `Char` production admits the scalar.
    package static func isAllowed(_ ch: Unicode.Scalar) -> Bool {
        switch ch.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
