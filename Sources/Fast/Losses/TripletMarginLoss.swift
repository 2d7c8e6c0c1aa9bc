import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func tripletMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "tripletMarginLoss is not implemented in Fast yet")
    }
}
