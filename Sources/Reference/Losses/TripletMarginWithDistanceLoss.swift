@_spi(Kernels) import LossSpec

extension Reference {
    /// Triplet margin loss with a named distance, mirroring
    /// `torch.nn.functional.triplet_margin_with_distance_loss(anchor, positive, negative, *,
    /// distance_function=None, margin=1.0, swap=False, reduction='mean')` (Docs/Losses/triplet_margin_with_distance_loss.md).
    ///
    /// **Definition.** `d_pos = f(a, p)`, `d_neg = f(a, n)` (swap: `minimum(d_neg, f(p, n))`),
    /// `l = clamp_min(margin + d_pos − d_neg, 0)`, then the generic reduction. The distance is named
    /// in the options (Docs/GoldenDatabase.md), since a golden vector cannot hold a Python callable:
    /// - `nil` (PyTorch's default) and `.pairwiseDistance`: `pairwise_distance(x, y, p=2, eps=1e-6)
    ///   = ‖x − y + 1e-6‖₂` over the last dimension — identical to `triplet_margin_loss`'s defaults.
    /// - `.cosineDistance`: `1 − cosine_similarity(x, y, dim=-1, eps=1e-8)`. PyTorch 2.15 computes
    ///   `Σ (x/max(‖x‖, eps))·(y/max(‖y‖, eps))` — each norm clamped separately (not the product
    ///   `max(‖x‖·‖y‖, eps)` of older releases), and the clamp runs under no_grad, so the backward
    ///   differentiates the unclamped norm: `∂cos/∂x = y/(c_x c_y) − cos·x/(c_x ‖x‖)`, the second term
    ///   0 for a zero vector. (Checked against torch 2.15 autograd with ‖x‖ = 5e-9 < eps.)
    ///
    /// **Shapes, gradients, kinks, empty inputs.** As `tripletMarginLoss` (shared pipeline): equal
    /// ndim then broadcast, distance over the last dimension, 0-dim arguments are one-element
    /// vectors, hinge gradient 0 at exactly 0, ½/½ on a swap tie, gradients to all three arguments.
    /// A cosine distance over D = 0 is `1 − 0/eps² = 1`.
    ///
    /// **Errors, in PyTorch's order.** reduction ('elementwise_mean' is rejected: this loss
    /// compares strings) → `invalid_reduction`; margin ≤ 0 → `invalid_option`; unequal ndim or
    /// non-broadcastable sizes → `shape_mismatch`.
    ///
    /// **Error scale.** Pairwise: as `tripletMarginLoss`. Cosine: `1 − cos` cancels against 1 and the
    /// dot product's rounding is relative to `Σ|x y|/(c_x c_y)`, so `scale(f) = 1 + Σ|x y|/(c_x c_y) + |cos|`.
    public static func tripletMarginWithDistanceLoss(
        anchor: Tensor<Double>, positive: Tensor<Double>, negative: Tensor<Double>,
        distanceFunction: DistanceFunction? = nil, margin: Double = 1, swap: Bool = false,
        reduction: Reduction = .mean, gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        let distance: TripletMargin.Distance = switch distanceFunction {
        case nil, .pairwiseDistance?: .pNorm(p: 2, eps: 1e-6)
        case .cosineDistance?: .cosine(eps: 1e-8)
        }
        return try TripletMargin.evaluate(anchor: anchor, positive: positive, negative: negative,
                                          distance: distance, margin: margin, swap: swap,
                                          reduction: reduction, gradOutput: gradOutput)
    }

    static func tripletMarginWithDistanceLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try tripletMarginWithDistanceLoss(
            anchor: c.requiredFloat("anchor"), positive: c.requiredFloat("positive"),
            negative: c.requiredFloat("negative"), distanceFunction: o.distanceFunction, margin: o.margin,
            swap: o.swap, reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
