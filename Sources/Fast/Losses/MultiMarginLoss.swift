import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func multiMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "multiMarginLoss is not implemented in Fast yet")
    }
}
