import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func multilabelSoftMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "multilabelSoftMarginLoss is not implemented in Fast yet")
    }
}
