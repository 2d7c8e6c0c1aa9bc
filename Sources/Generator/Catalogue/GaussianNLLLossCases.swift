import LossSpec

// STUB: catalogue to be written.
enum GaussianNLLLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
