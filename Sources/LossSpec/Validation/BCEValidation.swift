/// The argument checks of `binary_cross_entropy` (Docs/Losses/binary_cross_entropy.md), shared by Reference and Fast so both
/// raise the same error kind, on the same argument, in the same order:
/// target shape, input values, target values, weight shape.
@_spi(Kernels) public enum BCEValidation {
    /// All checks in PyTorch's order. (`@inlinable`, like `checkValues`: an unspecialised generic
    /// loop across modules pays a metadata lookup per element — measured 7× the whole loss.)
    @inlinable
    public static func validate<T: BinaryFloatingPoint>(input: Tensor<T>, target: Tensor<T>, weightShape: [Int]?) throws {
        try checkTargetShape(input: input.shape, target: target.shape)
        try checkValues(input: input, target: target)
        try checkWeightShape(weightShape, input: input.shape)
    }

    /// Input and target must have exactly the same shape (Docs/Semantics.md#shapes, strict equality).
    public static func checkTargetShape(input: [Int], target: [Int]) throws {
        guard target == input else {
            throw LossError(.shapeMismatch, argument: "target",
                            "target size \(target) must equal the input size \(input)")
        }
    }

    /// Every input and target element must lie in [0, 1]; NaN fails (PyTorch's `0 <= x && x <= 1`).
    @inlinable
    public static func checkValues<T: BinaryFloatingPoint>(input: Tensor<T>, target: Tensor<T>) throws {
        for (name, t) in [("input", input), ("target", target)] {
            for v in t.scalars where !(v >= 0 && v <= 1) {
                throw LossError(.invalidValue, argument: name,
                                "all elements of \(name) should be between 0 and 1 (found \(Double(v)))")
            }
        }
    }

    /// The weight broadcasts to the input without enlarging it.
    public static func checkWeightShape(_ weight: [Int]?, input: [Int]) throws {
        if let weight { try NonEnlargingBroadcast.check("weight", weight, into: input) }
    }
}
