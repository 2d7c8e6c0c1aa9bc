import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func multilabelMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "multilabelMarginLoss is not implemented in Fast yet")
    }
}
