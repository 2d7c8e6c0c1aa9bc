import ArgumentParser
import Foundation
import LossSpec
import Reference

/// `lossbench eval`: what should my loss return here? Evaluates one case with the Reference, or,
/// with `--lines`, a stream of cases (one process for thousands of cases, as Tools/ scripts need).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate losses with the Reference: JSON case in, JSON output and gradients out.",
        discussion: """
            The case is a JSON object:
              {"loss": "mse_loss", "options": {"reduction": "sum"},
               "inputs": {"input": [[0.5, 1], [2, -1]], "target": [[0, 1], [1, 1]],
                          "grad_output": 1}}
            A tensor is nested arrays, a bare number (0-dim), or {"dtype", "shape", "data"}; \
            non-finite values are "nan", "inf", "-inf". Give grad_output (shape of the output) \
            to get the gradients grad_<argument>. Options not given take PyTorch's defaults.
            Errors print one line, "error: <kind>: <argument>: <message>", and exit 3.

            With --lines the input is JSON Lines: one case object per line (blank lines are \
            skipped). Each case prints one line, in input order: the result (always with \
            scales), or {"error": {"kind": ..., "argument": ..., "message": ...}} when the case \
            raises or is not a valid case. Exit 0 unless the input cannot be read (exit 3).
            """
    )

    @Argument(help: "A JSON file holding the case (JSON Lines with --lines), or '-' for standard input.")
    var file: String = "-"

    @Flag(help: "Also print the error scale of every output element (Docs/Tolerance.md). Implied by --lines.")
    var scales = false

    @Flag(help: "Read JSON Lines, one case per line, and print one JSON result per line.")
    var lines = false

    func run() throws {
        if lines {
            // Streamed: each result is written as soon as its line is read and evaluated, so
            // results before a line that brings the process down are not lost. A line that is not
            // UTF-8 or not JSON is that case's error line; only an unreadable input is exit 3.
            let handle: FileHandle
            if file == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let h = FileHandle(forReadingAtPath: file), !isDirectory(file) else {
                    throw fail("cannot read \(file): \(isDirectory(file) ? "it is a directory" : "no readable file there")")
                }
                handle = h
            }
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    Self.evaluateLine(pending[pending.startIndex..<newline]) { FileHandle.standardOutput.write(Data($0.utf8)) }
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            Self.evaluateLine(pending) { FileHandle.standardOutput.write(Data($0.utf8)) }
            return
        }
        let data = try readInput()
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch let e as JSONValue.TooDeep {
            throw fail("\(inputName): \(e)")
        } catch {
            throw fail("\(inputName) is not valid JSON")
        }
        do {
            print(try Self.evaluate(json, scales: scales).serialized())
        } catch let e as LossError {
            throw fail(e.description)
        }
    }

    /// Batch mode: one output line per non-blank input line, in order. A per-case failure is data
    /// (an error line), never a reason to stop, so one bad case cannot hide the others' results.
    ///
    /// Lines end at LF bytes; a CR before the LF (CRLF input) is part of the line ending. Lines are
    /// split as bytes, before any decoding, so one line that is not UTF-8 is that line's error.
    static func evaluateLines(_ text: String) -> String {
        evaluateLines(Data(text.utf8))
    }

    static func evaluateLines(_ data: Data) -> String {
        var out = ""
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            evaluateLine(line) { out += $0 }
        }
        return out
    }

    /// One input line (without its LF) to one output line, or nothing for a blank line.
    static func evaluateLine(_ bytes: Data, emit: (String) -> Void) {
        guard let text = String(data: bytes, encoding: .utf8) else {
            emit(errorLine(LossError(.invalidOption, argument: "case", "this line is not UTF-8 text")).serialized() + "\n")
            return
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return }
        let result: JSONValue
        do {
            let json = try JSONValue.parse(Data(trimmed.utf8))
            result = try evaluate(json, scales: true)
        } catch let e as LossError {
            result = errorLine(e)
        } catch let e as JSONValue.TooDeep {
            result = errorLine(LossError(.invalidOption, argument: "case", "\(e)"))
        } catch {
            result = errorLine(LossError(.invalidOption, argument: "case", "this line is not valid JSON"))
        }
        emit(result.serialized() + "\n")
    }

    static func evaluate(_ json: JSONValue, scales: Bool) throws -> JSONValue {
        let c = try CaseJSON.decodeCase(json)
        let result = try Reference.evaluate(c)
        var out = CaseJSON.encodeResult(result, for: c, options: try c.decodedOptions())
        if !scales, case .object(var o) = out {
            o["scales"] = nil
            out = .object(o)
        }
        return out
    }

    static func errorLine(_ e: LossError) -> JSONValue {
        .object(["error": .object([
            "kind": .string(e.kind.rawValue), "argument": .string(e.argument), "message": .string(e.message),
        ])])
    }

    private var inputName: String { file == "-" ? "standard input" : file }

    private func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    private func readInput() throws -> Data {
        if file != "-", isDirectory(file) { throw fail("cannot read \(file): it is a directory") }
        do {
            return file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw fail("cannot read \(file): \(error.localizedDescription)")
        }
    }

    /// Reports on standard error and returns the exit code to throw (3, unusable input).
    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitStatus.unusableInput
    }
}
