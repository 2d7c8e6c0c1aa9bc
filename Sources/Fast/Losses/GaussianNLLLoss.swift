@_spi(Kernels) import LossSpec

/// GaussianNLL on `LikelihoodLanes` (8 lanes, 16 on the AVX-512 build) (`Reference.gaussianNLLLoss` for the definition): arguments input x,
/// target y, var.
struct GaussianKernel: ElementwiseKernel {
    var full: Bool
    var eps: Float

    /// max(var, eps), NaN kept; −0 < eps is clamped too.
    @inline(__always) func clamped(_ variance: V) -> V {
        variance.replacing(with: eps, where: variance .< eps)
    }

    @inline(__always) func loss(_ x: V, _ y: V, _ variance: V) -> V {
        let v = clamped(variance), d = x - y
        let l = 0.5 * (VectorMath.log(v) + d * d / v)
        return full ? l + FastElementwise.halfLog2Pi : l
    }

    @inline(__always) func lossAndGradients(_ x: V, _ y: V, _ variance: V, _ u: V) -> (loss: V, a: V, b: V, c: V) {
        let v = clamped(variance), d = x - y
        let q = d * d / v
        var l = 0.5 * (VectorMath.log(v) + q)
        if full { l += FastElementwise.halfLog2Pi }
        let gx = u * d / v
        // ½u·(1/v − d²/v²) as ½u·(1 − q)/v: no v², which overflows Float32 for v > 1.8e19.
        let gv = 0.5 * u * (1 - q) / v
        return (l, gx, -gx, gv)
    }
}

extension Fast {
    /// Gaussian negative log-likelihood in Float32, mirroring `torch.nn.functional.gaussian_nll_loss`
    /// with a tensor `var` (see `Reference.gaussianNLLLoss`: the checks in PyTorch's order, the
    /// accepted var shapes, the clamp that autograd does not see).
    ///
    /// Cost: var's negative check first, a SIMD scan on all threads (PyTorch checks it before the
    /// shapes; as a scalar scan it was 40% of the forward), then one read of input, target and var,
    /// one vector log and one division per element (forward), two more divisions with gradients,
    /// all in the same pass. Accuracy: a few roundings
    /// and libmvec's ≤ 4 ulp log per element; eps is rounded to Float32 (a var between the two
    /// roundings of eps moves the loss by at most eps·2⁻²⁴ relative). Sums as in `FastElementwise`.
    package static func gaussianNLLLoss(input: Tensor<Float>, target: Tensor<Float>, variance: Tensor<Float>,
                                       full: Bool = false, eps: Float = 1e-6, reduction: Reduction = .mean,
                                       gradOutput: Tensor<Float>? = nil,
                                       threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (varShape, shape) = try GaussianNLLValidation.shapes(input: input.shape, target: target.shape, variance: variance.shape,
                                                                 hasNegative: Streams.anyNegative(variance.scalars, threads: threads))
        return try FastElementwise.evaluate(
            GaussianKernel(full: full, eps: eps),
            arguments: [.init("input", input), .init("target", target), .init("var", variance, as: varShape)],
            shape: shape, reduction: reduction, divisor: Double(Shape.count(shape)), gradOutput: gradOutput,
            threads: threads)
    }

    static func gaussianNLLLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try gaussianNLLLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"),
                            variance: a.requiredFloat("var"), full: o.full, eps: Float(o.eps), reduction: o.reduction,
                            gradOutput: a.float("grad_output"), threads: threads)
    }
}
