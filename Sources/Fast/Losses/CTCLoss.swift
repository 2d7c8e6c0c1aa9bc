import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func ctcLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "ctcLoss is not implemented in Fast yet")
    }
}
