import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func nllLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "nllLoss is not implemented yet")
    }
}
