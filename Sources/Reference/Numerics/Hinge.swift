/// PyTorch's hinge `clamp_min(z, 0)` and its conventions (Docs/Semantics.md#kinks), shared by the margin losses.
enum Hinge {
    /// `max(0, z)` that propagates NaN like `clamp_min` (Swift's `max(0, .nan)` returns 0).
    static func clamp(_ z: Double) -> Double {
        z.isNaN ? z : (z > 0 ? z : 0)
    }

    /// The hinge's derivative: 1 for `z > 0`, 0 at exactly 0 and for NaN (PyTorch's strict test).
    static func slope(_ z: Double) -> Double {
        z > 0 ? 1 : 0
    }

    /// Error scale of `max(0, z)` when `z` carries rounding error proportional to `parts`.
    ///
    /// Active elements carry `parts`. Inactive ones are exactly 0 in any precision, unless `z` is
    /// so close to the kink that a Float32 evaluation may land on the other side — then the
    /// Float32 value can be up to ~eps32·parts, so `parts` stays. 2⁻¹⁶ is far above any Float32
    /// rounding of `z` (≈ 2⁻²³·parts) yet leaves clearly inactive elements out of sums' scales.
    static func scale(_ z: Double, parts: Double) -> Double {
        z > 0 || abs(z) <= parts * 0x1p-16 ? parts : 0
    }
}
