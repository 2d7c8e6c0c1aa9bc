import LossSpec
import Reference

/// The arithmetic an implementation computes in, which fixes the tolerance it is judged by.
///
/// The golden vectors are Double; an implementation in a narrower type is compared with them in
/// units of its own unit roundoff (see `Tolerance`), and may overflow to ±inf where the exact value
/// lies beyond its largest finite number.
public enum ComputeType: String, Sendable, Hashable, Codable, CaseIterable {
    case float64, float32, float16, bfloat16

    /// The unit roundoff u = 2^−p of round-to-nearest with p significand bits.
    public var unitRoundoff: Double {
        switch self {
        case .float64: 0x1p-53
        case .float32: 0x1p-24
        case .float16: 0x1p-11
        case .bfloat16: 0x1p-8
        }
    }

    /// The smallest positive normal number: the floor of the tolerance's denominator, so results
    /// that underflow into the subnormals are judged on an absolute scale.
    public var leastNormalMagnitude: Double {
        switch self {
        case .float64: Double.leastNormalMagnitude
        case .float32, .bfloat16: 0x1p-126
        case .float16: 0x1p-14
        }
    }

    /// The smallest magnitude that rounds to infinity under round-to-nearest: the largest finite
    /// number plus half an ulp of it, (2 − u)·2^emax. An exact value at or beyond it *must* come
    /// out as ±inf in this type, so that result is correct, not an error.
    public var overflowThreshold: Double {
        switch self {
        case .float64: Double.infinity
        case .float32: 0x1p128 - 0x1p103
        case .float16: 65520
        case .bfloat16: 0x1p128 - 0x1p119
        }
    }
}

/// An implementation of the losses under test: a built-in one, a port in another framework, or a
/// Swift user's own code.
///
/// `evaluate` receives a case exactly as the golden database states it (every option explicit,
/// Float32-exact inputs, `grad_output` among the inputs when gradients are wanted) and returns the
/// roles it computes: `output`, and `grad_<argument>` for each differentiable argument when
/// `grad_output` is given. It signals invalid input by throwing `LossError` with the error kind the
/// case expects, and a case it does not implement at all by throwing `Unsupported`, which the
/// checker reports apart from failures.
///
/// Conformances must be safe to call from several threads at once: the checker evaluates cases in
/// parallel.
public protocol Implementation: Sendable {
    /// The name shown in reports and JUnit (`fast`, `reference`, a port's name).
    var name: String { get }
    /// The arithmetic it computes in; the tolerance is in units of its unit roundoff.
    var computeType: ComputeType { get }
    /// Evaluates one case.
    func evaluate(_ lossCase: LossCase) throws -> LossResult
    /// Evaluates many cases, results in order. The default evaluates them in parallel with
    /// `evaluate`; an out-of-process port overrides it to send them in batches.
    func evaluateAll(_ cases: [LossCase]) -> [Result<LossResult, any Error>]
    /// Why the case named `caseName` is expected to fail under this implementation (a known
    /// defect, declared with its reason), or nil. Such a case that fails is reported as an
    /// expected failure; one that passes, as an unexpected pass.
    func expectedFailure(caseName: String) -> String?
    /// Whether it implements LossBench's documented deviations from PyTorch (Docs/Deviations.md).
    /// True by default; a port of PyTorch's behaviour says false, and its results on the cases
    /// marked as deviations are then reported as deviations, not failures.
    var followsDeviations: Bool { get }
    /// The loss's budget in units of the unit roundoff. `Tolerance.budget` by default; a port's
    /// manifest may widen one, with a written reason (`budgetReason`).
    func budget(for loss: LossKind) -> Double
    /// Why this implementation's budget for `loss` differs from `Tolerance.budget`, or nil.
    func budgetReason(for loss: LossKind) -> String?
    /// Whether it evaluates cases in batches (an out-of-process port): the checker then calls
    /// `evaluateAll` once and charges each case its share of the batch's time; otherwise it calls
    /// `evaluate` case by case, in parallel, timing each.
    var evaluatesInBatches: Bool { get }
    /// Whether its `loss` is composed from the framework's primitives rather than being the
    /// framework's own function for it: reports mark such results "composed".
    func isComposed(_ loss: LossKind) -> Bool
}

