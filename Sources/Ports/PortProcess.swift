import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One running port: a child process spoken to in JSON lines over its standard input and output,
/// its standard error kept as a bounded tail for failure messages. Not thread-safe: the owning
/// `PortImplementation` serializes requests.
final class PortProcess: @unchecked Sendable {
    let command: [String]
    private let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let condition = NSCondition()
    private var buffer = Data()
    private var closed = false
    private var errorTail = Data()
    static let errorTailBytes = 4096

    init(command: [String]) {
        self.command = command
    }

    func start() throws {
        // A write to a port that has died must fail with EPIPE, not kill lossbench.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.condition.lock()
            if d.isEmpty { self.closed = true; h.readabilityHandler = nil } else { self.buffer.append(d) }
            self.condition.broadcast()
            self.condition.unlock()
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            if d.isEmpty { h.readabilityHandler = nil; return }
            self.condition.lock()
            self.errorTail.append(d)
            if self.errorTail.count > Self.errorTailBytes * 2 { self.errorTail = self.errorTail.suffix(Self.errorTailBytes) }
            self.condition.unlock()
        }
        try process.run()
    }

    /// The last lines the port wrote to standard error (at most 4 KiB).
    var stderrTail: String {
        condition.lock()
        defer { condition.unlock() }
        let text = String(decoding: errorTail.suffix(Self.errorTailBytes), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func send(_ line: String) throws {
        do {
            try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw PortProcessError.gone("the port's standard input is closed (\(exitDescription))")
        }
    }

    /// The next line of standard output, waiting at most `timeout` seconds.
    func receive(timeout: Double) throws -> Data {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return Data(line)
            }
            if closed {
                condition.unlock()
                process.waitUntilExit()
                condition.lock()
                throw PortProcessError.gone("the port exited (\(exitDescription)) before replying")
            }
            if !condition.wait(until: deadline) {
                throw PortProcessError.timeout("no reply within \(timeout) s")
            }
        }
    }

    var exitDescription: String {
        guard !process.isRunning else { return "still running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        let deadline = Date(timeIntervalSinceNow: 2)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
    }
}

enum PortProcessError: Error, CustomStringConvertible {
    case gone(String)
    case timeout(String)

    var reason: String {
        switch self {
        case .gone(let r), .timeout(let r): r
        }
    }

    var description: String { reason }
}
