import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func softMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "softMarginLoss is not implemented yet")
    }
}
