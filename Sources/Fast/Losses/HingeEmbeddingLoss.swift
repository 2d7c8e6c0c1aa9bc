import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func hingeEmbeddingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "hingeEmbeddingLoss is not implemented in Fast yet")
    }
}
