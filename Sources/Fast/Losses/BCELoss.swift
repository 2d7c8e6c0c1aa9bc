import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func binaryCrossEntropy(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "binaryCrossEntropy is not implemented in Fast yet")
    }
}
