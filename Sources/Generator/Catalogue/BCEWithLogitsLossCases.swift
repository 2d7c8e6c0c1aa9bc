import LossSpec

// STUB: catalogue to be written.
enum BCEWithLogitsLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