extension Implementation {
    public func evaluateAll(_ cases: [LossCase]) -> [Result<LossResult, any Error>] {
        parallelMap(cases) { c in Result { try evaluate(c) } }
    }

    public func expectedFailure(caseName: String) -> String? { nil }

    public var followsDeviations: Bool { true }

    public func budget(for loss: LossKind) -> Double { Tolerance.budget(loss: loss, computeType: computeType) }

    public func budgetReason(for loss: LossKind) -> String? { nil }

    public var evaluatesInBatches: Bool { false }

    public func isComposed(_ loss: LossKind) -> Bool { false }
}

/// Thrown by an implementation that runs in another process when that process failed rather
/// than the case: it crashed, timed out, or replied with something that is not the protocol.
/// The checker reports the case as a port error (a failure of the run, exit 1).
public struct PortFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// The last lines the process wrote to standard error, if any.
    public var stderrTail: String
    public init(_ reason: String, stderrTail: String = "") {
        self.reason = reason
        self.stderrTail = stderrTail
    }

    public var description: String {
        stderrTail.isEmpty ? reason : "\(reason); its standard error ended with:\n\(stderrTail)"
    }
}

/// A known failure of an implementation: case names matching `pattern` (`*` matches any run of
/// characters, everything else itself) are expected to fail, for `reason`.
///
/// `triage` says what kind of discrepancy it is (`Triage`), and `reproduction` shows it in the
/// framework's own code, so a report can list every known failure with its evidence.
public struct ExpectedFailure: Sendable, Hashable, Codable {
    public var pattern: String
    public var reason: String
    public var triage: Triage?
    public var reproduction: String?

    /// What a known failure is.
    public enum Triage: String, Sendable, Hashable, Codable, CaseIterable {
        /// The framework computes a wrong result, loses precision beyond its type's budget, or
        /// accepts an input PyTorch rejects.
        case portDefect = "port_defect"
        /// The framework documents another definition than PyTorch's for this case.
        case semanticDifference = "semantic_difference"
    }

    public init(pattern: String, reason: String, triage: Triage? = nil, reproduction: String? = nil) {
        self.pattern = pattern
        self.reason = reason
        self.triage = triage
        self.reproduction = reproduction
    }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return name == pattern }
        guard name.hasPrefix(parts[0]), name.dropFirst(parts[0].count).hasSuffix(parts[parts.count - 1]) else { return false }
        var rest = Substring(name.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let r = rest.range(of: middle) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }
}

/// Thrown by an implementation for a case it does not implement (a loss, an option or an option
/// value), so the case is reported as unsupported rather than failed.
public struct Unsupported: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "unsupported: \(reason)" }
}

/// The Double-precision Reference as an `Implementation`: the oracle the golden vectors come from.
public struct ReferenceImplementation: Implementation {
    public init() {}
    public var name: String { "reference" }
    public var computeType: ComputeType { .float64 }
    public func evaluate(_ lossCase: LossCase) throws -> LossResult { try Reference.evaluate(lossCase) }
}

/// An implementation made from a function: for tests, and for wrapping code that is not a type.
public struct ClosureImplementation: Implementation {
    public var name: String
    public var computeType: ComputeType
    private let body: @Sendable (LossCase) throws -> LossResult

    public init(name: String, computeType: ComputeType, evaluate: @escaping @Sendable (LossCase) throws -> LossResult) {
        self.name = name
        self.computeType = computeType
        self.body = evaluate
    }

    public func evaluate(_ lossCase: LossCase) throws -> LossResult { try body(lossCase) }
}
