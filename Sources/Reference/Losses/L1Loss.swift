import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func l1Loss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "l1Loss is not implemented yet")
    }
}
