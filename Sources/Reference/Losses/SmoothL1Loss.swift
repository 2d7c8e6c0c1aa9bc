import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func smoothL1Loss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "smoothL1Loss is not implemented yet")
    }
}
