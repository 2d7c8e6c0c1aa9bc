import LossSpec

// STUB: catalogue to be written.
enum CrossEntropyLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
