import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func huberLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "huberLoss is not implemented in Fast yet")
    }
}
