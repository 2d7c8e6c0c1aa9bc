/// Text from a database or a JSON file, made safe to print on a terminal.
///
/// Case names, notes and messages come from files other tools wrote. Printed raw, an ESC or OSC
/// sequence could recolour or retitle the terminal, move the cursor, or hide what came before
/// (CR, BEL, backspace). Every C0 control but TAB, DEL and every C1 control becomes a visible
/// `\u{XX}` escape; everything else, including non-ASCII text, is kept.
package enum Terminal {
    package static func sanitize(_ s: String) -> String {
        var r = ""
        for ch in s.unicodeScalars {
            switch ch.value {
            case 0x09, 0x20..<0x7F, 0xA0...:
                r.unicodeScalars.append(ch)
            default:
                r += "\\u{" + String(ch.value, radix: 16, uppercase: true) + "}"
            }
        }
        return r
    }

    /// `sanitize` line by line: the LFs that separate the lines are kept.
    package static func sanitizeLines(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { sanitize(String($0)) }.joined(separator: "\n")
    }
}
