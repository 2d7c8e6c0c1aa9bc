@_spi(Kernels) import LossSpec

/// KLDiv on `LikelihoodLanes` (8 lanes, 16 on the AVX-512 build) (`Reference.klDiv` for the definition): arguments input x, target y.
struct KLDivKernel: ElementwiseKernel {
    var logTarget: Bool

    @inline(__always) func loss(_ x: V, _ y: V, _: V) -> V {
        if logTarget { return VectorMath.exp(y) * (y - x) }
        return xlogy(y, y, VectorMath.log(y)) - y * x
    }

    @inline(__always) func lossAndGradients(_ x: V, _ y: V, _: V, _ u: V) -> (loss: V, a: V, b: V, c: V) {
        if logTarget {
            let e = VectorMath.exp(y)
            return (e * (y - x), -e * u, u * (y - x) * e + u * e, .zero)
        }
        let ly = VectorMath.log(y)
        // xlogy's derivative in its first argument is masked where that argument is 0; y/y makes
        // the second argument's derivative 0/0 = NaN at y = 0, as autograd does.
        let first = xlogy(u, y, ly).replacing(with: 0, where: y .== 0)
        return (xlogy(y, y, ly) - y * x, -y * u, first + u * (y / y) - u * x, .zero)
    }

    /// PyTorch's xlogy(a, b) given log b: NaN where b is NaN, else 0 where a = 0, else a·log b.
    @inline(__always) func xlogy(_ a: V, _ b: V, _ logB: V) -> V {
        (a * logB).replacing(with: 0, where: (a .== 0) .& (b .== b))
    }
}

extension Fast {
    /// Kullback–Leibler divergence in Float32, mirroring `torch.nn.functional.kl_div` (see
    /// `Reference.klDiv`: xlogy at y = 0, the NaN target gradient there, 'batchmean' dividing by the
    /// input's own first size).
    ///
    /// Cost: one read of input and target and one vector log (or exp with `log_target`) per
    /// element; forward+backward writes both gradients in the same pass. Accuracy: a few roundings
    /// and the vector log's ≤ 4 ulp (libmvec) or exp's < 1 ulp per element; sums as in `FastElementwise`. Float32 semantics: with
    /// `log_target`, exp(y) overflows above y ≈ 88.7.
    package static func klDiv(input: Tensor<Float>, target: Tensor<Float>, reduction: Reduction = .mean,
                             logTarget: Bool = false, gradOutput: Tensor<Float>? = nil,
                             threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let (shape, divisor) = try KLDivValidation.shape(input: input.shape, target: target.shape, reduction: reduction)
        return try FastElementwise.evaluate(
            KLDivKernel(logTarget: logTarget), arguments: [.init("input", input), .init("target", target)],
            shape: shape, reduction: reduction, divisor: Double(divisor), gradOutput: gradOutput, threads: threads)
    }

    static func klDiv(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try klDiv(input: a.requiredFloat("input"), target: a.requiredFloat("target"), reduction: o.reduction,
                  logTarget: o.logTarget, gradOutput: a.float("grad_output"), threads: threads)
    }
}
