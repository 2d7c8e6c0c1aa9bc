import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func multilabelMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "multilabelMarginLoss is not implemented yet")
    }
}
