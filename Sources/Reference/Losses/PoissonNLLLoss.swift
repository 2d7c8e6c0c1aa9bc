import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func poissonNLLLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "poissonNLLLoss is not implemented yet")
    }
}
