/// Shape validation of `cosine_embedding_loss` (Docs/Losses/cosine_embedding_loss.md), shared by the Reference and Fast.
package enum CosineEmbeddingValidation {
    /// The shapes a valid call works on.
    package struct Shapes: Sendable, Equatable {
        /// input1 and input2 broadcast together; rank 1 (D) or 2 (N, D).
        package var full: [Int]
        /// `full` without its feature dimension: [] or [N].
        package var rows: [Int]
        /// The feature dimension D of `full`.
        package var features: Int
        /// The output shape: `rows` broadcast with the target's shape.
        package var output: [Int]
    }

    /// Checks the rank rules (a 0-D target needs 1-D inputs, a 1-D target 2-D inputs, no other
    /// target rank), then broadcasts input1 with input2 and the rows with the target.
    ///
    /// - Throws: `shape_mismatch` naming the offending argument.
    package static func shapes(input1: [Int], input2: [Int], target: [Int]) throws -> Shapes {
        guard target.count <= 1 else {
            throw LossError(.shapeMismatch, argument: "target",
                            "0D or 1D target tensor expected, multi-target not supported; got target shape \(target)")
        }
        let rank = target.count + 1
        for (name, shape) in [("input1", input1), ("input2", input2)] where shape.count != rank {
            throw LossError(.shapeMismatch, argument: name,
                            "\(target.count)D target tensor expects \(rank)D input tensors, but found inputs with sizes \(input1) and \(input2)")
        }
        let full = try Shape.broadcast([("input1", input1), ("input2", input2)])
        // Both inputs have rank ≥ 1, so the broadcast shape does too.
        let rows = Array(full.dropLast())
        try Shape.checkMaterializable(rows, argument: "input2", what: "the rows of input1/input2")
        let output = try Shape.broadcast([("input1/input2 rows", rows), ("target", target)])
        return Shapes(full: full, rows: rows, features: full.last ?? 0, output: output)
    }
}
