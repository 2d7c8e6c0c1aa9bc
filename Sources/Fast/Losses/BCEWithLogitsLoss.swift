import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func binaryCrossEntropyWithLogits(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "binaryCrossEntropyWithLogits is not implemented in Fast yet")
    }
}
