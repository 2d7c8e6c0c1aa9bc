import ArgumentParser
import Foundation
import Markup
import GoldenStore
import LossSpec
import Conformance
import Implementations
import Fuzzing
import Benchmarking

/// `lossbench show`: one case in full, with what each implementation returns for it.
struct Show: ParsableCommand, DefaultImplementations {
    static var defaultImplementations: [ImplementationName] { ImplementationName.all }

    static let configuration = CommandConfiguration(
        abstract: "Print one golden case: options, inputs, expected outputs, and each implementation's result.",
        discussion: "Exit codes: 0 shown; 3 unusable database or no case of that name."
    )

    @Argument(help: ArgumentHelp("The case name, e.g. mse_loss/random/shapes/000.", valueName: "case"))
    var name: String

    @OptionGroup var goldenDatabase: GoldenDatabaseOption
    @OptionGroup var impls: ImplementationSelection<Show>

    @Option(name: .long, help: ArgumentHelp("Print at most this many elements per tensor.", valueName: "n"))
    var maxElements = 64

    func validate() throws {
        guard maxElements >= 0 else { throw ValidationError("--max-elements must be 0 or more, got \(maxElements)") }
    }

    func run() throws {
        let db = goldenDatabase.db
        let file = try CLI.readDatabase(db)
        guard let c = file.cases.first(where: { $0.name == name }) else {
            let near = file.cases.map(\.name).filter { $0.hasPrefix(name.split(separator: "/").first.map(String.init) ?? name) }
            throw CLI.unusable("no case named '\(name)' in \(db)" + (near.isEmpty ? "" : "; e.g. \(near.prefix(3).joined(separator: ", "))"))
        }
        var out = "case     \(c.name)\nloss     \(c.loss)\nfamily   \(c.family.rawValue)\n"
        out += "seed     \(c.seed.map(String.init) ?? "-")\n"
        out += "options  \(JSONValue.object(c.options).serialized())\n"
        if let e = c.expectError { out += "expects  error \(e.rawValue)\n" }
        if let n = c.note { out += "note     \(n)\n" }
        out += "\ninputs\n"
        for (role, t) in c.inputs.sorted(by: { $0.key < $1.key }) {
            switch t {
            case .float64(let x): out += "  \(role) float64 \(x.shape) \(render(x.scalars))\n"
            case .int64(let x): out += "  \(role) int64 \(x.shape) \(render(x.scalars.map(Double.init)))\n"
            }
        }
        if !c.expected.isEmpty {
            out += "\nexpected\n"
            for (role, t) in c.expected.sorted(by: { $0.key < $1.key }) {
                out += "  \(role) \(t.shape) \(render(t.scalars))\n"
                if let s = c.scales[role] { out += "  \(String(repeating: " ", count: role.count)) scale \(render(s.scalars))\n" }
            }
        }
        for implementation in try impls.resolve() {
            let outcome = Checker.check(c, with: implementation)
            out += "\n\(implementation.name): \(outcome.passed ? "PASS" : "FAIL")"
            out += outcome.errors.isEmpty ? "\n" : "  (max normalized error \(CLI.number(outcome.maxError)))\n"
            if let lossCase = try? c.lossCase() {
                do {
                    let r = try implementation.evaluate(lossCase)
                    for (role, t) in r.outputs.sorted(by: { $0.key < $1.key }) {
                        out += "  \(role) \(t.shape) \(render(t.scalars))\n"
                    }
                } catch {
                    out += "  raised \(error)\n"
                }
            }
            for m in outcome.mismatches { out += "  mismatch \(m.description)\n" }
        }
        print(Terminal.sanitizeLines(out), terminator: "")
    }

    func render(_ xs: [Double]) -> String {
        let shown = xs.prefix(maxElements).map { $0.isNaN ? "nan" : "\($0)" }
        return "[" + shown.joined(separator: ", ") + (xs.count > maxElements ? ", … (\(xs.count) elements)" : "") + "]"
    }
}
