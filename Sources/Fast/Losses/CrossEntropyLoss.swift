import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func crossEntropy(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "crossEntropy is not implemented in Fast yet")
    }
}
