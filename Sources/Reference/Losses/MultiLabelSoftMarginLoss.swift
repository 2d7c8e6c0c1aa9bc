import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func multilabelSoftMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "multilabelSoftMarginLoss is not implemented yet")
    }
}
