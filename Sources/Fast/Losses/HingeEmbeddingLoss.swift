@_spi(Kernels) import LossSpec

/// The hinge embedding loss of one 16-lane block: x where y ≠ −1 plus max(0, margin − x) where
/// y ≠ 1, and its slope in x.
struct HingeKernel: Pointwise3Kernel {
    let margin: SIMD16<Float>

    @inline(__always)
    func callAsFunction(_ x: SIMD16<Float>, _ y: SIMD16<Float>, _: SIMD16<Float>) -> Pointwise3.Element {
        let zero = SIMD16<Float>(), one = SIMD16<Float>(repeating: 1)
        let z = margin - x
        let hingeOn = y .!= one, linearOn = y .!= -one
        // Both branches summed as PyTorch's where(...) + where(...): a masked branch is an exact
        // 0, so NaN or inf in it never reaches the sum. clamp_min keeps a NaN z.
        let hinge = z.replacing(with: 0, where: z .<= 0).replacing(with: 0, where: .!hingeOn)
        let linear = x.replacing(with: 0, where: .!linearOn)
        let slope = zero.replacing(with: 1, where: linearOn) - zero.replacing(with: 1, where: hingeOn .& (z .> 0))
        return (hinge + linear, slope, zero, zero)
    }
}

extension Fast {
    /// Hinge embedding loss in Float32, mirroring `torch.nn.functional.hinge_embedding_loss` (see
    /// `Reference.hingeEmbeddingLoss` for the exact rule for any label, the kink and NaN
    /// conventions, and silent broadcasting).
    ///
    /// Cost: one fused pass over x and y (plus grad_output for 'none') in `Parallel.elementChunk` chunks;
    /// forward-only reads both once with four accumulators. A broadcast argument is materialised
    /// on the broadcast shape and the input gradient summed back (general path).
    /// Accuracy: one rounding for `margin − x`, one for the sum of the branches; the gradient is
    /// exact up to the upstream; sums are per-lane Float within a chunk, combined in Double.
    package static func hingeEmbeddingLoss(input: Tensor<Float>, target: Tensor<Float>, margin: Float = 1,
                                          reduction: Reduction = .mean, gradOutput: Tensor<Float>? = nil,
                                          threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let full = try Shape.broadcast([("input", input.shape), ("target", target.shape)])
        let n = Shape.count(full)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: full, divisor: Double(n))
        let y = Broadcasting.expand(target, to: full)
        // The target goes in twice: the kernel has a third stream it does not read.
        let r = Pointwise3.run(count: n, Broadcasting.expand(input, to: full), y, y, upstream: upstream,
                               wantLoss: reduction == .none, wantGradients: (true, false, false),
                               threads: threads, HingeKernel(margin: SIMD16(repeating: margin)))
        var result = FastResult.generic(r, reduction: reduction, shape: full)
        guard upstream != nil else { return result }
        result.outputs["grad_input"] = Tensor(shape: input.shape, scalars: Broadcasting.sumToShape(r.grad0, from: full, to: input.shape))
        return result
    }

    static func hingeEmbeddingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try hingeEmbeddingLoss(input: a.requiredFloat("input"), target: a.requiredFloat("target"),
                               margin: Float(o.margin), reduction: o.reduction, gradOutput: a.float("grad_output"),
                               threads: threads)
    }
}
