import ArgumentParser
import Foundation
import Reporting
import GoldenStore
import LossSpec
import FastDispatch

/// Helpers shared by the subcommands: messages on stderr, exit code 3 for unusable input,
/// plain-text tables.
enum CLI {
    /// Which build of Fast's kernels ran, for every command whose output includes Fast.
    static var fastBuildLine: String {
        let kernels = FastDispatch.current
        let chosen = FastDispatch.requested == nil ? "the fastest this CPU runs" : "from \(FastDispatch.environmentVariable)"
        let routed = kernels.routing.map { routing in
            routing.losses.isEmpty ? ", every loss on the \(routing.otherwise.rawValue) build's code"
                : " for " + routing.losses.map(\.rawValue).sorted().joined(separator: ", ")
                    + ", the \(routing.otherwise.rawValue) build's for the other losses"
        } ?? ""
        return "fast: the \(kernels.isa.rawValue) build of its kernels\(routed) (\(chosen); this CPU runs "
            + FastDispatch.runnable.map(\.rawValue).joined(separator: ", ") + ")"
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Stops with exit code 3 (Docs/CLI.md) and a one-line message.
    static func unusable(_ message: String) -> ExitCode {
        printError(message)
        return ExitStatus.unusableInput
    }

    static func readDatabase(_ path: String) throws -> GoldenFile {
        do {
            return try GoldenDatabase.read(path)
        } catch {
            throw unusable("\(error)")
        }
    }

    /// Writes text to a file (atomically) or stdout for "-". An existing target that is not a
    /// regular file (a device, FIFO, directory or symbolic link) is refused with exit 3: the
    /// atomic rename would replace it (`OutputFile`). Use "-" for standard output.
    static func write(_ text: String, to path: String) throws {
        if path == "-" {
            print(text, terminator: "")
            return
        }
        if let refusal = OutputFile.refusal(path) { throw unusable(refusal) }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw unusable("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// A left/right aligned plain-text table.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n") + "\n"
    }

    static func number(_ x: Double) -> String { ReportFormat.number(x) }
}
