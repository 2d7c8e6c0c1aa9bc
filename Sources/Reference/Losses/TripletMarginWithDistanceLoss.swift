import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func tripletMarginWithDistanceLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "tripletMarginWithDistanceLoss is not implemented yet")
    }
}
