@_spi(Kernels) import LossSpec

// ClassScores (the class-index layout and its checks) lives in LossSpec/Validation/ClassIndexValidation.swift.

/// The hinge test of the multi-class margin losses (Docs/Semantics.md#kinks, Docs/Losses/multilabel_margin_loss.md, Docs/Losses/multi_margin_loss.md).
enum MarginHinge {
    /// Whether the error scale must count a hinge term `z` whose parts have magnitude `parts`
    /// (|margin| + |x_target| + |x_other|): PyTorch's strict `z > 0` drops NaN and non-positive `z`,
    /// but a Float32 evaluation may see `z` up to a few eps32·parts above a slightly negative exact
    /// value, so a term that close to the kink may legitimately appear there with that magnitude.
    static func counts(z: Double, parts: Double) -> Bool {
        z > -4 * Double(Float.ulpOfOne) * parts
    }
}

/// The reduction of NLL and CrossEntropy with class-index targets: 'mean' divides by
/// `W = Σ_{valid n} w_{y_n}` (the count of valid positions without a weight), not by numel.
struct WeightSumReduction {
    let output: Tensor<Double>
    let outputScale: Tensor<Double>
    /// The upstream gradient of every position (`g_n`, `g` or `g/W`); nil without `grad_output`.
    let upstream: [Double]?
    /// The relative error of W (`Σ|w|/|W|`, 1 without cancellation), which every gradient of a
    /// 'mean' carries on top of its own.
    let gradientFactor: Double

    /// - Parameters:
    ///   - values, scales: the per-position loss and its error scale (0 at ignored positions).
    ///   - weightSum, weightAbsSum: `W` and `Σ_{valid n} |w_{y_n}|`.
    init(values: [Double], scales: [Double], shape: [Int], reduction: Reduction,
         weightSum: Double, weightAbsSum: Double, gradOutput: Tensor<Double>?) throws {
        var (output, outputScale) = Reduce.apply(values, scales: scales, shape: shape, reduction: reduction,
                                                 divisor: weightSum)
        // Negative weights can cancel in W; its relative error Σ|w|/|W| then multiplies the result's.
        // With no valid position (W = Σ|w| = 0) the result is NaN and there is nothing to scale.
        let isMean = reduction == .mean || reduction == .batchmean
        let factor = isMean && weightAbsSum > 0 ? weightAbsSum / abs(weightSum) : 1
        if isMean && factor != 1 {
            outputScale = Tensor(scalar: outputScale[0] + abs(output[0]) * factor)
        }
        self.output = output
        self.outputScale = outputScale
        self.gradientFactor = factor
        self.upstream = try Reduce.upstream(gradOutput, reduction: reduction, shape: shape, divisor: weightSum)
    }
}
