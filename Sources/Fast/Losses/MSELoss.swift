@_spi(Kernels) import LossSpec

/// (x − y)², derivative 2(x − y).
enum MSEKernel: RegressionKernel {
    @inline(__always) static func loss(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float> { d * d }
    @inline(__always) static func derivative(_ d: SIMD16<Float>, _ p: Float) -> SIMD16<Float> { d + d }
}

extension Fast {
    /// Mean squared error in Float32, mirroring `torch.nn.functional.mse_loss` (see
    /// `Reference.mseLoss` for the definition, reduction rule and edge cases).
    ///
    /// Cost: one read of input and target; forward+backward also writes both gradients in the
    /// same pass. Accuracy: each element is exact to one rounding of d and one of d²; sums are
    /// per-lane Float over at most 1 K elements, combined in Double.
    package static func mseLoss(input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil,
                               reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                               gradOutput: Tensor<Float>? = nil, threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try FastRegression.evaluate(MSEKernel.self, parameter: 0, input: input, target: target, weight: weight,
                                    reduction: reduction, reductionIsDeprecatedAlias: reductionIsDeprecatedAlias,
                                    gradOutput: gradOutput, weightedMean: .byWeightSum, threads: threads)
    }

    static func mseLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try mseLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"), weight: a.float("weight"),
                    reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                    gradOutput: a.float("grad_output"), threads: threads)
    }
}
