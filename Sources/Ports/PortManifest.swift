import Foundation
import Conformance
import LossSpec

/// A port configuration under `Ports/`: `Ports/NAME.json`, selected with `--impl port:NAME`.
///
/// ```json
/// {"name": "torch-f64", "command": ["/tmp/torch-venv/bin/python", "Ports/torch/port.py", "--dtype", "float64"],
///  "install": "python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch numpy",
///  "timeout_seconds": 60,
///  "expected_failures": [{"pattern": "nll_loss/edge/*", "reason": "…", "triage": "port_defect",
///                         "reproduction": "import torch; …"}],
///  "budgets": [{"loss": "multi_margin_loss", "budget": 256, "reason": "…"}]}
/// ```
/// `budgets` widens a loss's tolerance budget (never narrows it), each with its reason; reports
/// show the widened budget and the reason beside the measured errors.
/// Relative paths in `command` are resolved against the repository root (the manifest's folder's
/// parent), so a check runs from anywhere.
package struct PortManifest: Codable, Sendable {
    package var name: String
    package var command: [String]
    package var install: String?
    package var description: String?
    package var timeoutSeconds: Double?
    package var expectedFailures: [ExpectedFailure]?
    package var budgets: [BudgetOverride]?

    /// A widened budget for one loss.
    package struct BudgetOverride: Codable, Sendable, Hashable {
        package var loss: String
        package var budget: Double
        package var reason: String
    }

    enum CodingKeys: String, CodingKey {
        case name, command, install, description
        case timeoutSeconds = "timeout_seconds"
        case expectedFailures = "expected_failures"
        case budgets
    }

    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// The manifest of `port:NAME`: `DIR/NAME.json` in the `Ports` folder.
    package static func load(name: String, directory: String) throws -> PortManifest {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), !name.hasPrefix(".") else {
            throw Problem(description: "port:\(name): a port name is letters, digits, '-', '_' and '.'")
        }
        let path = directory + "/" + name + ".json"
        guard let data = FileManager.default.contents(atPath: path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw Problem(description: "port:\(name): no manifest \(path); known ports: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        do {
            var m = try JSONDecoder().decode(PortManifest.self, from: data)
            guard !m.command.isEmpty else { throw Problem(description: "\(path): command is empty") }
            for e in m.expectedFailures ?? [] where e.pattern.isEmpty || e.reason.isEmpty {
                throw Problem(description: "\(path): an expected failure needs a non-empty pattern and reason")
            }
            for b in m.budgets ?? [] {
                guard LossKind(rawValue: b.loss) != nil else {
                    throw Problem(description: "\(path): budgets: unknown loss '\(b.loss)'; known: \(LossKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard b.budget.isFinite, b.budget > 0, !b.reason.isEmpty else {
                    throw Problem(description: "\(path): budgets: \(b.loss): a budget is a positive finite number with a reason")
                }
            }
            let root = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            m.command = m.command.map { $0.hasPrefix("Ports/") ? root + "/" + $0 : $0 }
            return m
        } catch let p as Problem {
            throw p
        } catch {
            throw Problem(description: "\(path): not a port manifest: \(error)")
        }
    }
}
