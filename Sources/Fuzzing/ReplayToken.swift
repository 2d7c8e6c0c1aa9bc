import Foundation
import LossSpec

/// A compact, self-contained reproduction of a case: `lbz1.` followed by the URL-safe base64
/// (no padding) of the case's JSON (`CaseJSON`'s form: loss, options, inputs with dtype, shape
/// and data, grad_output included). It does not depend on the seed or on the drawer's code, so
/// a token stays valid when the fuzzer changes. `lossbench fuzz --replay TOKEN` re-checks it.
package enum ReplayToken {
    package static let prefix = "lbz1."

    package static func encode(_ c: LossCase) -> String {
        let json = JSONValue.object([
            "loss": .string(c.loss.rawValue),
            "options": .object(c.options),
            "inputs": .object(c.inputs.mapValues(CaseJSON.encodeTensor)),
        ]).serialized()
        let b64 = Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + b64
    }

    package struct InvalidToken: Error, CustomStringConvertible {
        package var description: String
    }

    package static func decode(_ token: String) throws -> LossCase {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(prefix) else {
            throw InvalidToken(description: "a replay token starts with '\(prefix)'")
        }
        var b64 = String(trimmed.dropFirst(prefix.count))
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64) else { throw InvalidToken(description: "the token is not valid base64") }
        do {
            return try CaseJSON.decodeCase(try JSONValue.parse(data))
        } catch {
            throw InvalidToken(description: "the token does not hold a case: \(error)")
        }
    }
}
