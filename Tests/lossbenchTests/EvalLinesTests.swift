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
        // A line that is not UTF-8 is that line's error, not the batch's (it used to be exit 3).
        let binary = dir + "/binary.jsonl"
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: binary))
        #expect(exitCode(["eval", "--lines", binary]) == 0)
        #expect(exitCode(["eval", "--lines", dir + "/missing.jsonl"]) == 3)
        #expect(exitCode(["eval", "--lines", dir]) == 3)
        #expect(exitCode(["eval", dir]) == 3)
    }

    static func data(_ tensor: JSONValue) -> [Double]? {
        guard case .object(let t) = tensor, case .array(let d)? = t["data"] else { return nil }
        return d.compactMap(\.doubleValue)
    }

    static func errorKind(_ line: [String: JSONValue]) -> String? {
        guard case .object(let e)? = line["error"], case .string(let kind)? = e["kind"] else { return nil }
        return kind
    }

    /// An empty input with huge other sizes, broadcast against a higher-rank target, used to trap
    /// in `Shape.strides` (exit 132) and take a whole batch down; it is an empty case.
    @Test func hugeEmptyBroadcastEvaluatesInsteadOfTrapping() throws {
        let hostile = #"{"loss":"mse_loss","inputs":{"input":{"shape":[0,100000000000000,100000000000000],"data":[]},"target":{"shape":[5,1,1,1],"data":[1,1,1,1,1]}}}"#
        let lines = try parsedLines(hostile + "\n" + #"{"loss": "mse_loss", "options": {"reduction": "sum"}, "inputs": {"input": [1], "target": [0]}}"#)
        #expect(lines.count == 2)
        #expect(lines[0]["error"] == nil, "\(lines[0])")
        #expect(lines[1]["error"] == nil)
    }

    /// CRLF input is one case per line (it used to be read as one line), and one line that is not
    /// UTF-8 is an error in its place while the lines around it evaluate.
    @Test func crlfAndNonUTF8LinesAreHandledLineByLine() throws {
        let good = #"{"loss": "mse_loss", "options": {"reduction": "sum"}, "inputs": {"input": [1], "target": [0]}}"#
        var bytes = Data((good + "\r\n" + good + "\r\n").utf8)
        bytes.append(contentsOf: [0xC3, 0x28, 0x0D, 0x0A])  // an invalid UTF-8 sequence
        bytes.append(contentsOf: Data((good + "\r\n").utf8))
        let out = Eval.evaluateLines(bytes).split(separator: "\n").map { try? JSONValue.parse(Data($0.utf8)) }
        #expect(out.count == 4)
        guard out.count == 4, case .object(let bad)? = out[2] else { return }
        #expect(bad["error"] != nil)
        for i in [0, 1, 3] {
            guard case .object(let o)? = out[i] else { Issue.record("line \(i) is not an object"); continue }
            #expect(o["error"] == nil && o["outputs"] != nil, "line \(i): \(o)")
        }
    }
}
