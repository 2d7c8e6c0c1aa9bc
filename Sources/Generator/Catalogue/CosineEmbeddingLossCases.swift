import LossSpec

// STUB: catalogue to be written.
enum CosineEmbeddingLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
