import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func tripletMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "tripletMarginLoss is not implemented yet")
    }
}
