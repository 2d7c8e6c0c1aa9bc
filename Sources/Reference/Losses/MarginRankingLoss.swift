import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func marginRankingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "marginRankingLoss is not implemented yet")
    }
}
