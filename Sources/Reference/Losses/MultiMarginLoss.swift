import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func multiMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "multiMarginLoss is not implemented yet")
    }
}
