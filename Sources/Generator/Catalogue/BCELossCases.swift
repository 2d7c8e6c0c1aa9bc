import LossSpec

// STUB: catalogue to be written.
enum BCELossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
