import ArgumentParser
import Foundation
import LossSpec
import Reference

/// `lossbench eval`: what should my loss return here? Evaluates one case with the Reference.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate one loss with the Reference: JSON case in, JSON output and gradients out.",
        discussion: """
            The case is a JSON object:
              {"loss": "mse_loss", "options": {"reduction": "sum"},
               "inputs": {"input": [[0.5, 1], [2, -1]], "target": [[0, 1], [1, 1]],
                          "grad_output": 1}}
            A tensor is nested arrays, a bare number (0-dim), or {"dtype", "shape", "data"}; \
            non-finite values are "nan", "inf", "-inf". Give grad_output (shape of the output) \
            to get the gradients grad_<argument>. Options not given take PyTorch's defaults.
            Errors print one line, "error: <kind>: <argument>: <message>", and exit 3.
            """
    )

    @Argument(help: "A JSON file holding the case, or '-' for standard input.")
    var file: String = "-"

    @Flag(help: "Also print the error scale of every output element (design §4).")
    var scales = false

    func run() throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            fail("cannot read \(file): \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            fail("\(file == "-" ? "standard input" : file) is not valid JSON")
        }
        do {
            let c = try CaseJSON.decodeCase(json)
            let result = try Reference.evaluate(c)
            var out = CaseJSON.encodeResult(result, for: c, options: try c.decodedOptions())
            if !scales, case .object(var o) = out {
                o["scales"] = nil
                out = .object(o)
            }
            print(out.serialized())
        } catch let e as LossError {
            fail(e.description)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Eval.exit(withError: ExitStatus.unusableInput)
    }
}
