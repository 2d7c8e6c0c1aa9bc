import LossSpec

// STUB: catalogue to be written.
enum MultiLabelSoftMarginLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
