import LossSpec

// STUB: catalogue to be written.
enum TripletMarginWithDistanceLossCases {
    static func recipes() -> [CaseRecipe] { [] }
}
