import LossSpec

/// mse_loss: the shared regression catalogue (reductions, weight, broadcasting, sizes, empty,
/// non-finite, errors). MSE has no parameter and a single smooth branch; d = 0 is its only
/// notable point.
enum MSELossCases {
    static func recipes() -> [CaseRecipe] {
        RegressionCases.recipes(.mseLoss, weighted: true).recipes
    }
}
