import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func cosineEmbeddingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "cosineEmbeddingLoss is not implemented yet")
    }
}
