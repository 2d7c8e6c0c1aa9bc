import LossSpec

// STUB: catalogue to be written.
enum PoissonNLLLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
