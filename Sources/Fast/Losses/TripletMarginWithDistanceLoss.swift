import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func tripletMarginWithDistanceLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "tripletMarginWithDistanceLoss is not implemented in Fast yet")
    }
}
