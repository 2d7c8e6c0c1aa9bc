import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func klDiv(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "klDiv is not implemented in Fast yet")
    }
}
