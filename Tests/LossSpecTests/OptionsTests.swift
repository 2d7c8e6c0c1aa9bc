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
