import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func binaryCrossEntropy(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "binaryCrossEntropy is not implemented yet")
    }
}
