@_spi(Kernels) import LossSpec

extension Reference {
    /// Triplet margin loss, mirroring `torch.nn.functional.triplet_margin_loss(anchor, positive,
    /// negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction='mean')` (Docs/Losses/triplet_margin_loss.md).
    ///
    /// **Definition.** Over the last dimension, `dist(u, v) = ‖u − v + eps‖_p` (eps is added to every
    /// component of the difference, so `dist(u, u) = |eps|·D^{1/p}`), with torch.norm's meaning for
    /// any real p: p = 0 counts non-zero components, p = ±inf is the max (min) |component|, negative
    /// p is `(Σ|u_i|^p)^{1/p}` (0 as soon as one component is 0).
    /// `l = max(0, margin + dist(a, p) − dist(a, n))`; with `swap`, `dist(a, n)` is replaced by the
    /// elementwise `min(dist(a, n), dist(p, n))`.
    ///
    /// **Shapes.** The three tensors must have equal ndim, then broadcast (each distance on its own
    /// pair's broadcast shape); `(D)` → 0-dim, `(N, D)` → `(N)`, `(…, D)` → `(…)`; 0-dim arguments
    /// are one-element vectors.
    ///
    /// **Reduction.** Generic: 'mean' = `Σ l / numel`, 'sum' = `Σ l`.
    ///
    /// **Gradients** (all three arguments, summed over broadcast dimensions): with `∇_u = ∂‖u‖_p/∂u`
    /// from torch's `norm_backward`, for `l > 0`: `∂/∂a = ∇(a−p+eps) − ∇(a−n+eps)`,
    /// `∂/∂p = −∇(a−p+eps)`, `∂/∂n = ∇(a−n+eps)`; with swap the negative term goes to the smaller of
    /// the two distances, ½/½ on an exact tie. Kinks: gradient 0 where the hinge is exactly 0, where
    /// a norm is 0 (p > 1), where a component is 0 (p < 1), everywhere for p = 0 (PyTorch returns no
    /// gradient); p = ±inf splits sgn(u) evenly over the components attaining the norm.
    ///
    /// **Edge cases.** Empty batch: 'mean' NaN, 'sum' 0. D = 0: every distance is 0 (l = margin) for
    /// p ≥ 0 finite; negative or infinite p has no identity and is rejected (`empty_input`), as
    /// PyTorch's vector_norm does.
    ///
    /// **Errors.** margin ≤ 0 → `invalid_option`; unequal ndim or non-broadcastable sizes →
    /// `shape_mismatch`; invalid reduction → `invalid_reduction` (checked first, at decoding).
    ///
    /// **Error scale.** `u_i = a_i − p_i + eps` carries rounding u·(|a_i|+|p_i|+|eps|), which moves a
    /// distance by |∇_i| times that; the hinge cancels, so its scale is
    /// `|margin| + scale(d_pos) + scale(d_neg)` even where it clamps to 0. A gradient component
    /// `∝ |u_i|^{p−1}/‖u‖^{p−1}` has relative sensitivity `|p−1|·(δu_i/|u_i| + δ‖u‖/‖u‖)`.
    public static func tripletMarginLoss(anchor: Tensor<Double>, positive: Tensor<Double>, negative: Tensor<Double>,
                                         margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false,
                                         reduction: Reduction = .mean,
                                         gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        try TripletMargin.evaluate(anchor: anchor, positive: positive, negative: negative,
                                   distance: .pNorm(p: p, eps: eps), margin: margin, swap: swap,
                                   reduction: reduction, gradOutput: gradOutput)
    }

    static func tripletMarginLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try tripletMarginLoss(anchor: c.requiredFloat("anchor"), positive: c.requiredFloat("positive"),
                              negative: c.requiredFloat("negative"), margin: o.margin, p: o.p, eps: o.eps,
                              swap: o.swap, reduction: o.reduction, gradOutput: c.float("grad_output"))
    }
}
