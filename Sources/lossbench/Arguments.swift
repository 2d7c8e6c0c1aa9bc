import ArgumentParser
import Foundation
import Benchmarking
import Conformance
import Fuzzing
import History
import Implementations
import Markup
import Ports
import LossSpec

// The typed command-line values of the subcommands. Each one parses strictly: an unknown name is an
// argument error (exit 64) whose message names the option, the bad value and the allowed values,
// and `--help` lists the allowed values. The types come from modules of this package, so these
// conformances are not retroactive (the compiler does not warn about them).

/// `--loss`: the functional name (`mse_loss`) or the module name (`MSELoss`); help lists the
/// functional names.
extension LossKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let kind = try? LossKind(name: argument) else { return nil }
        self = kind
    }
}

/// `--pass`: forward, or backward (the loss and every gradient in one call).
extension BenchPass: ExpressibleByArgument {}

/// `fuzz --property`.
extension FuzzProperty: ExpressibleByArgument {}

/// The suites a bench run records its measurements under (the `suite` column of the history):
/// `standard` always, `grid` with `bench --grid`, `bandwidth` with `bench --bandwidth`.
enum Suite: String, CaseIterable, Sendable, ExpressibleByArgument {
    case standard, grid, bandwidth, roofline
}

/// A built-in implementation by name (`Builtins.all`): `reference`, `fast`.
struct ImplementationName: Hashable, Sendable, ExpressibleByArgument {
    let name: String

    /// A built-in name, or `port:NAME` for the port whose manifest is `Ports/NAME.json`.
    init?(argument: String) {
        guard Builtins.named(argument) != nil || Self.portName(argument) != nil else { return nil }
        name = argument
    }

    /// NAME of `port:NAME`, or nil.
    static func portName(_ argument: String) -> String? {
        guard argument.hasPrefix("port:"), argument.count > 5 else { return nil }
        return String(argument.dropFirst(5))
    }

    var isPort: Bool { Self.portName(name) != nil }

    static let reference = ImplementationName(argument: Builtins.reference.name)!
    static let fast = ImplementationName(argument: Builtins.fast.name)!
    static var all: [ImplementationName] { Builtins.all.map { ImplementationName(argument: $0.name)! } }

    /// The built-in implementation (ports are started by `ImplementationSelection.resolve`).
    var implementation: any Implementation { Builtins.named(name)! }
    var defaultValueDescription: String { name }
    static var allValueStrings: [String] { Builtins.all.map(\.name) + ["port:NAME"] }
    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

/// An implementation name as the history records it: a built-in, or `baseline` (the plain Float32
/// sum that `bench --bandwidth` times beside the memory-bound losses).
struct RecordedImplementation: Hashable, Sendable, ExpressibleByArgument {
    let name: String

    init?(argument: String) {
        guard Self.allValueStrings.contains(argument) || ImplementationName.portName(argument) != nil else { return nil }
        name = argument
    }

    var defaultValueDescription: String { name }
    static var allValueStrings: [String] { Builtins.all.map(\.name) + ["baseline", "port:NAME"] }
    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

/// A Fast thread count, 1 to 1024.
struct ThreadCount: Hashable, Sendable, ExpressibleByArgument {
    static let range = 1...1024
    let value: Int

    init?(argument: String) {
        guard let n = Int(argument), Self.range.contains(n) else { return nil }
        value = n
    }

    init?(_ value: Int) { self.init(argument: String(value)) }

    var defaultValueDescription: String { String(value) }
}

/// A comma-separated list of values (`--impl reference,fast`, `--pass forward,backward`): every
/// element must parse as `Element`, and an empty element (`''`, `a,,b`, `a,`) or a repeated one
/// makes the whole value invalid. Spaces around an element are ignored (`'fast, reference'`).
struct CommaSeparated<Element: ExpressibleByArgument & Hashable & Sendable>: Hashable, Sendable, ExpressibleByArgument {
    let elements: [Element]

    init(_ elements: [Element]) { self.elements = elements }

    init?(argument: String) {
        var elements: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, let element = Element(argument: text), !elements.contains(element) else { return nil }
            elements.append(element)
        }
        self.elements = elements
    }

    var defaultValueDescription: String { elements.map(\.defaultValueDescription).joined(separator: ",") }
    static var allValueStrings: [String] { Element.allValueStrings }
    static var defaultCompletionKind: CompletionKind { Element.defaultCompletionKind }
}

extension Array {
    /// The elements of repeated comma-separated options (`--loss a,b --loss c`), in order; a value
    /// given twice across the repetitions is an argument error.
    func flattened<E: ExpressibleByArgument & Hashable & Sendable>(option: String) throws -> [E]
    where Element == CommaSeparated<E> {
        var out: [E] = []
        for e in flatMap(\.elements) {
            guard !out.contains(e) else {
                throw ValidationError("\(option): '\(e.defaultValueDescription)' is given more than once")
            }
            out.append(e)
        }
        return out
    }
}

// MARK: - Options shared by several subcommands

/// `--db`: the golden database (check, show, report).
struct GoldenDatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The golden database.", valueName: "file"))
    var db = "Vectors/golden.sqlite"
}

