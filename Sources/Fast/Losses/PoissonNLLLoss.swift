import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func poissonNLLLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "poissonNLLLoss is not implemented in Fast yet")
    }
}
