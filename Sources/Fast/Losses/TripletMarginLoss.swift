@_spi(Kernels) import LossSpec

extension Fast {
    /// Triplet margin loss in Float32, mirroring `torch.nn.functional.triplet_margin_loss(anchor,
    /// positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction='mean')` (see
    /// `Reference.tripletMarginLoss` for the definition, kinks and edge cases).
    ///
    /// Cost: p = 2 with equal shapes runs the fused SIMD row kernel of `FastTriplet` (one read of
    /// each row for the forward, a second pass over the cached row for the gradients), rows chunked
    /// across threads; other p or broadcasting take the scalar general path. Accuracy: one Float
    /// sum of D terms per distance.
    package static func tripletMarginLoss(anchor: Tensor<Float>, positive: Tensor<Float>, negative: Tensor<Float>,
                                         margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false,
                                         reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil,
                                         threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try FastTriplet.evaluate(anchor: anchor, positive: positive, negative: negative,
                                 distance: .pNorm(p: Float(p), eps: Float(eps)), margin: margin, swap: swap,
                                 reduction: reduction, gradOutput: gradOutput, threads: threads)
    }

    static func tripletMarginLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try tripletMarginLoss(anchor: a.requiredFloat("anchor"), positive: a.requiredFloat("positive"),
                              negative: a.requiredFloat("negative"), margin: o.margin, p: o.p, eps: o.eps,
                              swap: o.swap, reduction: o.reduction, gradOutput: a.float("grad_output"),
                              threads: threads)
    }
}