/// `--history`: the timing history database (bench, history, gate, report).
struct HistoryDatabaseOption: ParsableArguments {
    /// Where the history is when --history is not given; CI sets it so that a PostgreSQL URI with
    /// its password never appears on a command line or in a run's recorded command.
    static let environmentVariable = "LOSSBENCH_HISTORY"

    @Option(name: .customLong("history"), help: ArgumentHelp(
        "The history database: a SQLite file, or a PostgreSQL URI postgres://user@host:port/db (default: $LOSSBENCH_HISTORY, else Reports/history.sqlite).",
        valueName: "file|uri"))
    var given: String?

    /// The history to use: --history, else $LOSSBENCH_HISTORY, else the default file.
    var history: String {
        given ?? ProcessInfo.processInfo.environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? HistoryDatabase.defaultPath
    }
}

/// `--loss`: the losses to work on (check, generate, fuzz, bench, history); all 21 when not given.
struct LossSelection: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Only these losses, comma-separated or repeated (all when not given); module names such as MSELoss work too.",
        valueName: "loss,..."))
    var loss: [CommaSeparated<LossKind>] = []

    func validate() throws { _ = try losses }

    /// The losses named, in order (empty when none were).
    var losses: [LossKind] { get throws { try loss.flattened(option: "--loss") } }

    /// The losses named, or all 21.
    var selectedOrAll: [LossKind] { get throws { let l = try losses; return l.isEmpty ? LossKind.allCases : l } }
}

/// What a subcommand runs when `--impl` is not given.
protocol DefaultImplementations {
    static var defaultImplementations: [ImplementationName] { get }
}

/// `--impl`: built-in implementations by name (check, show, bench), with the subcommand's default
/// (`Default` is the subcommand).
struct ImplementationSelection<Default: DefaultImplementations>: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Implementations, comma-separated.", valueName: "impl,..."))
    var impl = CommaSeparated(Default.defaultImplementations)

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Also run an ad-hoc port: NAME=COMMAND, the command run by /bin/sh (repeatable).",
        discussion: "The command speaks the port protocol of Ports/README.md on standard input and output.",
        valueName: "name=command"))
    var port: [String] = []

    @Option(name: .long, help: ArgumentHelp("The folder of port manifests for --impl port:NAME.", valueName: "dir"))
    var portsDirectory = "Ports"

    var names: [String] { impl.elements.map(\.name) + port.map { String($0.prefix { $0 != "=" }) } }

    /// The built-in implementations (for commands that cannot run ports).
    var implementations: [any Implementation] { impl.elements.filter { !$0.isPort }.map(\.implementation) }

    var usesPorts: Bool { impl.elements.contains(where: \.isPort) || !port.isEmpty }

    func validate() throws {
        for p in port {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex, p.index(after: eq) != p.endIndex else {
                throw ValidationError("--port must be NAME=COMMAND, got '\(Terminal.sanitize(String(p.prefix(80))))'")
            }
        }
    }

    /// Starts `port:NAME` from its manifest under `directory`.
    static func startPort(_ portName: String, directory: String, command: ([String]) -> [String] = { $0 })
        throws -> (port: PortImplementation, manifest: PortManifest) {
        let m = try PortManifest.load(name: portName, directory: directory)
        let port = try PortImplementation(name: "port:" + portName, command: command(m.command), timeout: m.timeoutSeconds ?? 60,
                                          expectedFailures: m.expectedFailures ?? [], budgets: m.budgets ?? [])
        return (port, m)
    }

    /// Every selected implementation, ports started and handshaken; with `portThreads`, every
    /// port whose command does not set `LOSSBENCH_PORT_THREADS` is started with that many threads.
    /// - Throws: exit 3 with the reason when a port has no manifest, does not start or fails the handshake.
    func resolve(portThreads: Int? = nil) throws -> [any Implementation] {
        var result: [any Implementation] = []
        func command(_ c: [String]) -> [String] { portThreads.map { PortImplementation.command(c, threads: $0) } ?? c }
        do {
            for e in impl.elements {
                if let portName = ImplementationName.portName(e.name) {
                    result.append(try Self.startPort(portName, directory: portsDirectory, command: command).port)
                } else {
                    result.append(e.implementation)
                }
            }
            for p in port {
                let name = String(p.prefix { $0 != "=" }), script = String(p.drop { $0 != "=" }.dropFirst())
                result.append(try PortImplementation(name: name, command: command(["/bin/sh", "-c", script])))
            }
        } catch {
            throw CLI.unusable("\(error)")
        }
        return result
    }
}
