import LossSpec

// STUB: catalogue to be written.
enum CTCLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
