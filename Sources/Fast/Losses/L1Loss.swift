import LossSpec

extension Fast {
    // STUB: to be implemented.
    static func l1Loss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        throw LossError(.invalidOption, argument: "loss", "l1Loss is not implemented in Fast yet")
    }
}
