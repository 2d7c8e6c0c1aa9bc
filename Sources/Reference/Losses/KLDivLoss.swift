import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func klDiv(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "klDiv is not implemented yet")
    }
}
