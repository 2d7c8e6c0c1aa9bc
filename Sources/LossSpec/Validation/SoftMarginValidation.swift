/// Shape checks of soft_margin_loss, shared by the Reference and Fast (no arithmetic on data).
package enum SoftMarginValidation {
    /// soft_margin_loss: the target broadcasts to the input's shape but never enlarges it, because
    /// PyTorch writes the result into an input-shaped tensor.
    ///
    /// - Returns: the output shape, which is the input's.
    package static func shape(input: [Int], target: [Int]) throws -> [Int] {
        let full = try Shape.broadcast([("input", input), ("target", target)])
        guard full == input else {
            throw LossError(.shapeMismatch, argument: "target",
                            "output with shape \(input) doesn't match the broadcast shape \(full): the target \(target) may broadcast to the input's shape but not enlarge it")
        }
        return full
    }
}
