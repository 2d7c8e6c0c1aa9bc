import Foundation

/// A JSON value, used for the `options` column of the golden database and the `eval` command.
///
/// Non-finite numbers are written as the strings `"nan"`, `"inf"` and `"-inf"` (JSON has no
/// literal for them) and read back from those strings wherever a number is expected.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            if d.isNaN { try c.encode("nan") }
            else if d.isInfinite { try c.encode(d > 0 ? "inf" : "-inf") }
            else if d == d.rounded(), abs(d) < 9.007199254740992e15 { try c.encode(Int64(d)) }
            else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// A number, accepting the non-finite spellings `"nan"`, `"inf"`, `"-inf"`.
    public var doubleValue: Double? {
        switch self {
        case .number(let d): d
        case .string("nan"), .string("NaN"): .nan
        case .string("inf"), .string("+inf"), .string("Infinity"): .infinity
        case .string("-inf"), .string("-Infinity"): -.infinity
        default: nil
        }
    }

    /// The deepest nesting of arrays and objects `parse` accepts. A case needs a handful of levels
    /// (a tensor of rank r is r nested arrays); deeply nested input made the decoder's time grow
    /// with the cube of the depth (2.3 s for one 1 KB line 500 levels deep).
    public static let maximumDepth = 64

    /// Why `parse` refuses a document: nested deeper than `maximumDepth`.
    public struct TooDeep: Error, CustomStringConvertible, Sendable {
        public var description: String {
            "JSON nested deeper than \(JSONValue.maximumDepth) levels of arrays and objects; a loss case needs far fewer"
        }
    }

    /// Decodes JSON text (numbers as Double, `"nan"`-style strings kept as strings).
    /// - Throws: `TooDeep` past `maximumDepth` levels, before any decoding; a decoding error for
    ///   text that is not JSON.
    public static func parse(_ data: Data) throws -> JSONValue {
        var depth = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth { throw TooDeep() }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Compact JSON with sorted keys, so equal values always serialise to equal bytes.
    public func serialized() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps onto a JSON value.
        let data = (try? encoder.encode(self)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
