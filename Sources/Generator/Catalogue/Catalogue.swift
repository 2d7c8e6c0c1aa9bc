import LossSpec

/// The case catalogue: one file per loss under Catalogue/, each listing its random, edge and error
/// recipes.
package enum Catalogue {
    package static func recipes(for kind: LossKind) -> [CaseRecipe] {
        switch kind {
        case .l1Loss: L1LossCases.recipes()
        case .mseLoss: MSELossCases.recipes()
        case .crossEntropy: CrossEntropyLossCases.recipes()
        case .ctcLoss: CTCLossCases.recipes()
        case .nllLoss: NLLLossCases.recipes()
        case .poissonNLLLoss: PoissonNLLLossCases.recipes()
        case .gaussianNLLLoss: GaussianNLLLossCases.recipes()
        case .klDiv: KLDivLossCases.recipes()
        case .binaryCrossEntropy: BCELossCases.recipes()
        case .binaryCrossEntropyWithLogits: BCEWithLogitsLossCases.recipes()
        case .marginRankingLoss: MarginRankingLossCases.recipes()
        case .hingeEmbeddingLoss: HingeEmbeddingLossCases.recipes()
        case .multilabelMarginLoss: MultiLabelMarginLossCases.recipes()
        case .huberLoss: HuberLossCases.recipes()
        case .smoothL1Loss: SmoothL1LossCases.recipes()
        case .softMarginLoss: SoftMarginLossCases.recipes()
        case .multilabelSoftMarginLoss: MultiLabelSoftMarginLossCases.recipes()
        case .cosineEmbeddingLoss: CosineEmbeddingLossCases.recipes()
        case .multiMarginLoss: MultiMarginLossCases.recipes()
        case .tripletMarginLoss: TripletMarginLossCases.recipes()
        case .tripletMarginWithDistanceLoss: TripletMarginWithDistanceLossCases.recipes()
        }
    }
}
