/// Shape rules of `kl_div` shared by Reference and Fast (Docs/Losses/kl_div.md).
package enum KLDivValidation {
    /// - Returns: the broadcast shape of input and target (the unreduced loss) and what 'mean' or
    ///   'batchmean' divides by: numel of that shape, or for 'batchmean' the input's own first size
    ///   (1 for a 0-dim input).
    /// - Throws: `shape_mismatch` when input and target do not broadcast.
    package static func shape(input: [Int], target: [Int], reduction: Reduction) throws -> (loss: [Int], divisor: Int) {
        let loss = try Shape.broadcast([("input", input), ("target", target)])
        return (loss, reduction == .batchmean ? input.first ?? 1 : Shape.count(loss))
    }
}
