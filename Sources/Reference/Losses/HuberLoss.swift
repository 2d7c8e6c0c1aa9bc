import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func huberLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "huberLoss is not implemented yet")
    }
}
