import LossSpec

extension Reference {
    // STUB: to be implemented.
    static func crossEntropy(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        throw LossError(.invalidOption, argument: "loss", "crossEntropy is not implemented yet")
    }
}
