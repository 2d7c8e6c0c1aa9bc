import LossSpec

// STUB: catalogue to be written.
enum SmoothL1LossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
