/// Shape validation of `margin_ranking_loss` (Docs/Losses/margin_ranking_loss.md), shared by the Reference and Fast: the
/// three tensors must have the same rank before they broadcast.
package enum MarginRankingValidation {
    /// - Returns: the broadcast shape of input1, input2 and target.
    /// - Throws: `shape_mismatch` naming the first argument whose rank differs (input2, then
    ///   target), or the argument that does not broadcast.
    package static func broadcastShape(input1: [Int], input2: [Int], target: [Int]) throws -> [Int] {
        guard input1.count == input2.count, input2.count == target.count else {
            throw LossError(.shapeMismatch, argument: input1.count == input2.count ? "target" : "input2",
                            "all input tensors should have the same number of dimensions, got input1 \(input1), input2 \(input2), target \(target)")
        }
        return try Shape.broadcast([("input1", input1), ("input2", input2), ("target", target)])
    }
}
