/// A dense tensor: a shape and its elements in contiguous row-major order.
///
/// `shape == []` is a 0-dim scalar holding one element; a shape containing 0 is an empty tensor.
/// Element count always equals the product of the sizes (checked at construction).
public struct Tensor<Scalar: Sendable & Hashable>: Sendable, Hashable {
    public private(set) var shape: [Int]
    public var scalars: [Scalar]

    /// Wraps `scalars` with `shape`; the caller guarantees they agree (a programming error otherwise).
    /// Use `init(validating:scalars:)` for data that comes from outside.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 } && Shape.count(shape) == scalars.count,
                     "tensor shape \(shape) does not hold \(scalars.count) elements")
        self.shape = shape
        self.scalars = scalars
    }

    /// Checks that `shape` is non-negative and holds exactly `scalars.count` elements.
    public init(validating shape: [Int], scalars: [Scalar], argument: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw LossError(.shapeMismatch, argument: argument, "shape \(shape) has a negative size")
        }
        guard Shape.countIfRepresentable(shape) == scalars.count else {
            throw LossError(.shapeMismatch, argument: argument,
                            "shape \(shape) needs \(Shape.countIfRepresentable(shape).map(String.init) ?? "too many") elements, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A 0-dim tensor.
    public init(scalar: Scalar) { self.init(shape: [], scalars: [scalar]) }

    /// A tensor with every element equal to `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: Shape.count(shape)))
    }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }
    public var isEmpty: Bool { scalars.isEmpty }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    public subscript(_ flatIndex: Int) -> Scalar {
        get { scalars[flatIndex] }
        set { scalars[flatIndex] = newValue }
    }

    public func map<T>(_ transform: (Scalar) throws -> T) rethrows -> Tensor<T> {
        Tensor<T>(shape: shape, scalars: try scalars.map(transform))
    }
}

/// A tensor argument as stored in the golden database: float64 or int64.
public enum TensorValue: Sendable, Hashable {
    case float64(Tensor<Double>)
    case int64(Tensor<Int64>)

    public var dtype: DType {
        switch self {
        case .float64: .float64
        case .int64: .int64
        }
    }

    public var shape: [Int] {
        switch self {
        case .float64(let t): t.shape
        case .int64(let t): t.shape
        }
    }

    public var count: Int {
        switch self {
        case .float64(let t): t.count
        case .int64(let t): t.count
        }
    }
}
