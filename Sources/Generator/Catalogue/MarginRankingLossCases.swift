import LossSpec

// STUB: catalogue to be written.
enum MarginRankingLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
