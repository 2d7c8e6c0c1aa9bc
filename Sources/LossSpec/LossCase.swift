/// One evaluation of one loss: options as JSON (exactly the golden database's `options` column,
/// possibly invalid — that is an error case's input) and tensor arguments by torch name, plus
/// `grad_output` when gradients are wanted.
public struct LossCase: Sendable, Hashable {
    public var loss: LossKind
    public var options: [String: JSONValue]
    public var inputs: [String: TensorValue]

    public init(loss: LossKind, options: [String: JSONValue] = [:], inputs: [String: TensorValue]) {
        self.loss = loss
        self.options = options
        self.inputs = inputs
    }

    /// The typed options (PyTorch defaults for absent keys).
    public func decodedOptions() throws -> LossOptions {
        try LossOptions(kind: loss, json: options)
    }

    /// A float tensor argument; nil if absent. Throws if present with the wrong dtype.
    public func float(_ name: String) throws -> Tensor<Double>? {
        switch inputs[name] {
        case nil: return nil
        case .float64(let t): return t
        case .int64:
            throw LossError(.invalidValue, argument: name, "expected a float64 tensor, got int64")
        }
    }

    /// An integer tensor argument; nil if absent. Throws if present with the wrong dtype.
    public func integer(_ name: String) throws -> Tensor<Int64>? {
        switch inputs[name] {
        case nil: return nil
        case .int64(let t): return t
        case .float64:
            throw LossError(.invalidValue, argument: name, "expected an int64 tensor, got float64")
        }
    }

    /// A float argument the loss cannot do without.
    public func requiredFloat(_ name: String) throws -> Tensor<Double> {
        guard let t = try float(name) else {
            throw LossError(.invalidOption, argument: name, "\(loss.rawValue) needs the tensor argument '\(name)'")
        }
        return t
    }

    /// An integer argument the loss cannot do without.
    public func requiredInteger(_ name: String) throws -> Tensor<Int64> {
        guard let t = try integer(name) else {
            throw LossError(.invalidOption, argument: name, "\(loss.rawValue) needs the tensor argument '\(name)'")
        }
        return t
    }

    /// Rejects tensor arguments the loss does not take (a typo must not be silently ignored).
    public func checkArgumentNames() throws {
        let known = Set(loss.arguments.map(\.name) + ["grad_output"])
        for name in inputs.keys.sorted() where !known.contains(name) {
            throw LossError(.invalidOption, argument: name,
                            "\(loss.rawValue) takes no tensor '\(name)'; it takes: \(loss.arguments.map(\.name).joined(separator: ", ")), grad_output")
        }
    }
}

/// What an implementation returns for a case, keyed by golden-database role: `output`, and
/// `grad_<argument>` for every differentiable argument when `grad_output` was given.
///
/// `scales` (Reference only) holds, per role, the error scale of Docs/Tolerance.md for every element.
public struct LossResult: Sendable, Hashable {
    public var outputs: [String: Tensor<Double>]
    public var scales: [String: Tensor<Double>]

    public init(outputs: [String: Tensor<Double>] = [:], scales: [String: Tensor<Double>] = [:]) {
        self.outputs = outputs
        self.scales = scales
    }

    public var output: Tensor<Double>? { outputs["output"] }
}
