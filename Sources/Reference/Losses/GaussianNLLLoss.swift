import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func gaussianNLLLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "gaussianNLLLoss is not implemented yet")
    }
}
