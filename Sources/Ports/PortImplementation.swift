import Foundation
import Conformance
import LossSpec

/// An implementation in another process that speaks the port protocol (Ports/README.md):
/// `--impl port:NAME` (a manifest) or `--port NAME=COMMAND`.
///
/// One bad port never stops a run: every request has a timeout; after a crash, a timeout or a
/// malformed reply the process is restarted (at most `maximumRestarts` times) and the cases of
/// the failed batch are retried one by one, so only the case that causes the failure is reported
/// as a port error, with the tail of the port's standard error.
package final class PortImplementation: Implementation, @unchecked Sendable {
    package let name: String
    package let computeType: ComputeType
    package let handshake: Handshake
    let command: [String]
    let timeout: Double
    let expected: [ExpectedFailure]
    let budgets: [LossKind: (budget: Double, reason: String)]
    private let lock = NSLock()
    private var process: PortProcess?
    private var restarts = 0
    private var nextID: Int64 = 1
    package static let maximumRestarts = 8
    package static let batchSize = 64
    package static let protocolVersion: Int64 = 1

    /// What the port declared in its handshake.
    package struct Handshake: Sendable {
        package var name: String
        package var framework: String
        package var dtype: ComputeType
        package var device: String
        package var losses: Set<String>
        package var gradients: Bool
        /// (loss or "*", option, value or nil for every value, reason)
        package var unsupported: [(loss: String, option: String, value: JSONValue?, reason: String)]
        /// Whether it implements LossBench's documented deviations (`"deviations": true`).
        package var deviations: Bool
        /// The losses it composes from the framework's primitives (`"composed"`), having no
        /// function of the framework for them.
        package var composed: Set<String> = []
    }

    package var followsDeviations: Bool { handshake.deviations }
    package var evaluatesInBatches: Bool { true }
    package func isComposed(_ loss: LossKind) -> Bool { handshake.composed.contains(loss.rawValue) }

    /// The manifest's widened budget where it is wider than the default; a narrower one is
    /// ignored (a manifest cannot make a check stricter than the tolerance model).
    package func budget(for loss: LossKind) -> Double {
        max(Tolerance.budget(loss: loss, computeType: computeType), budgets[loss]?.budget ?? 0)
    }

    package func budgetReason(for loss: LossKind) -> String? {
        guard let b = budgets[loss], b.budget > Tolerance.budget(loss: loss, computeType: computeType) else { return nil }
        return b.reason
    }

    /// Why a port cannot be used at all (exit 3): it does not start or fails the handshake.
    package struct StartFailure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The environment variable that sets a port's intra-op threads (Ports/README.md): the
    /// Python ports read it; `bench --threads N` sets it for every port whose command does not.
    package static let threadsVariable = "LOSSBENCH_PORT_THREADS"

    /// `command` with `LOSSBENCH_PORT_THREADS=threads` in front (the command runs under
    /// /usr/bin/env, so a leading assignment is its environment), unless it sets it already.
    package static func command(_ command: [String], threads: Int) -> [String] {
        command.contains { $0.hasPrefix(threadsVariable + "=") } ? command : ["\(threadsVariable)=\(threads)"] + command
    }

    /// The threads the port was started with: what its command sets `LOSSBENCH_PORT_THREADS` to,
    /// else 1 (the ports' default).
    package var threads: Int { Self.threads(of: command) }

    /// The threads `command` sets `LOSSBENCH_PORT_THREADS` to, else 1.
    package static func threads(of command: [String]) -> Int {
        command.lazy.compactMap { a in a.hasPrefix(threadsVariable + "=") ? Int(a.dropFirst(threadsVariable.count + 1)) : nil }
            .first ?? 1
    }

    /// Starts the port and performs the handshake.
    package init(name: String, command: [String], timeout: Double = 60, expectedFailures: [ExpectedFailure] = [],
                 budgets: [PortManifest.BudgetOverride] = []) throws {
        self.command = command
        self.timeout = timeout
        self.expected = expectedFailures
        var widened: [LossKind: (Double, String)] = [:]
        for b in budgets { if let k = LossKind(rawValue: b.loss) { widened[k] = (b.budget, b.reason) } }
        self.budgets = widened
        let process = PortProcess(command: command)
        do { try process.start() } catch {
            throw StartFailure(description: "port \(name): cannot start \(command.joined(separator: " ")): \(error)")
        }
        do {
            handshake = try Self.hello(process, timeout: timeout)
        } catch {
            let tail = process.stderrTail
            process.stop()
            throw StartFailure(description: "port \(name) (\(command.joined(separator: " "))) failed the handshake: \(error)"
                               + (tail.isEmpty ? "" : "; its standard error ended with:\n\(tail)"))
        }
        self.name = name
        self.computeType = handshake.dtype
        self.process = process
    }

    deinit { process?.stop() }

    /// The least time a port gets to answer the handshake, whatever its request timeout: start-up
    /// is not a request (importing torch takes seconds, and on a busy CI machine a Python
    /// interpreter alone missed a 2 s allowance).
    static let handshakeAllowance = 60.0

    static func hello(_ p: PortProcess, timeout: Double) throws -> Handshake {
        try p.send(JSONValue.object(["op": .string("hello"), "protocol": .number(Double(protocolVersion))]).serialized())
        let line = try p.receive(timeout: max(timeout, handshakeAllowance))
        guard case .object(let o) = try JSONValue.parse(line) else { throw PortProcessError.gone("the hello reply is not a JSON object") }
        guard o["op"] == .string("hello") else { throw PortProcessError.gone("the first reply is not {\"op\": \"hello\", …}") }
        guard o["protocol"]?.int64Value == protocolVersion else {
            throw PortProcessError.gone("it speaks protocol \(o["protocol"]?.serialized() ?? "(none)"); lossbench speaks \(protocolVersion)")
        }
        guard case .string(let d)? = o["dtype"], let dtype = ComputeType(rawValue: d) else {
            throw PortProcessError.gone("dtype must be one of \(ComputeType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case .array(let ls)? = o["losses"] else { throw PortProcessError.gone("losses must be a list of loss names") }
        var unsupported: [(String, String, JSONValue?, String)] = []
        if case .array(let us)? = o["unsupported"] {
            for u in us {
                guard case .object(let e) = u, case .string(let option)? = e["option"] else {
                    throw PortProcessError.gone("each unsupported entry is {\"loss\", \"option\", \"value\"?, \"reason\"}")
                }
                let loss: String = if case .string(let l)? = e["loss"] { l } else { "*" }
                let reason: String = if case .string(let r)? = e["reason"] { r } else { "declared unsupported by the port" }
                unsupported.append((loss, option, e["value"], reason))
            }
        }
        func text(_ key: String) -> String { if case .string(let s)? = o[key] { s } else { "" } }
        var composed: Set<String> = []
        if let c = o["composed"] {
            guard case .array(let names) = c else { throw PortProcessError.gone("composed must be a list of loss names") }
            composed = Set(names.compactMap { if case .string(let s) = $0 { s } else { nil } })
        }
        return Handshake(name: text("name"), framework: text("framework"), dtype: dtype, device: text("device"),
                         losses: Set(ls.compactMap { if case .string(let s) = $0 { s } else { nil } }),
                         gradients: o["gradients"] != .bool(false), unsupported: unsupported,
                         deviations: o["deviations"] == .bool(true), composed: composed)
    }

    package func expectedFailure(caseName: String) -> String? {
        expected.first { $0.matches(caseName) }?.reason
    }

    package func evaluate(_ lossCase: LossCase) throws -> LossResult {
        try evaluateAll([lossCase])[0].get()
    }

    package func evaluateAll(_ cases: [LossCase]) -> [Result<LossResult, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        var results: [Result<LossResult, any Error>?] = cases.map(declaredUnsupported)
        let pending = results.indices.filter { results[$0] == nil }
        for start in stride(from: 0, to: pending.count, by: Self.batchSize) {
            let batch = Array(pending[start..<min(start + Self.batchSize, pending.count)])
            do {
                for (i, r) in zip(batch, try request(batch.map { cases[$0] })) { results[i] = r }
            } catch {
                // Retry one by one, so only the case that breaks the port is a port error.
                for i in batch {
                    do { results[i] = try request([cases[i]])[0] } catch { results[i] = .failure(error) }
                }
            }
        }
        return results.map { $0! }
    }

    /// A case the handshake already rules out: a loss not implemented, an option value declared
    /// unsupported, gradients from a port that returns none.
    func declaredUnsupported(_ c: LossCase) -> Result<LossResult, any Error>? {
        guard handshake.losses.contains(c.loss.rawValue) else {
            return .failure(Unsupported("\(name) does not implement \(c.loss.rawValue)"))
        }
        if c.inputs["grad_output"] != nil && !handshake.gradients {
            return .failure(Unsupported("\(name) returns no gradients"))
        }
        let options = explicitOptions(c)
        for u in handshake.unsupported where u.loss == "*" || u.loss == c.loss.rawValue {
            guard let value = options[u.option] else { continue }
            if u.value == nil || u.value == value { return .failure(Unsupported(u.reason)) }
        }
        return nil
    }

    /// The case's options as given, with PyTorch's default for every option it leaves out. The
    /// given values are sent unchanged: a deprecated spelling such as 'elementwise_mean' must
    /// reach the framework as written, not as LossBench reads it.
    func explicitOptions(_ c: LossCase) -> [String: JSONValue] {
        LossOptions.defaults(for: c.loss).json(for: c.loss).merging(c.options) { _, given in given }
    }

    /// The wire form of a case: loss, every option explicit, inputs, and the roles wanted.
    func wireCase(_ c: LossCase) -> JSONValue {
        var wanted = ["output"]
        if c.inputs["grad_output"] != nil {
            wanted += c.loss.arguments.filter { $0.isDifferentiable && c.inputs[$0.name] != nil }.map { "grad_" + $0.name }
        }
        return .object(["loss": .string(c.loss.rawValue), "options": .object(explicitOptions(c)),
                        "inputs": .object(c.inputs.mapValues(TensorWire.encode)),
                        "wanted": .array(wanted.map(JSONValue.string))])
    }

    // MARK: Timing

    /// A problem loaded into the port for timing (`load`), and the time of its first call.
    package struct Loaded: Sendable {
        package var handle: JSONValue
        /// Nanoseconds of the first call (compilation, caches), reported apart from the samples.
        package var firstCallNs: Double
    }

    /// Loads `c` into the port: it builds the inputs once and makes the first call.
    package func load(_ c: LossCase) throws -> Loaded {
        let reply = try timingRequest(["op": .string("load"), "case": wireCase(c)])
        guard let handle = reply["handle"], let first = reply["first_call_ns"]?.doubleValue else {
            throw PortFailure("malformed load reply: expected {\"handle\", \"first_call_ns\"}")
        }
        return Loaded(handle: handle, firstCallNs: first)
    }

    /// One timed call of a loaded problem, measured inside the port (with the framework's own
    /// synchronisation), in nanoseconds.
    package func run(_ loaded: Loaded) throws -> Double {
        let reply = try timingRequest(["op": .string("run"), "handle": loaded.handle, "calls": .number(1)])
        guard case .array(let ns)? = reply["ns"], let t = ns.first?.doubleValue, t > 0, t.isFinite else {
            throw PortFailure("malformed run reply: expected {\"ns\": [positive nanoseconds]}")
        }
        return t
    }

    package func unload(_ loaded: Loaded) {
        _ = try? timingRequest(["op": .string("unload"), "handle": loaded.handle])
    }

    /// A request outside `evaluate`; an `{"op": "error"}` reply (a port without timing) is `Unsupported`.
    func timingRequest(_ fields: [String: JSONValue]) throws -> [String: JSONValue] {
        lock.lock()
        defer { lock.unlock() }
        return try exchange(fields, timeout: timeout) { line, id in
            guard case .object(let o) = try JSONValue.parse(line), o["id"]?.int64Value == id else {
                throw MalformedReply(description: "malformed reply: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
            if o["op"] == .string("error") {
                let message: String = if case .string(let m)? = o["message"] { m } else { "" }
                throw Unsupported("\(name) cannot \(fields["op"]?.serialized() ?? "?"): \(message)")
            }
            return o
        }
    }

    /// One evaluate request; throws `PortFailure` when the process fails (after stopping it, so
    /// the next request restarts it).
    func request(_ cases: [LossCase]) throws -> [Result<LossResult, any Error>] {
        try exchange(["op": .string("evaluate"), "cases": .array(cases.map(wireCase))],
                     timeout: timeout * Double(max(1, cases.count)).squareRoot()) { line, id in
            try parseReply(line, id: id, count: cases.count)
        }
    }

    /// Sends one request (its `id` filled in) and hands the reply line to `handle`. On a crash,
    /// a timeout, a reply `handle` rejects, or a port that cannot be (re)started, it stops the
    /// process, so the next request restarts it, and throws `PortFailure` with the tail of the
    /// port's standard error; `Unsupported` from `handle` passes through. Callers hold `lock`.
    func exchange<T>(_ fields: [String: JSONValue], timeout: Double, _ handle: (Data, Int64) throws -> T) throws -> T {
        let process: PortProcess
        do {
            guard let running = try runningProcess() else {
                throw PortFailure("the port was restarted \(Self.maximumRestarts) times and is not started again")
            }
            process = running
        } catch let f as PortFailure {
            throw f
        } catch {
            throw PortFailure("the port could not be restarted: \(error)")
        }
        let id = nextID
        nextID += 1
        var body = fields
        body["id"] = JSONValue(exactly: id)
        do {
            try process.send(JSONValue.object(body).serialized())
            return try handle(try process.receive(timeout: timeout), id)
        } catch let u as Unsupported {
            throw u
        } catch {
            let tail = process.stderrTail
            process.stop()
            self.process = nil
            throw PortFailure((error as? PortProcessError)?.reason ?? "\(error)", stderrTail: tail)
        }
    }

    func runningProcess() throws -> PortProcess? {
        if let process { return process }
        guard restarts < Self.maximumRestarts else { return nil }
        restarts += 1
        let p = PortProcess(command: command)
        try p.start()
        do { _ = try Self.hello(p, timeout: timeout) } catch {
            p.stop()  // a restarted port that fails its handshake is not left running
            throw error
        }
        process = p
        return p
    }

    struct MalformedReply: Error, CustomStringConvertible {
        var description: String
    }

    func parseReply(_ line: Data, id: Int64, count: Int) throws -> [Result<LossResult, any Error>] {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch {
            throw MalformedReply(description: "malformed reply (not JSON): \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        guard case .object(let o) = value, o["id"]?.int64Value == id, case .array(let items)? = o["results"], items.count == count else {
            throw MalformedReply(description: "malformed reply: expected {\"op\": \"evaluate\", \"id\": \(id), \"results\": [\(count) results]}, got \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        return try items.map { item -> Result<LossResult, any Error> in
            guard case .object(let r) = item else { throw MalformedReply(description: "malformed reply: a result is not an object") }
            if case .object(let outputs)? = r["outputs"] {
                var result = LossResult()
                for (role, t) in outputs { result.outputs[role] = try TensorWire.decode(t, role: role) }
                return .success(result)
            }
            if case .object(let e)? = r["error"] {
                let message: String = if case .string(let m)? = e["message"] { m } else { "" }
                if case .string(let k)? = e["kind"], let kind = ErrorKind(rawValue: k) {
                    return .failure(LossError(kind, argument: "port", message))
                }
                return .failure(PortRaised(message: message))
            }
            if case .string(let reason)? = r["unsupported"] { return .failure(Unsupported(reason)) }
            throw MalformedReply(description: "malformed reply: a result has none of outputs, error, unsupported")
        }
    }
}

/// The port raised an error it could not map to an error kind ("unmapped").
package struct PortRaised: Error, CustomStringConvertible {
    package var message: String
    package var description: String { "unmapped error: \(message)" }
}
