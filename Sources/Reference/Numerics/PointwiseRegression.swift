@_spi(Kernels) import LossSpec

/// The shared pipeline of the regression losses `l(x − y)` (L1, MSE, Huber, SmoothL1):
/// warn-and-broadcast of input and target (Docs/Semantics.md#shapes), the functional-only `weight`, the reduction
/// and the gradients of input, target and weight. Each loss supplies only `l(d)` and `l'(d)`.
enum PointwiseRegression {
    /// What 'mean' divides by when a weight is given.
    enum WeightedMean {
        /// L1, MSE: `Σ w·l / Σ w` (Σ over the weight's own elements).
        case byWeightSum
        /// Huber: `Σ w·l / numel`, like the unweighted mean.
        case byNumel
    }

    /// - Parameters:
    ///   - loss: `d ↦ (l(d), error scale of l(d))`.
    ///   - derivative: `d ↦ (l'(d), error scale of l'(d))`, with PyTorch's value at kinks.
    static func evaluate(
        input: Tensor<Double>, target: Tensor<Double>, weight: Tensor<Double>?,
        reduction: Reduction, reductionIsDeprecatedAlias: Bool, gradOutput: Tensor<Double>?,
        weightedMean: WeightedMean,
        loss: (Double) -> (Double, Double),
        derivative: (Double) -> (Double, Double)
    ) throws -> LossResult {
        let full = try PointwiseRegressionValidation.shape(
            input: input.shape, target: target.shape, weight: weight?.shape,
            reductionIsDeprecatedAlias: reductionIsDeprecatedAlias)
        let xs = Reduce.expand(input, to: full)
        let ys = Reduce.expand(target, to: full)
        let ws = weight.map { Reduce.expand($0, to: full) }
        let n = xs.count
        var d = [Double](repeating: 0, count: n)
        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        for k in 0..<n {
            d[k] = xs[k] - ys[k]
            let (l, s) = loss(d[k])
            let w = ws?[k] ?? 1
            values[k] = w * l
            scales[k] = abs(w) * s
        }

        // The mean divisor, and for L1/MSE's weighted mean the weight sum W with its own error.
        var divisor = Double(n)
        var weightSum = 0.0, weightAbsSum = 0.0
        if let weight, weightedMean == .byWeightSum {
            weightSum = CompensatedSum.sum(weight.scalars)
            weightAbsSum = CompensatedSum.sum(weight.scalars.lazy.map(abs))
            divisor = weightSum
        }
        var (output, outputScale) = Reduce.apply(values, scales: scales, shape: full, reduction: reduction,
                                                 divisor: divisor)
        let weightedByW = weight != nil && weightedMean == .byWeightSum && reduction == .mean
        if weightedByW {
            // Cancellation in W: relative error Σ|w|/|W| on top of the numerator's.
            outputScale = Tensor(scalar: outputScale[0] + abs(output[0]) * weightAbsSum / abs(weightSum))
        }
        var builder = ResultBuilder()
        builder.set("output", output, scale: outputScale)

        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: full, divisor: divisor) else {
            return builder.result
        }
        // Relative error of W propagated into every gradient of a weighted mean.
        let wFactor = weightedByW ? weightAbsSum / abs(weightSum) : 1
        var gx = [Double](repeating: 0, count: n)
        var gxScale = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let (dl, ds) = derivative(d[k])
            let w = ws?[k] ?? 1
            gx[k] = up[k] * w * dl
            gxScale[k] = abs(up[k] * w) * ds * wFactor
        }
        builder.setGradient("input", shape: input.shape, full: full, values: gx, scales: gxScale)
        builder.setGradient("target", shape: target.shape, full: full, values: gx.map { -$0 }, scales: gxScale)

        if let weight {
            var gw = [Double](repeating: 0, count: n)
            var gwScale = [Double](repeating: 0, count: n)
            for k in 0..<n {
                let (l, s) = loss(d[k])
                gw[k] = up[k] * l
                gwScale[k] = abs(up[k]) * s * wFactor
            }
            if weightedByW {
                // ∂(S/W)/∂w_j = Σ_{b→j} l_b/W − S/W²: the second term once per weight element.
                let g = gradOutput?.scalars.first ?? 0
                let s = output[0]  // S/W
                let correction = g * s / weightSum
                var sums = Reduce.sumToShape(gw, from: full, to: weight.shape)
                var sumScales = Reduce.sumToShape(gwScale, from: full, to: weight.shape)
                for j in sums.indices {
                    sums[j] -= correction
                    sumScales[j] += abs(correction) * (1 + wFactor)
                }
                builder.set("grad_weight", Tensor(shape: weight.shape, scalars: sums),
                            scale: Tensor(shape: weight.shape, scalars: sumScales))
            } else {
                builder.setGradient("weight", shape: weight.shape, full: full, values: gw, scales: gwScale)
            }
        }
        return builder.result
    }
}
