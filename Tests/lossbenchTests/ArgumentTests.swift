import ArgumentParser
import Foundation
import Testing
import Benchmarking
import LossSpec
@testable import lossbench

/// Typed arguments: nonsense is an argument error (exit 64), lists keep their syntax, and the help
/// lists the allowed values once, with each default once.
@Suite struct ArgumentTests {
    static let usage = ExitCode.validationFailure.rawValue
    /// Given before the options under test (so that theirs win): if parsing wrongly succeeded, the
    /// command would stop on a missing database (exit 3) or do very little, and never touch the
    /// repository's databases.
    static let harmless: [String: [String]] = [
        "bench": ["--history", "/nonexistent-dir/history.sqlite", "--no-record", "--loss", "l1_loss", "--impl", "fast",
                  "--pass", "forward", "--min-samples", "1", "--max-samples", "1", "--min-time", "0"],
        "history": ["--history", "/nonexistent-dir/history.sqlite"],
        "gate": ["--history", "/nonexistent-dir/history.sqlite"],
        "check": ["--db", "/nonexistent-dir/golden.sqlite"],
        "show": ["--db", "/nonexistent-dir/golden.sqlite"],
        "generate": ["--out", "/nonexistent-dir/golden.sqlite"],
        "fuzz": ["--cases", "1", "--max-elements", "10"],
    ]

    @Test(arguments: [
        ["history", "--pass", "sideways"],
        ["history", "--pass", ""],
        ["history", "--impl", "nope"],
        ["history", "--impl", "fast,fast"],
        ["history", "--suite", "nope"],
        ["history", "--loss", "nope"],
        ["history", "--format", "yaml"],
        ["bench", "--impl", ""],
        ["bench", "--impl", "fast,"],
        ["bench", "--impl", ",fast"],
        ["bench", "--impl", "fast,,reference"],
        ["bench", "--impl", "fast,fast"],
        ["bench", "--impl", "baseline"],
        ["bench", "--pass", ""],
        ["bench", "--pass", "forward,sideways"],
        ["bench", "--pass", "backward,backward"],
        ["bench", "--loss", "nope"],
        ["bench", "--loss", "mse_loss,"],
        ["bench", "--loss", "mse_loss", "--loss", "MSELoss"],
        ["bench", "--min-time=nan"],
        ["bench", "--min-time=inf"],
        ["bench", "--min-time=-1"],
        ["bench", "--port-settle=-0.1"],
        ["bench", "--port-settle=nan"],
        ["bench", "--port-settle", "61"],
        ["bench", "--threads", "0"],
        ["bench", "--threads=-2"],
        ["bench", "--threads", "1025"],
        ["bench", "--threads", "two"],
        ["check", "--impl", "nope"],
        ["check", "--impl", ""],
        ["check", "--loss", "nope"],
        ["check", "--loss", "mse_loss,mse_loss"],
        ["show", "x", "--impl", "nope"],
        ["show", "x", "--max-elements=-1"],
        ["generate", "--loss", "nope"],
        ["fuzz", "--loss", "nope"],
        ["fuzz", "--property", "nope"],
        ["fuzz", "--property", "differential,"],
        ["fuzz", "--threads", "1,0"],
        ["fuzz", "--threads", "1,2000"],
        ["fuzz", "--threads", "1,1"],
        ["fuzz", "--threads", ""],
        ["fuzz", "--seconds=nan"],
        ["fuzz", "--seconds=inf"],
        ["gate", "--threshold=nan"],
        ["gate", "--baseline", "sideways"],
    ])
    func nonsenseIsAnArgumentError(_ arguments: [String]) {
        let command = [arguments[0]] + Self.harmless[arguments[0], default: []] + arguments.dropFirst()
        #expect(exitCode(command) == Self.usage, "\(arguments)")
    }

    /// The harmless prefixes alone are accepted, so the 64s above come from the values under test.
    @Test func harmlessPrefixesParse() {
        for (command, prefix) in Self.harmless {
            let code = exitCode([command] + prefix + (command == "show" ? ["x"] : []))
            #expect(code == (["bench", "fuzz"].contains(command) ? 0 : 3), "\(command)")
        }
    }

