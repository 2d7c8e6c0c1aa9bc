import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func hingeEmbeddingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "hingeEmbeddingLoss is not implemented yet")
    }
}
