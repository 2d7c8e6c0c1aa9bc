@_spi(Kernels) import LossSpec

/// |x − y|, derivative PyTorch's `sgn(d) = (0 < d) − (d < 0)`: 0 at ±0 and at NaN.
enum L1Kernel: RegressionKernel {
    @inline(__always) static func loss(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float> { VectorMath.abs(d) }
    @inline(__always) static func derivative(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float> {
        SIMD16<Float>().replacing(with: 1, where: d .> 0).replacing(with: -1, where: d .< 0)
    }
}

extension Fast {
    /// Mean absolute error in Float32, mirroring `torch.nn.functional.l1_loss` (see
    /// `Reference.l1Loss` for the definition, the weighted mean `Σw|d|/Σw` and edge cases).
    ///
    /// Cost: one read of input and target (equal shapes, no weight); forward+backward writes both
    /// gradients in the same pass. Accuracy: each element is exact to one rounding of d (|d| and
    /// the sign add none); sums are per-lane Float within a chunk, combined in Double.
    package static func l1Loss(input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil,
                              reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                              gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try FastRegression.evaluate(L1Kernel.self, parameter: 0, input: input, target: target, weight: weight,
                                    reduction: reduction, reductionIsDeprecatedAlias: reductionIsDeprecatedAlias,
                                    gradOutput: gradOutput, weightedMean: .byWeightSum, threads: threads)
    }

    static func l1Loss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try l1Loss(input: a.requiredFloat("input"), target: a.requiredFloat("target"), weight: a.float("weight"),
                   reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                   gradOutput: a.float("grad_output"), threads: threads)
    }
}
