/// Argument checks of `gaussian_nll_loss` shared by Reference and Fast (Docs/Losses/gaussian_nll_loss.md), in PyTorch's
/// order: negative variances, then var's shape, then the broadcast with input and target.
@_spi(Kernels) public enum GaussianNLLValidation {
    /// - Returns: `variance` as it takes part in the broadcast (unsqueezed at −1 when it is the
    ///   input's shape without its last dimension) and the broadcast shape of the unreduced loss.
    /// - Throws: `invalid_value` if any variance is negative (NaN passes); `shape_mismatch` "var is
    ///   of incorrect size", or when input, target and var do not broadcast.
    @inlinable
    public static func shapes<T: BinaryFloatingPoint & Sendable>(input: [Int], target: [Int], variance: Tensor<T>) throws
        -> (variance: [Int], loss: [Int]) {
        try shapes(input: input, target: target, variance: variance.shape, hasNegative: variance.scalars.contains { $0 < 0 })
    }

    /// The same checks for a caller that scanned var for negative entries itself (Fast does, in
    /// SIMD on all threads: the scalar scan above took 40% of its forward on 2^22 elements).
    @inlinable
    public static func shapes(input: [Int], target: [Int], variance: [Int], hasNegative: Bool) throws -> (variance: [Int], loss: [Int]) {
        if hasNegative {
            throw LossError(.invalidValue, argument: "var", "var has negative entry/entries; var must be >= 0")
        }
        let varShape = try varianceShape(input: input, variance: variance)
        let loss = try Shape.broadcast([("input", input), ("target", target), ("var", varShape)])
        return (varShape, loss)
    }

    /// The shape `var` takes part in the broadcast with (Docs/Losses/gaussian_nll_loss.md rule 2), or `shape_mismatch`.
    public static func varianceShape(input: [Int], variance: [Int]) throws -> [Int] {
        if variance == input { return variance }
        if Array(input.dropLast()) == variance { return variance + [1] }
        if variance.count == input.count {
            // Σ of var's sizes over mismatching dimensions == 1; stop once past 1 (sizes are ≥ 0).
            var mismatched = 0
            for (a, b) in zip(input, variance) where a != b {
                mismatched += b
                if mismatched > 1 { break }
            }
            if mismatched == 1 { return variance }
        }
        throw LossError(.shapeMismatch, argument: "var",
                        "var is of incorrect size: var \(variance) for input \(input); allowed: the input's shape, the input's shape without its last dimension, or the input's shape with exactly one dimension of size 1")
    }
}
