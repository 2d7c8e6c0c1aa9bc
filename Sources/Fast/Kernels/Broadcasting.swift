@_spi(Kernels) import LossSpec

/// Broadcasting for the general (slow) paths: materialise an argument on the broadcast shape,
/// and sum a gradient back onto an argument's shape. The hot paths never come here: they run
/// when shapes already agree.
enum Broadcasting {
    static func expand(_ t: Tensor<Float>, to full: [Int]) -> [Float] {
        if t.shape == full { return t.scalars }
        return Shape.broadcastIndices(from: t.shape, to: full).map { t.scalars[$0] }
    }

    /// Adjoint of `expand`, accumulating in Double so the sum's error stays at one rounding.
    static func sumToShape(_ values: [Float], from full: [Int], to shape: [Int]) -> [Float] {
        if full == shape { return values }
        let map = Shape.broadcastIndices(from: shape, to: full)
        var sums = [Double](repeating: 0, count: Shape.count(shape))
        for (k, v) in values.enumerated() { sums[map[k]] += Double(v) }
        return sums.map { Float($0) }
    }
}

/// The upstream gradient of every unreduced element.
enum Upstream {
    /// 'sum'/'mean': one value for every element.
    case uniform(Float)
    /// 'none': grad_output, elementwise.
    case elementwise([Float])

    /// - Throws: `shape_mismatch` on grad_output when its shape is not the output's.
    static func make(_ gradOutput: Tensor<Float>?, reduction: Reduction, shape: [Int], divisor: Double) throws -> Upstream? {
        guard let g = gradOutput else { return nil }
        switch reduction {
        case .none:
            guard g.shape == shape else {
                throw LossError(.shapeMismatch, argument: "grad_output", "must have the output's shape \(shape), got \(g.shape)")
            }
            return .elementwise(g.scalars)
        case .sum, .mean, .batchmean:
            guard g.shape.isEmpty else {
                throw LossError(.shapeMismatch, argument: "grad_output",
                                "a reduced loss is 0-dim, so grad_output must have shape [], got \(g.shape)")
            }
            return .uniform(reduction == .sum ? g.scalars[0] : Float(Double(g.scalars[0]) / divisor))
        }
    }
}
