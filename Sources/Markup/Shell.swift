import Foundation

/// Quoting for command lines that reports print for a person to paste into a POSIX shell.
package enum Shell {
    /// `s` as one shell word: unchanged when it holds only characters no shell treats specially,
    /// otherwise in single quotes, with each `'` written as `'\''`.
    package static func quote(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { ch in
            switch ch {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", "@", "%", "+", ",", "=": true
            default: false
            }
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line from words, each quoted as needed.
    package static func command(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
