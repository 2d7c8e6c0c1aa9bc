import Foundation

/// How the `--json` outputs (check, bench, history, fuzz) are written: compact JSON, keys sorted
/// (`.sortedKeys`, so equal values always give equal bytes and the key order never depends on a
/// dictionary), slashes unescaped, and the non-finite numbers JSON has no literal for written as
/// the strings "nan", "inf" and "-inf", as everywhere in LossBench (`JSONValue`). Numbers with an
/// integral value print without a fraction (`16`, not `16.0`). Optional fields of the output types
/// encode `null` explicitly rather than dropping their key, so every line has the same keys.
enum JSONOutput {
    static let nonFinite = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positiveInfinity, negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return encoder
    }

    /// The decoder that reads these outputs back (tests, tools written in Swift).
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positiveInfinity, negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return decoder
    }

    /// One value as one line of JSON (without the newline).
    static func line<T: Encodable>(_ value: T) -> String {
        // The output types hold only strings, numbers, booleans, optionals and arrays of them, and
        // non-finite numbers have a spelling, so encoding cannot fail.
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("encoding \(T.self) failed: \(error)")
        }
    }
}
