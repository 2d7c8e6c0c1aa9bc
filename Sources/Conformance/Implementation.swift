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
