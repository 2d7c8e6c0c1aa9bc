import LossSpec

// STUB: catalogue to be written.
enum TripletMarginLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
