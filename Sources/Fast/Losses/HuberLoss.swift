@_spi(Kernels) import LossSpec

/// z = |d|: ½z² if z < δ, else δ·(z − ½δ); derivative −δ if d ≤ −δ, δ if d ≥ δ, else d (so NaN
/// stays NaN), exactly PyTorch's kernels and their branch choice at |d| = δ.
enum HuberKernel: RegressionKernel {
    @inline(__always) static func loss(_ d: SIMD16<Float>, _ delta: Float) -> SIMD16<Float> {
        let z = VectorMath.abs(d)
        let linear = delta * (z - 0.5 * delta)
        return linear.replacing(with: 0.5 * z * z, where: z .< delta)
    }
    @inline(__always) static func derivative(_ d: SIMD16<Float>, _ delta: Float) -> SIMD16<Float> {
        d.replacing(with: delta, where: d .>= delta).replacing(with: -delta, where: d .<= -delta)
    }
}

extension Fast {
    /// Huber loss in Float32, mirroring `torch.nn.functional.huber_loss` (see `Reference.huberLoss`
    /// for the definition, the weighted mean `Σw·l/numel` and edge cases). δ is rounded to Float
    /// as PyTorch does for float32 tensors.
    ///
    /// Cost: one read of input and target (equal shapes, no weight); forward+backward writes both
    /// gradients in the same pass. Accuracy: per element one rounding of d and at most three more
    /// (the linear branch cancels by at most a factor 3); sums per-lane Float per chunk, then Double.
    ///
    /// - Throws: `invalid_option` for δ ≤ 0 or NaN, besides the shared regression errors.
    package static func huberLoss(input: Tensor<Float>, target: Tensor<Float>, weight: Tensor<Float>? = nil,
                                 reduction: Reduction = .mean, reductionIsDeprecatedAlias: Bool = false,
                                 delta: Double = 1, gradOutput: Tensor<Float>? = nil,
                                 threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try PointwiseRegressionValidation.delta(delta)
        return try FastRegression.evaluate(HuberKernel.self, parameter: Float(delta), input: input, target: target,
                                           weight: weight, reduction: reduction,
                                           reductionIsDeprecatedAlias: reductionIsDeprecatedAlias,
                                           gradOutput: gradOutput, weightedMean: .byNumel, threads: threads)
    }

    static func huberLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try huberLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"), weight: a.float("weight"),
                      reduction: o.reduction, reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                      delta: o.delta, gradOutput: a.float("grad_output"), threads: threads)
    }
}
