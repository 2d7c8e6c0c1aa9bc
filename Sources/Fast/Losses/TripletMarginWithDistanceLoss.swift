@_spi(Kernels) import LossSpec

extension Fast {
    /// Triplet margin loss with a named distance in Float32, mirroring
    /// `torch.nn.functional.triplet_margin_with_distance_loss(anchor, positive, negative, *,
    /// distance_function=None, margin=1.0, swap=False, reduction='mean')` (see
    /// `Reference.tripletMarginWithDistanceLoss`): nil and `.pairwiseDistance` are
    /// `‖x − y + 1e-6‖₂`, `.cosineDistance` is `1 − cosine_similarity(x, y, eps=1e-8)` with each
    /// norm clamped separately.
    ///
    /// Cost and accuracy: as `tripletMarginLoss` (both distances have a fused SIMD row kernel).
    package static func tripletMarginWithDistanceLoss(
        anchor: Tensor<Float>, positive: Tensor<Float>, negative: Tensor<Float>,
        distanceFunction: DistanceFunction? = nil, margin: Double = 1, swap: Bool = false,
        reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads
    ) throws -> FastResult {
        let distance: FastTripletDistance = switch distanceFunction {
        case nil, .pairwiseDistance?: .pNorm(p: 2, eps: 1e-6)
        case .cosineDistance?: .cosine(eps: 1e-8)
        }
        return try FastTriplet.evaluate(anchor: anchor, positive: positive, negative: negative, distance: distance,
                                        margin: margin, swap: swap, reduction: reduction, gradOutput: gradOutput,
                                        threads: threads)
    }

    static func tripletMarginWithDistanceLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try tripletMarginWithDistanceLoss(
            anchor: a.requiredFloat("anchor"), positive: a.requiredFloat("positive"),
            negative: a.requiredFloat("negative"), distanceFunction: o.distanceFunction, margin: o.margin,
            swap: o.swap, reduction: o.reduction, gradOutput: a.float("grad_output"), threads: threads)
    }
}
