
/// A case's family (Docs/GoldenDatabase.md).
public enum CaseFamily: String, Sendable, CaseIterable, Codable {
    case random, edge, error, regression
}

/// One golden case: what to evaluate and what it must give.
///
/// `options` is kept as raw JSON because an error case's options may themselves be the invalid
/// input; `loss` is the raw column so that a foreign database with an unknown loss name can be
/// reported rather than rejected wholesale.
public struct GoldenCase: Sendable, Hashable {
    public var name: String
    public var loss: String
    public var options: [String: JSONValue]
    public var family: CaseFamily
    public var seed: Int64?
    /// The error kind the case must raise, or nil if it must evaluate.
    public var expectError: ErrorKind?
    public var note: String?
    /// The documented deviation from PyTorch this case encodes (its id, e.g. `int64-promotion`;
    /// Docs/Deviations.md), or nil. PyTorch, and a port that follows it, gives another result here.
    public var deviation: String?
    /// Arguments by torch name, plus grad_output.
    public var inputs: [String: TensorValue]
    /// Expected outputs by role (`output`, `grad_<argument>`).
    public var expected: [String: Tensor<Double>]
    /// Error scales by role; absent for databases written by other tools (the runner derives them).
    public var scales: [String: Tensor<Double>]

    public init(name: String, loss: String, options: [String: JSONValue], family: CaseFamily, seed: Int64?,
                expectError: ErrorKind?, note: String?, inputs: [String: TensorValue],
                expected: [String: Tensor<Double>] = [:], scales: [String: Tensor<Double>] = [:],
                deviation: String? = nil) {
        self.deviation = deviation
        self.name = name
        self.loss = loss
        self.options = options
        self.family = family
        self.seed = seed
        self.expectError = expectError
        self.note = note
        self.inputs = inputs
        self.expected = expected
        self.scales = scales
    }

    /// The `options` column: compact JSON with sorted keys, the one encoding the database stores
    /// and its content digest hashes, so equal options always give equal bytes.
    public var optionsJSON: String { JSONValue.object(options).serialized() }

    /// The case as a `LossCase`, for evaluation.
    public func lossCase() throws -> LossCase {
        LossCase(loss: try LossKind(name: loss), options: options, inputs: inputs)
    }
}
