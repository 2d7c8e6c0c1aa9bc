/// Checks for arguments that broadcast to a fixed result shape but may not enlarge it
/// (BCE's weight, BCEWithLogits' weight and pos_weight): PyTorch multiplies them in place into the
/// loss, which fails with "output with shape […] doesn't match the broadcast shape […]".
package enum NonEnlargingBroadcast {
    /// - Throws: `shape_mismatch` on `argument` when `shape` does not broadcast to `target` or would
    ///   enlarge it.
    package static func check(_ argument: String, _ shape: [Int], into target: [Int]) throws {
        guard !Shape.broadcasts(shape, to: target) else { return }
        let grown = (try? Shape.broadcast([("loss", target), (argument, shape)]))
            .map { "the broadcast shape \($0)" } ?? "a broadcastable shape"
        throw LossError(.shapeMismatch, argument: argument,
                        "\(argument) of shape \(shape) must broadcast to the input shape \(target) without enlarging it; got \(grown)")
    }
}
