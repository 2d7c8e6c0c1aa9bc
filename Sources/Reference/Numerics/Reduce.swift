@_spi(Kernels) import LossSpec

/// Reduction of an unreduced loss and the matching upstream gradient, shared by every loss.
enum Reduce {
    /// Reduces `values` (shape `shape`) with its per-element error `scales`.
    ///
    /// `divisor` is the loss's own mean divisor (numel for the generic rule). The scale of a sum is
    /// Σ scaleᵢ — the bound on the rounding error of any summation order — divided like the result.
    static func apply(_ values: [Double], scales: [Double], shape: [Int], reduction: Reduction,
                      divisor: Double) -> (output: Tensor<Double>, scale: Tensor<Double>) {
        switch reduction {
        case .none:
            return (Tensor(shape: shape, scalars: values), Tensor(shape: shape, scalars: scales))
        case .sum:
            return (Tensor(scalar: CompensatedSum.sum(values)), Tensor(scalar: CompensatedSum.sum(scales)))
        case .mean, .batchmean:
            return (Tensor(scalar: CompensatedSum.sum(values) / divisor),
                    Tensor(scalar: CompensatedSum.sum(scales) / abs(divisor)))
        }
    }

    /// The upstream gradient of every unreduced element: `grad_output` itself for 'none' (which must
    /// have the unreduced shape), `g` for 'sum', `g / divisor` for 'mean'/'batchmean'.
    /// Returns nil when no `grad_output` was given (forward only).
    static func upstream(_ gradOutput: Tensor<Double>?, reduction: Reduction, shape: [Int],
                         divisor: Double) throws -> [Double]? {
        guard let g = gradOutput else { return nil }
        let n = Shape.count(shape)
        switch reduction {
        case .none:
            guard g.shape == shape else {
                throw LossError(.shapeMismatch, argument: "grad_output",
                                "must have the output's shape \(shape), got \(g.shape)")
            }
            return g.scalars
        case .sum, .mean, .batchmean:
            guard g.shape.isEmpty else {
                throw LossError(.shapeMismatch, argument: "grad_output",
                                "a reduced loss is 0-dim, so grad_output must have shape [], got \(g.shape)")
            }
            let scale = reduction == .sum ? g.scalars[0] : g.scalars[0] / divisor
            return [Double](repeating: scale, count: n)
        }
    }

    /// Sums a gradient computed on the broadcast shape back onto an argument's own shape
    /// (the adjoint of broadcasting), with compensated accumulation per target element.
    static func sumToShape(_ values: [Double], from full: [Int], to shape: [Int]) -> [Double] {
        if full == shape { return values }
        let map = Shape.broadcastIndices(from: shape, to: full)
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: Shape.count(shape))
        for (k, v) in values.enumerated() { sums[map[k]].add(v) }
        return sums.map(\.value)
    }

    /// Reads `tensor` at every element of the broadcast shape `full`.
    static func expand(_ tensor: Tensor<Double>, to full: [Int]) -> [Double] {
        if tensor.shape == full { return tensor.scalars }
        return Shape.broadcastIndices(from: tensor.shape, to: full).map { tensor.scalars[$0] }
    }
}

/// Collects the roles of a `LossResult` with their scales.
struct ResultBuilder {
    private(set) var result = LossResult()

    mutating func set(_ role: String, _ values: Tensor<Double>, scale: Tensor<Double>) {
        precondition(values.shape == scale.shape, "scale of \(role) has the wrong shape")
        result.outputs[role] = values
        result.scales[role] = scale
    }

    /// Stores the gradient of argument `name` (shape `shape`) from per-element values and scales
    /// on the broadcast shape `full`.
    mutating func setGradient(_ name: String, shape: [Int], full: [Int], values: [Double], scales: [Double]) {
        set("grad_\(name)",
            Tensor(shape: shape, scalars: Reduce.sumToShape(values, from: full, to: shape)),
            scale: Tensor(shape: shape, scalars: Reduce.sumToShape(scales.map(abs), from: full, to: shape)))
    }
}
