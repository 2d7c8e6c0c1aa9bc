/// The error kinds of Docs/ErrorKinds.md. The raw value is what the golden database's `expect_error`
/// column holds; both implementations raise the same kind for the same input.
public enum ErrorKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// `reduction` is not one of the values this loss accepts.
    case invalidReduction = "invalid_reduction"
    /// A non-tensor option is out of its domain (p ∉ {1,2}, delta ≤ 0, margin ≤ 0, label_smoothing > 1,
    /// an unknown option name, a tensor argument the loss does not take, …).
    case invalidOption = "invalid_option"
    /// Shapes that do not broadcast, differ where equality is required, or have the wrong rank.
    case shapeMismatch = "shape_mismatch"
    /// A class index outside `[0, C)` that is not the ignore index.
    case targetOutOfRange = "target_out_of_range"
    /// A value outside the domain PyTorch validates (BCE input/target outside [0,1], negative var),
    /// or a tensor of the wrong element type.
    case invalidValue = "invalid_value"
    /// CTC lengths that are negative, exceed T, or disagree with the targets tensor.
    case invalidLength = "invalid_length"
    /// An input PyTorch rejects for being empty (CTC with T = 0 or N = 0, C = 0 for the margin losses).
    case emptyInput = "empty_input"
}

/// A rejected loss evaluation: which kind of error, which argument, and a message that says what
/// was wrong and what is allowed.
public struct LossError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: ErrorKind
    /// The offending argument or option, named as in torch (`target`, `reduction`, `delta`, …).
    public var argument: String
    public var message: String

    public init(_ kind: ErrorKind, argument: String, _ message: String) {
        self.kind = kind
        self.argument = argument
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(argument): \(message)" }
}
