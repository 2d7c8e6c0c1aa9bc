import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func marginRankingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "marginRankingLoss is not implemented in Fast yet")
    }
}
