import LossSpec

// STUB: catalogue to be written.
enum SoftMarginLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
