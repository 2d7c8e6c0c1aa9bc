import LossSpec

// STUB: catalogue to be written.
enum MultiLabelMarginLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
