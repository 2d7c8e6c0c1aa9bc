import Foundation

/// A JSON value, used for the `options` column of the golden database and the `eval` command.
///
/// Non-finite numbers are written as the strings `"nan"`, `"inf"` and `"-inf"` (JSON has no
/// literal for them) and read back from those strings wherever a number is expected.
///
/// Numbers are `number(Double)` whenever a Double holds them exactly, so one value has one
/// representation. An integer literal beyond ±2^53 that fits Int64 is `integer(Int64)` instead:
/// a Double would round 2^53 + 1 to 2^53 and Int64.max to 2^63, so an int64 target or index
/// would silently change or be refused as "not an integer".
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    /// An integer literal of magnitude above 2^53 that fits Int64, kept exact.
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        // Only integers a Double would round take the Int64 path; the rest decode as Double,
        // which keeps the sign of "-0" and "-0.0".
        else if let n = try? c.decode(Int64.self), n.magnitude > JSONValue.exactDoubleIntegers { self = .integer(n) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// `n` as `number` when a Double holds it exactly (|n| ≤ 2^53), else as `integer`.
    public init(exactly n: Int64) {
        self = n.magnitude <= JSONValue.exactDoubleIntegers ? .number(Double(n)) : .integer(n)
    }

    /// 2^53: every integer of at most this magnitude is a Double, exactly.
    static let exactDoubleIntegers: UInt64 = 1 << 53

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
        case .integer(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// A number, accepting the non-finite spellings `"nan"`, `"inf"`, `"-inf"`.
    public var doubleValue: Double? {
        switch self {
        case .number(let d): d
        case .integer(let n): Double(n)
        case .string("nan"), .string("NaN"): .nan
        case .string("inf"), .string("+inf"), .string("Infinity"): .infinity
        case .string("-inf"), .string("-Infinity"): -.infinity
        default: nil
        }
    }

    /// An integer exactly: an integral `number` in Int64's range, or an `integer`; nil otherwise
    /// (fractions, non-finite values, magnitudes of 2^63 and more, non-numbers).
    public var int64Value: Int64? {
        switch self {
        case .integer(let n): n
        // -2^63 is a Double and an Int64; +2^63 is a Double but not an Int64.
        case .number(let d) where d == d.rounded() && d >= -0x1p63 && d < 0x1p63: Int64(d)
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
