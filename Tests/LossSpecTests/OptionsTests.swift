import Foundation
import Testing
@testable import LossSpec

@Suite struct OptionsTests {
    @Test func defaultsFollowPyTorch() {
        #expect(LossOptions.defaults(for: .poissonNLLLoss).eps == 1e-8)
        #expect(LossOptions.defaults(for: .gaussianNLLLoss).eps == 1e-6)
        #expect(LossOptions.defaults(for: .tripletMarginLoss).eps == 1e-6)
        #expect(LossOptions.defaults(for: .tripletMarginLoss).margin == 1)
        #expect(LossOptions.defaults(for: .hingeEmbeddingLoss).margin == 1)
        #expect(LossOptions.defaults(for: .marginRankingLoss).margin == 0)
        #expect(LossOptions.defaults(for: .multiMarginLoss).p == 1)
        #expect(LossOptions.defaults(for: .crossEntropy).ignoreIndex == -100)
        #expect(LossOptions.defaults(for: .mseLoss).reduction == .mean)
    }

    @Test(arguments: LossKind.allCases)
    func explicitOptionsRoundTrip(kind: LossKind) throws {
        let o = LossOptions.defaults(for: kind)
        let json = o.json(for: kind)
        #expect(Set(json.keys) == Set(kind.optionNames))
        #expect(try LossOptions(kind: kind, json: json) == o)
    }

    @Test func unknownOptionIsRejectedWithTheAllowedList() {
        #expect {
            try LossOptions(kind: .mseLoss, json: ["delta": .number(1)])
        } throws: { e in
            let e = e as! LossError
            return e.kind == .invalidOption && e.argument == "delta" && e.message.contains("reduction")
        }
    }

    @Test(arguments: [
        (LossKind.mseLoss, "avg", false), (.mseLoss, "batchmean", false), (.klDiv, "batchmean", true),
        (.mseLoss, "elementwise_mean", true), (.gaussianNLLLoss, "elementwise_mean", false),
        (.multilabelSoftMarginLoss, "elementwise_mean", false), (.tripletMarginWithDistanceLoss, "elementwise_mean", false),
        (.crossEntropy, "sum", true), (.ctcLoss, "Mean", false),
    ])
    func reductionValidation(kind: LossKind, value: String, valid: Bool) {
        let result = Result { try LossOptions(kind: kind, json: ["reduction": .string(value)]) }
        switch result {
        case .success: #expect(valid)
        case .failure(let e): #expect(!valid && (e as? LossError)?.kind == .invalidReduction)
        }
    }

    @Test func wrongJSONTypesAreInvalidOptions() {
        #expect(throws: LossError.self) { try LossOptions(kind: .crossEntropy, json: ["ignore_index": .number(1.5)]) }
        #expect(throws: LossError.self) { try LossOptions(kind: .tripletMarginLoss, json: ["swap": .number(1)]) }
        #expect(throws: LossError.self) { try LossOptions(kind: .huberLoss, json: ["delta": .string("big")]) }
        #expect(throws: LossError.self) {
            try LossOptions(kind: .tripletMarginWithDistanceLoss, json: ["distance_function": .string("l3")])
        }
    }

    @Test func lossNamesParseFromFunctionalAndModuleNames() throws {
        #expect(try LossKind(name: "mse_loss") == .mseLoss)
        #expect(try LossKind(name: "CTCLoss") == .ctcLoss)
        #expect(throws: LossError.self) { try LossKind(name: "mse") }
        #expect(LossKind.allCases.count == 21)
    }
}

@Suite struct JSONDepthTests {
    /// Deep nesting is refused at once with its own error (it took seconds per line, cubic in the
    /// depth, and 511+ levels were "not valid JSON"); brackets inside strings do not count.
    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONValue.TooDeep.self) { try JSONValue.parse(Data(deep.utf8)) }
        let ok = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(throws: Never.self) { try JSONValue.parse(Data(ok.utf8)) }
        let inString = "{\"a\": \"" + String(repeating: "[{", count: 500) + "\\\"\"}"
        #expect(throws: Never.self) { try JSONValue.parse(Data(inString.utf8)) }
    }
}

@Suite struct HostileOptionTests {
    @Test func longInvalidValuesAreQuotedShort() throws {
        let long = String(repeating: "x", count: 1_000_000)
        for options: [String: JSONValue] in [["reduction": .string(long)], ["margin": .string(long)]] {
            do {
                _ = try LossOptions(kind: .marginRankingLoss, json: options)
                Issue.record("accepted")
            } catch let e as LossError {
                #expect(e.message.count < 300, "message of \(e.message.count) characters")
            }
        }
    }
}

/// int64 values went through Double: Int64.max was "not an integer" and 2^53 + 1 became 2^53.
@Suite struct ExactIntegerTests {
    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "9007199254740993", "-9007199254740995"])
    func integersBeyondDoublePrecisionRoundTrip(text: String) throws {
        let v = try JSONValue.parse(Data(text.utf8))
        #expect(v.int64Value == Int64(text)!)
        #expect(v.serialized() == text)
    }

    @Test func oneValueOneRepresentation() throws {
        // Integers a Double holds exactly stay numbers, so options compare and hash as before.
        #expect(try JSONValue.parse(Data("9007199254740992".utf8)) == .number(0x1p53))
        #expect(try JSONValue.parse(Data("3".utf8)) == .number(3))
        #expect(JSONValue(exactly: 1 << 53) == .number(0x1p53))
        #expect(JSONValue(exactly: (1 << 53) + 1) == .integer((1 << 53) + 1))
        // The sign of zero survives (an Int64 path would turn -0 into +0).
        for text in ["-0", "-0.0"] {
            guard case .number(let z) = try JSONValue.parse(Data(text.utf8)) else { Issue.record(); continue }
            #expect(z == 0 && z.sign == .minus, "\(text)")
        }
    }

    @Test(arguments: ["9223372036854775808", "1e300", "1.5", "\"nan\"", "true"])
    func nonIntegersAreRefused(text: String) throws {
        #expect(try JSONValue.parse(Data(text.utf8)).int64Value == nil)
    }

    @Test func int64TargetsAndIndicesAreExact() throws {
        let target = "9223372036854775807"
        let c = try CaseJSON.decodeCase(JSONValue.parse(Data("""
            {"loss":"nll_loss","inputs":{"input":[[0.5,0.25]],"target":{"dtype":"int64","shape":[1],"data":[\(target)]}}}
            """.utf8)))
        guard case .int64(let t)? = c.inputs["target"] else { Issue.record("target is not int64"); return }
        #expect(t.scalars == [Int64.max])
        // 2^53 + 1 and 2^53 differ: the ignore_index does not match the target.
        let o = try LossOptions(kind: .nllLoss, json: ["ignore_index": JSONValue.parse(Data("9007199254740992".utf8))])
        #expect(o.ignoreIndex == 1 << 53)
        let big = try LossOptions(kind: .nllLoss, json: ["ignore_index": JSONValue.parse(Data("9007199254740993".utf8))])
        #expect(big.ignoreIndex == (1 << 53) + 1)
        #expect(big.json(for: .nllLoss)["ignore_index"]?.serialized() == "9007199254740993")
        #expect(throws: LossError.self) {
            try CaseJSON.decodeCase(JSONValue.parse(Data("""
                {"loss":"nll_loss","inputs":{"input":[[0.5]],"target":{"dtype":"int64","shape":[1],"data":[9223372036854775808]}}}
                """.utf8)))
        }
    }
}
