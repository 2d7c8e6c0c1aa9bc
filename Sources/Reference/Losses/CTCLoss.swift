import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func ctcLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "ctcLoss is not implemented yet")
    }
}
