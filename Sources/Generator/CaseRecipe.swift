@_spi(Kernels) import LossSpec

/// A recipe for one golden case: everything but the expected values, which the Reference computes.
package struct CaseRecipe: Sendable {
    /// Stable id, `<loss>/<family>/<label>/<nnn>`.
    package var name: String
    package var loss: LossKind
    package var family: CaseFamily
    /// Options as given; the generator makes every option explicit. May hold an invalid value in an
    /// error case.
    package var options: [String: JSONValue]
    package var expectError: ErrorKind?
    /// Why the case exists; for error cases, the invalid argument and what is wrong with it.
    package var note: String?
    /// The documented deviation from PyTorch the case encodes (Docs/Deviations.md), or nil.
    package var deviation: String? = nil
    /// Whether `inputs` draws from the RNG (its seed is then stored with the case).
    package var isRandom: Bool
    /// Draws the tensor arguments (not grad_output: the generator draws it in the output's shape).
    package var inputs: @Sendable (inout SeededRNG) -> [String: TensorValue]
}

/// Collects the recipes of one loss, numbering each (family, label) group.
package struct RecipeList {
    package let loss: LossKind
    package private(set) var recipes: [CaseRecipe] = []
    private var counters: [String: Int] = [:]

    package init(_ loss: LossKind) { self.loss = loss }

    /// Adds a case. `label` groups related cases (e.g. "weight-mean"); numbering is per group.
    package mutating func add(
        _ family: CaseFamily, _ label: String, options: [String: JSONValue] = [:],
        expectError: ErrorKind? = nil, note: String? = nil, random: Bool = true, deviation: String? = nil,
        inputs: @escaping @Sendable (inout SeededRNG) -> [String: TensorValue]
    ) {
        let key = "\(family.rawValue)/\(label)"
        let n = counters[key, default: 0]
        counters[key] = n + 1
        let number = String(n)
        let name = "\(loss.rawValue)/\(key)/\(String(repeating: "0", count: max(0, 3 - number.count)) + number)"
        recipes.append(CaseRecipe(name: name, loss: loss, family: family, options: options,
                                  expectError: expectError, note: note, deviation: deviation, isRandom: random, inputs: inputs))
    }

    /// Adds an error case: `argument` is named in the note with what is wrong.
    package mutating func error(
        _ kind: ErrorKind, _ label: String, argument: String, _ what: String, options: [String: JSONValue] = [:],
        deviation: String? = nil, inputs: @escaping @Sendable (inout SeededRNG) -> [String: TensorValue]
    ) {
        add(.error, label, options: options, expectError: kind, note: "\(argument): \(what)", deviation: deviation, inputs: inputs)
    }
}

/// The option values to sweep.
package enum Sweep {
    package static let reductions: [JSONValue] = [.string("none"), .string("mean"), .string("sum")]

    /// Every combination of the given option values, as option dictionaries.
    package static func grid(_ axes: [(String, [JSONValue])]) -> [[String: JSONValue]] {
        var out: [[String: JSONValue]] = [[:]]
        for (key, values) in axes {
            out = out.flatMap { partial in values.map { v in partial.merging([key: v]) { _, b in b } } }
        }
        return out
    }
}

/// Shape classes every loss should see: 0-dim, size 1, SIMD-width neighbours, batched, K-dim, empty.
package enum Shapes {
    /// Element counts just below, at and above the SIMD widths (8, 16) and a few blocks of them.
    package static let simdSizes = [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 127, 129]
}

extension SeededRNG {
    /// A float64 tensor whose elements are drawn by `draw` (which must return Float32-exact values).
    package mutating func tensor(_ shape: [Int], _ draw: (inout SeededRNG) -> Double) -> TensorValue {
        var values = [Double]()
        values.reserveCapacity(Shape.count(shape))
        for _ in 0..<Shape.count(shape) { values.append(draw(&self)) }
        return .float64(Tensor(shape: shape, scalars: values))
    }

    package mutating func uniform(_ shape: [Int], _ lo: Double, _ hi: Double) -> TensorValue {
        tensor(shape) { $0.uniform(lo, hi) }
    }

    package mutating func normal(_ shape: [Int], mean: Double = 0, std: Double = 1) -> TensorValue {
        tensor(shape) { $0.normal(mean, std) }
    }

    /// Integers uniform in lo...hi, as int64.
    package mutating func integers(_ shape: [Int], _ lo: Int, _ hi: Int) -> TensorValue {
        var values = [Int64]()
        for _ in 0..<Shape.count(shape) { values.append(Int64(int(lo, hi))) }
        return .int64(Tensor(shape: shape, scalars: values))
    }

    /// ±1 labels as float64.
    package mutating func signs(_ shape: [Int]) -> TensorValue {
        tensor(shape) { $0.bool() ? 1 : -1 }
    }
}

/// A float64 tensor of fixed values (each must be Float32-exact).
package func fixed(_ shape: [Int], _ values: [Double]) -> TensorValue {
    .float64(Tensor(shape: shape, scalars: values))
}

/// An int64 tensor of fixed values.
package func fixedInt(_ shape: [Int], _ values: [Int64]) -> TensorValue {
    .int64(Tensor(shape: shape, scalars: values))
}
