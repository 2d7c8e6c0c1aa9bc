import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func binaryCrossEntropyWithLogits(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "binaryCrossEntropyWithLogits is not implemented yet")
    }
}
