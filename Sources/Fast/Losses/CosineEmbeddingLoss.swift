import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func cosineEmbeddingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "cosineEmbeddingLoss is not implemented in Fast yet")
    }
}
