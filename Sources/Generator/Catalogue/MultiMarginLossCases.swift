import LossSpec

// STUB: catalogue to be written.
enum MultiMarginLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
