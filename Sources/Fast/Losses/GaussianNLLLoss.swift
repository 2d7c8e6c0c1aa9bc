import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func gaussianNLLLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "gaussianNLLLoss is not implemented in Fast yet")
    }
}
