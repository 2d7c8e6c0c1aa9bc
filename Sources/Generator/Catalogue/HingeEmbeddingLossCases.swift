import LossSpec

// STUB: catalogue to be written.
enum HingeEmbeddingLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
