@_spi(Kernels) import LossSpec

/// PoissonNLL on `LikelihoodLanes` (8 lanes, 16 on the AVX-512 build) (`Reference.poissonNLLLoss` for the definition).
/// The options `log_input` and `full` as types, so each of their four combinations is a
/// specialization of `PoissonKernel` with its branches folded away. As stored flags they were
/// tested in the loop, and the `full` path's libmvec calls, though never taken for
/// `full = false`, made LLVM keep the step out of line and spill around it: poisson_nll_loss's
/// forward ran at 84% of its exp bound, and beside torch.compile's.
protocol PoissonOptions {
    static var logInput: Bool { get }
    static var full: Bool { get }
}

enum PoissonOptionSet {
    enum LogInput: PoissonOptions { static let logInput = true, full = false }
    enum LogInputFull: PoissonOptions { static let logInput = true, full = true }
    enum Rate: PoissonOptions { static let logInput = false, full = false }
    enum RateFull: PoissonOptions { static let logInput = false, full = true }
}

struct PoissonKernel<Options: PoissonOptions>: ElementwiseKernel {
    var eps: Float
    var logInput: Bool { Options.logInput }
    var full: Bool { Options.full }

    @inline(__always) func loss(_ x: V, _ y: V, _: V) -> V {
        var l = logInput ? VectorMath.exp(x) - y * x : x - y * VectorMath.log(x + eps)
        if full { l += stirling(y, VectorMath.log(y)) }
        return l
    }

    @inline(__always) func lossAndGradients(_ x: V, _ y: V, _: V, _ u: V) -> (loss: V, a: V, b: V, c: V) {
        var l: V, gx: V, gy: V
        if logInput {
            let e = VectorMath.exp(x)
            (l, gx, gy) = (e - y * x, u * e - u * y, -u * x)
        } else {
            let v = x + eps
            let lv = VectorMath.log(v)
            (l, gx, gy) = (x - y * lv, u - u * y / v, -u * lv)
        }
        if full {
            let ly = VectorMath.log(y)
            l += stirling(y, ly)
            // Autograd through the masked Stirling term: its upstream is 0 where y ≤ 1, which still
            // meets log 0 = −inf, 0/0 and 0.5/0 at y = 0 (NaN), and log y = NaN for y < 0.
            let m = u.replacing(with: 0, where: y .<= 1)
            let t: V = m * ly + m * (y / y)
            let half: V = 0.5 / y
            gy += t - m + m * half
        }
        return (l, gx, gy, .zero)
    }

    /// y·log y − y + ½·log(2πy), masked to 0 where y ≤ 1 (a NaN y is kept).
    @inline(__always) func stirling(_ y: V, _ ly: V) -> V {
        let a: V = y * ly - y
        let b: V = 0.5 * ly + FastElementwise.halfLog2Pi
        return (a + b).replacing(with: 0, where: y .<= 1)
    }
}

extension Fast {
    /// Poisson negative log-likelihood in Float32, mirroring `torch.nn.functional.poisson_nll_loss`
    /// (see `Reference.poissonNLLLoss` for the definition, the Stirling mask and its NaN target
    /// gradient at y ≤ 0).
    ///
    /// Cost: one read of input and target, one vector exp (log_input) or log per 8 elements, one
    /// more log with `full`; forward+backward writes both gradients in the same pass. Accuracy: a
    /// few roundings plus the vector exp's < 1 ulp or log's ≤ 4 ulp (libmvec) per element (½·log 2πy is taken as ½·log y + ½·log 2π,
    /// which differs only where the Stirling term is masked); sums as in `FastElementwise`.
    /// Float32 semantics: exp(x) overflows above x ≈ 88.7, and eps is rounded to Float32.
    package static func poissonNLLLoss(input: Tensor<Float>, target: Tensor<Float>, logInput: Bool = true,
                                      full: Bool = false, eps: Float = 1e-8, reduction: Reduction = .mean,
                                      reductionIsDeprecatedAlias: Bool = false, gradOutput: Tensor<Float>? = nil,
                                      threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let shape = try PoissonNLLValidation.shape(input: input.shape, target: target.shape,
                                                   reductionIsDeprecatedAlias: reductionIsDeprecatedAlias)
        func evaluate<O: PoissonOptions>(_: O.Type) throws -> FastResult {
            try FastElementwise.evaluate(
                PoissonKernel<O>(eps: eps),
                arguments: [.init("input", input), .init("target", target)], shape: shape, reduction: reduction,
                divisor: Double(Shape.count(shape)), gradOutput: gradOutput, threads: threads)
        }
        switch (logInput, full) {
        case (true, false): return try evaluate(PoissonOptionSet.LogInput.self)
        case (true, true): return try evaluate(PoissonOptionSet.LogInputFull.self)
        case (false, false): return try evaluate(PoissonOptionSet.Rate.self)
        case (false, true): return try evaluate(PoissonOptionSet.RateFull.self)
        }
    }

    static func poissonNLLLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try poissonNLLLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"), logInput: o.logInput,
                           full: o.full, eps: Float(o.eps), reduction: o.reduction,
                           reductionIsDeprecatedAlias: o.reductionIsDeprecatedAlias,
                           gradOutput: a.float("grad_output"), threads: threads)
    }
}
