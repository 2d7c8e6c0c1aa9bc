import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func nllLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "nllLoss is not implemented in Fast yet")
    }
}
