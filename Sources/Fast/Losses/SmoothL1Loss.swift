@_spi(Kernels) import LossSpec

/// z = |d|: ½z²/β if z < β, else z − ½β; derivative −1 if d ≤ −β, 1 if d ≥ β, else d/β (NaN stays
/// NaN), exactly PyTorch's kernels (divisions, not reciprocals, to round as they do). β > 0 here:
/// β = 0 is routed to `L1Kernel`.
enum SmoothL1Kernel: RegressionKernel {
    @inline(__always) static func loss(_ d: SIMD16<Float>, _ beta: Float) -> SIMD16<Float> {
        let z = VectorMath.abs(d)
        let linear = z - 0.5 * beta
        return linear.replacing(with: 0.5 * z * z / beta, where: z .< beta)
    }
    @inline(__always) static func derivative(_ d: SIMD16<Float>, _ beta: Float) -> SIMD16<Float> {
        (d / beta).replacing(with: 1, where: d .>= beta).replacing(with: -1, where: d .<= -beta)
    }
}

extension Fast {
    /// Smooth L1 loss in Float32, mirroring `torch.nn.functional.smooth_l1_loss` (see
    /// `Reference.smoothL1Loss` for the definition and edge cases): β = 0 is `l1Loss`, values and
    /// gradients (`sgn(0) = 0`, NaN d → 0); β is rounded to Float as PyTorch does for float32.
    ///
    /// Cost: one read of input and target (equal shapes); forward+backward writes both gradients
    /// in the same pass. Accuracy: per element one rounding of d and at most three more; sums
    /// per-lane Float per chunk, then Double.
    ///
    /// - Throws: `invalid_option` for β < 0 or NaN, besides the shared regression errors.
    package static func smoothL1Loss(input: Tensor<Float>, target: Tensor<Float>, reduction: Reduction = .mean,
                                    beta: Double = 1, gradOutput: Tensor<Float>? = nil,
                                    threads: Int = Parallel.defaultThreads) throws -> FastResult {
        try PointwiseRegressionValidation.beta(beta)
        if beta == 0 {
            return try l1Loss(input: input, target: target, reduction: reduction, gradOutput: gradOutput, threads: threads)
        }
        return try FastRegression.evaluate(SmoothL1Kernel.self, parameter: Float(beta), input: input, target: target,
                                           weight: nil, reduction: reduction, reductionIsDeprecatedAlias: false,
                                           gradOutput: gradOutput, weightedMean: .byNumel, threads: threads)
    }

    static func smoothL1Loss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try smoothL1Loss(input: a.requiredFloat("input"), target: a.requiredFloat("target"), reduction: o.reduction,
                         beta: o.beta, gradOutput: a.float("grad_output"), threads: threads)
    }
}
