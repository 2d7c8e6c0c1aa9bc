import Foundation

/// The JSON form of cases and results used by `lossbench eval` and the Tools/ scripts.
///
/// A tensor is `{"dtype": "float64"|"int64", "shape": [...], "data": [...]}` (dtype defaults to the
/// argument's natural type) or, as a shorthand, a bare number (0-dim) or nested arrays (shape
/// inferred). Non-finite floats are the strings "nan", "inf", "-inf".
public enum CaseJSON {
    /// Parses `{"loss": name, "options": {...}, "inputs": {role: tensor, ...}}`.
    public static func decodeCase(_ json: JSONValue) throws -> LossCase {
        guard case .object(let top) = json else {
            throw LossError(.invalidOption, argument: "case", "expected a JSON object with keys loss, options, inputs")
        }
        for key in top.keys where !["loss", "options", "inputs"].contains(key) {
            throw LossError(.invalidOption, argument: key, "unknown key '\(key)'; expected loss, options, inputs")
        }
        guard case .string(let name)? = top["loss"] else {
            throw LossError(.invalidOption, argument: "loss", "missing or not a string")
        }
        let kind = try LossKind(name: name)
        var options: [String: JSONValue] = [:]
        switch top["options"] {
        case nil, .null?: break
        case .object(let o)?: options = o
        default: throw LossError(.invalidOption, argument: "options", "must be a JSON object")
        }
        guard case .object(let rawInputs)? = top["inputs"] else {
            throw LossError(.invalidOption, argument: "inputs", "missing or not a JSON object of tensors")
        }
        var inputs: [String: TensorValue] = [:]
        for (role, value) in rawInputs {
            let spec = kind.arguments.first { $0.name == role }
            let natural: DType = spec?.accepts == .integer ? .int64 : .float64
            inputs[role] = try decodeTensor(value, role: role, naturalType: natural)
        }
        let c = LossCase(loss: kind, options: options, inputs: inputs)
        try c.checkArgumentNames()
        return c
    }

    public static func decodeTensor(_ value: JSONValue, role: String, naturalType: DType) throws -> TensorValue {
        var dtype = naturalType
        var shape: [Int]
        var flat: [JSONValue]
        switch value {
        case .object(let o):
            for key in o.keys where !["dtype", "shape", "data"].contains(key) {
                throw LossError(.invalidOption, argument: role, "unknown tensor key '\(key)'; expected dtype, shape, data")
            }
            if let d = o["dtype"] {
                guard case .string(let s) = d, let t = DType(rawValue: s) else {
                    throw LossError(.invalidValue, argument: role, "dtype must be \"float64\" or \"int64\"")
                }
                dtype = t
            }
            guard case .array(let s)? = o["shape"] else {
                throw LossError(.shapeMismatch, argument: role, "missing \"shape\" (an array of sizes)")
            }
            shape = try s.map { v in
                guard let d = v.doubleValue, d >= 0, d == d.rounded(), d < 1e15 else {
                    throw LossError(.shapeMismatch, argument: role, "shape entries must be non-negative integers")
                }
                return Int(d)
            }
            switch o["data"] {
            case .array(let a)?: flat = a
            case let v? where v.doubleValue != nil: flat = [v]
            default: throw LossError(.shapeMismatch, argument: role, "missing \"data\" (an array of numbers)")
            }
        case .array:
            (shape, flat) = try flatten(value, role: role)
        default:
            guard value.doubleValue != nil else {
                throw LossError(.invalidValue, argument: role, "expected a tensor, got \(value.serialized())")
            }
            shape = []
            flat = [value]
        }
        switch dtype {
        case .float64:
            let data = try flat.map { v in
                guard let d = v.doubleValue else {
                    throw LossError(.invalidValue, argument: role, "element \(v.serialized()) is not a number")
                }
                return d
            }
            return .float64(try Tensor(validating: shape, scalars: data, argument: role))
        case .int64:
            let data = try flat.map { v in
                guard let n = v.int64Value else {
                    throw LossError(.invalidValue, argument: role,
                                    "element \(LossOptions.excerpt(v.serialized())) is not an integer in int64's range")
                }
                return n
            }
            return .int64(try Tensor(validating: shape, scalars: data, argument: role))
        }
    }

    /// Nested arrays → (shape, row-major elements); rows must be rectangular.
    static func flatten(_ value: JSONValue, role: String) throws -> ([Int], [JSONValue]) {
        guard case .array(let items) = value else { return ([], [value]) }
        if items.isEmpty { return ([0], []) }
        var inner: [Int]? = nil
        var flat: [JSONValue] = []
        for item in items {
            let (s, f) = try flatten(item, role: role)
            if let inner, inner != s {
                throw LossError(.shapeMismatch, argument: role, "nested arrays are not rectangular")
            }
            inner = s
            flat += f
        }
        return ([items.count] + (inner ?? []), flat)
    }

    public static func encodeTensor(_ t: TensorValue) -> JSONValue {
        switch t {
        case .float64(let x):
            return .object(["dtype": .string("float64"), "shape": .array(x.shape.map { .number(Double($0)) }),
                            "data": .array(x.scalars.map { .number($0) })])
        case .int64(let x):
            return .object(["dtype": .string("int64"), "shape": .array(x.shape.map { .number(Double($0)) }),
                            "data": .array(x.scalars.map { JSONValue(exactly: $0) })])
        }
    }

    /// `{"loss", "options" (all explicit), "outputs": {role: tensor}, "scales": {role: tensor}}`.
    public static func encodeResult(_ r: LossResult, for c: LossCase, options: LossOptions) -> JSONValue {
        .object([
            "loss": .string(c.loss.rawValue),
            "options": .object(options.json(for: c.loss)),
            "outputs": .object(r.outputs.mapValues { encodeTensor(.float64($0)) }),
            "scales": .object(r.scales.mapValues { encodeTensor(.float64($0)) }),
        ])
    }
}
