/// Argument checks of `poisson_nll_loss` shared by Reference and Fast (Docs/Losses/poisson_nll_loss.md): nothing about the
/// values is validated, only the reduction spelling and the shapes.
package enum PoissonNLLValidation {
    /// - Returns: the broadcast shape of input and target, the shape of the unreduced loss.
    /// - Throws: `invalid_reduction` for the deprecated 'elementwise_mean' (the functional compares
    ///   strings); `shape_mismatch` when input and target do not broadcast.
    package static func shape(input: [Int], target: [Int], reductionIsDeprecatedAlias: Bool) throws -> [Int] {
        guard !reductionIsDeprecatedAlias else {
            throw LossError(.invalidReduction, argument: "reduction",
                            "'elementwise_mean' is not a valid value for reduction; allowed: 'none', 'mean', 'sum'")
        }
        return try Shape.broadcast([("input", input), ("target", target)])
    }
}
