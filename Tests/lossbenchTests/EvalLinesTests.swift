import Foundation
import Testing
import LossSpec
@testable import lossbench

/// `eval --lines`: the batch protocol Tools/torch_compare.py relies on.
@Suite struct EvalLinesTests {
    func parsedLines(_ text: String) throws -> [[String: JSONValue]] {
        try Eval.evaluateLines(text).split(separator: "\n").map { line in
            guard case .object(let o) = try JSONValue.parse(Data(line.utf8)) else {
                Issue.record("not an object: \(line)")
                return [:]
            }
            return o
        }
    }

    @Test func oneResultPerCaseInOrderWithErrorsInPlace() throws {
        let text = """
            {"loss": "mse_loss", "options": {"reduction": "sum"}, "inputs": {"input": [1, 2], "target": [0, 0], "grad_output": 2}}
            not json

            {"loss": "mse_loss", "options": {"reduction": "avg"}, "inputs": {"input": [1], "target": [0]}}
            {"loss": "mse_loss", "inputs": {"input": [1, 2, 3], "target": [0, 0]}}
            """
        let lines = try parsedLines(text)
        // The blank line is skipped; every other line gives exactly one result, in order.
        #expect(lines.count == 4)

        // (1−0)² + (2−0)² = 5; grad_input = 2·d·g = [4, 8]; scales are always present.
        guard case .object(let outputs)? = lines[0]["outputs"], case .object(let scales)? = lines[0]["scales"] else {
            Issue.record("first line has no outputs/scales: \(lines[0])")
            return
        }
        #expect(outputs["output"].flatMap(Self.data) == [5])
        #expect(outputs["grad_input"].flatMap(Self.data) == [4, 8])
        #expect(outputs["grad_target"].flatMap(Self.data) == [-4, -8])
        #expect(scales["output"] != nil && scales["grad_input"] != nil)

        #expect(Self.errorKind(lines[1]) == "invalid_option")
        #expect(Self.errorKind(lines[2]) == "invalid_reduction")
        #expect(Self.errorKind(lines[3]) == "shape_mismatch")
    }

    @Test func unreadableInputIsExitThreeButBadLinesAreNot() throws {
        let dir = scratchDirectory()
        let good = dir + "/cases.jsonl"
        try Data("{\"loss\": \"mse_loss\", \"inputs\": {\"input\": 1, \"target\": 0}}\nnope\n".utf8)
            .write(to: URL(fileURLWithPath: good))
        #expect(exitCode(["eval", "--lines", good]) == 0)
        let binary = dir + "/binary.jsonl"
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: binary))
        #expect(exitCode(["eval", "--lines", binary]) == 3)
        #expect(exitCode(["eval", "--lines", dir + "/missing.jsonl"]) == 3)
    }

    static func data(_ tensor: JSONValue) -> [Double]? {
        guard case .object(let t) = tensor, case .array(let d)? = t["data"] else { return nil }
        return d.compactMap(\.doubleValue)
    }

    static func errorKind(_ line: [String: JSONValue]) -> String? {
        guard case .object(let e)? = line["error"], case .string(let kind)? = e["kind"] else { return nil }
        return kind
    }
}