    /// The message names the option, the bad value and the allowed values.
    @Test func messagesNameTheOptionTheValueAndTheAllowedValues() {
        func message(_ arguments: [String]) -> String {
            do {
                _ = try LossBench.parseAsRoot(arguments)
                return ""
            } catch {
                return LossBench.message(for: error)
            }
        }
        let pass = message(["history", "--pass", "sideways"])
        #expect(pass.contains("--pass") && pass.contains("'sideways'") && pass.contains("'forward'") && pass.contains("'backward'"))
        let impl = message(["bench", "--impl", ""])
        #expect(impl.contains("--impl") && impl.contains("''") && impl.contains("'reference'") && impl.contains("'fast'"))
        let loss = message(["check", "--loss", "nope"])
        #expect(loss.contains("--loss") && loss.contains("'nope'") && loss.contains("mse_loss") && loss.contains("triplet_margin_loss"))
        let suite = message(["history", "--suite", "nope"])
        #expect(suite.contains("--suite") && suite.contains("'standard'") && suite.contains("'bandwidth'"))
        let minTime = message(["bench", "--min-time=nan"])
        #expect(minTime.contains("--min-time") && minTime.contains("nan"))
        let settle = message(["bench", "--port-settle", "61"])
        #expect(settle.contains("--port-settle") && settle.contains("0 to 60") && settle.contains("61"))
        let threads = message(["bench", "--threads", "0"])
        #expect(threads.contains("--threads") && threads.contains("'0'"))
        let repeated = message(["check", "--loss", "mse_loss", "--loss", "mse_loss"])
        #expect(repeated.contains("--loss") && repeated.contains("'mse_loss'") && repeated.contains("more than once"))
    }

    /// Comma-separated lists and repeated `--loss` keep working; module names are loss names too.
    @Test func listsAndRepetitionsStillParse() throws {
        let check = try Check.parse(["--impl", "fast, reference", "--loss", "mse_loss,l1_loss", "--loss", "HuberLoss", "cross_entropy"])
        #expect(check.impls.names == ["fast", "reference"])
        #expect(try check.lossSelection.losses == [.mseLoss, .l1Loss, .huberLoss, .crossEntropy])
        #expect(try Check.parse([]).impls.names == ["reference"])
        #expect(try Check.parse([]).lossSelection.selectedOrAll == LossKind.allCases)
        #expect(try Show.parse(["a/b"]).impls.names == ["reference", "fast"])

        let bench = try Bench.parse(["--pass", "backward", "--impl", "reference", "--threads", "3", "--min-time", "0"])
        #expect(bench.pass.elements == [.backward] && bench.impls.names == ["reference"] && bench.threadCount == 3)
        let defaults = try Bench.parse([])
        #expect(defaults.pass.elements == [.forward, .backward] && defaults.impls.names == ["fast", "reference"])
        #expect(defaults.threads == nil && defaults.threadCount >= 1)

        let history = try HistoryTrend.parse(["--impl", "fast,baseline", "--pass", "forward", "--suite", "bandwidth"])
        #expect(history.impl?.elements.map(\.name) == ["fast", "baseline"])
        #expect(history.pass?.elements == [.forward] && history.suite == .bandwidth)

        let fuzz = try Fuzz.parse(["--threads", "1,4", "--property", "differential,error_kind", "--property", "sum_of_none"])
        #expect(fuzz.threads.elements.map(\.value) == [1, 4])
        #expect(try fuzz.properties() == [.differential, .errorKind, .sumOfNone])
        #expect(try Fuzz.parse([]).threads.elements.map(\.value) == [1, 2, 8])
    }

    static let subcommands: [any ParsableCommand.Type] = [
        Eval.self, Generate.self, Check.self, Show.self, Fuzz.self, Bench.self, HistoryTrend.self, HistoryMerge.self, GateCommand.self, Report.self,
    ]

