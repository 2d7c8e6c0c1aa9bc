@_spi(Kernels) import LossSpec

/// The Double-precision reference implementation of PyTorch's 21 losses: forward, gradients of
/// `sum(grad_output * output)` for every argument PyTorch differentiates, and the error scale of
/// Docs/Tolerance.md for every output element.
///
/// Each loss has a typed entry point mirroring its `torch.nn.functional` signature
/// (`Reference.mseLoss(input:target:weight:reduction:gradOutput:)`, …) in `Losses/<Name>.swift`,
/// and `evaluate(_:)` runs any `LossCase` (JSON options, tensors by torch name).
public enum Reference {
    /// Evaluates one case. Gradients are returned only when the case has `grad_output`.
    ///
    /// - Throws: `LossError` for every input PyTorch rejects, and for unknown options or arguments.
    public static func evaluate(_ c: LossCase) throws -> LossResult {
        try c.checkArgumentNames()
        let o = try c.decodedOptions()
        switch c.loss {
        case .l1Loss: return try l1Loss(c, o)
        case .mseLoss: return try mseLoss(c, o)
        case .crossEntropy: return try crossEntropy(c, o)
        case .ctcLoss: return try ctcLoss(c, o)
        case .nllLoss: return try nllLoss(c, o)
        case .poissonNLLLoss: return try poissonNLLLoss(c, o)
        case .gaussianNLLLoss: return try gaussianNLLLoss(c, o)
        case .klDiv: return try klDiv(c, o)
        case .binaryCrossEntropy: return try binaryCrossEntropy(c, o)
        case .binaryCrossEntropyWithLogits: return try binaryCrossEntropyWithLogits(c, o)
        case .marginRankingLoss: return try marginRankingLoss(c, o)
        case .hingeEmbeddingLoss: return try hingeEmbeddingLoss(c, o)
        case .multilabelMarginLoss: return try multilabelMarginLoss(c, o)
        case .huberLoss: return try huberLoss(c, o)
        case .smoothL1Loss: return try smoothL1Loss(c, o)
        case .softMarginLoss: return try softMarginLoss(c, o)
        case .multilabelSoftMarginLoss: return try multilabelSoftMarginLoss(c, o)
        case .cosineEmbeddingLoss: return try cosineEmbeddingLoss(c, o)
        case .multiMarginLoss: return try multiMarginLoss(c, o)
        case .tripletMarginLoss: return try tripletMarginLoss(c, o)
        case .tripletMarginWithDistanceLoss: return try tripletMarginWithDistanceLoss(c, o)
        }
    }
}
