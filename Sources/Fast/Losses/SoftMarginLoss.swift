import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func softMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "softMarginLoss is not implemented in Fast yet")
    }
}