    /// The help of a subcommand, one entry per option or argument (its continuation lines joined).
    static func entries(_ command: any ParsableCommand.Type) -> [String: String] {
        let help = LossBench.helpMessage(for: command, columns: 100)
        var entries: [String: String] = [:]
        var current: String?
        var inList = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix(":") && !line.hasPrefix(" ") { inList = line == "OPTIONS:" || line == "ARGUMENTS:"; current = nil; continue }
            guard inList, !line.isEmpty else { current = nil; continue }
            let text = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                let name = String(text.prefix { $0 != " " })
                current = name
                entries[name] = text
            } else if let current {
                entries[current]! += " " + text
            }
        }
        return entries
    }

    @Test func helpShowsEachDefaultOnceAndTheAllowedValues() {
        for command in Self.subcommands {
            let entries = Self.entries(command)
            #expect(!entries.isEmpty)
            for (name, entry) in entries {
                let defaults = entry.components(separatedBy: "default").count - 1
                #expect(defaults <= 1, "\(command._commandName) \(name): \(entry)")
            }
        }
        let check = Self.entries(Check.self), bench = Self.entries(Bench.self), history = Self.entries(HistoryTrend.self)
        #expect(check["--impl"]?.contains("(values: reference, fast, port:NAME; default: reference)") == true)
        #expect(bench["--impl"]?.contains("(values: reference, fast, port:NAME; default: fast,reference)") == true)
        #expect(Self.entries(Show.self)["--impl"]?.contains("(values: reference, fast, port:NAME; default: reference,fast)") == true)
        #expect(history["--impl"]?.contains("(values: reference, fast, baseline, port:NAME)") == true)
        #expect(bench["--pass"]?.contains("(values: forward, backward; default: forward,backward)") == true)
        #expect(history["--pass"]?.contains("(values: forward, backward)") == true)
        #expect(history["--suite"]?.contains("(values: standard, grid, bandwidth, roofline; default: standard)") == true)
        #expect(bench["--threads"]?.contains("default") == false)
        for command in [Check.self, Bench.self, HistoryTrend.self, Fuzz.self, Generate.self] as [any ParsableCommand.Type] {
            let loss = Self.entries(command)["--loss"] ?? ""
            #expect(LossKind.allCases.allSatisfy { loss.contains($0.rawValue) }, "\(command._commandName)")
        }
    }

    /// `--db`, `--history`, `--loss` and `--impl` read the same in every subcommand that has them.
    @Test func sharedOptionsReadTheSameEverywhere() {
        func same(_ option: String, _ commands: [any ParsableCommand.Type], dropDefault: Bool = false) {
            let texts = commands.map { c -> String in
                let e = Self.entries(c)[option] ?? "missing in \(c._commandName)"
                return dropDefault ? e.replacingOccurrences(of: #"; default: [^)]*\)"#, with: ")", options: .regularExpression) : e
            }
            #expect(Set(texts).count == 1, "\(option): \(texts)")
        }
        same("--db", [Check.self, Show.self, Report.self])
        same("--history", [Bench.self, HistoryTrend.self, HistoryMerge.self, GateCommand.self, Report.self])
        same("--loss", [Check.self, Generate.self, Fuzz.self, Bench.self, HistoryTrend.self])
        same("--impl", [Check.self, Show.self, Bench.self], dropDefault: true)
        #expect(Self.entries(Check.self)["--db"]?.hasPrefix("--db <file>") == true)
        #expect(Self.entries(GateCommand.self)["--baseline"]?.hasPrefix("--baseline <previous|commit:SHA|label:NAME|run:ID>") == true)
        #expect(Self.entries(Generate.self)["--seed"]?.hasPrefix("--seed <n>") == true)
        #expect(Self.entries(Bench.self)["--threads"]?.hasPrefix("--threads <n>") == true)
    }

    /// Every option and argument has a named value placeholder, not the property name.
    @Test func valuePlaceholdersAreNamed() {
        for command in Self.subcommands {
            let help = LossBench.helpMessage(for: command, columns: 300)
            for bad in ["<db>", "<history>", "<threads>", "<seed>", "<min-time>", "<max-samples>", "<baseline>", "<max-failures>"] {
                #expect(!help.contains(bad), "\(command._commandName): \(bad)")
            }
        }
    }

    @Test func versionIsPrinted() {
        do {
            _ = try LossBench.parseAsRoot(["--version"])
            Issue.record("--version did not stop parsing")
        } catch {
            #expect(LossBench.exitCode(for: error).rawValue == 0)
            #expect(LossBench.message(for: error) == LossBench.version)
        }
        #expect(LossBench.version.split(separator: ".").count == 3)
    }
}
