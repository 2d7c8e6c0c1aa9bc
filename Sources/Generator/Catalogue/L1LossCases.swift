import LossSpec

// STUB: catalogue to be written.
enum L1LossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
