@_spi(Kernels) import LossSpec

/// The margin ranking loss of one 16-lane block, max(0, −y(x1 − x2) + margin), and its
/// derivatives in x1, x2 and y.
struct MarginRankingKernel: Pointwise3Kernel {
    let margin: SIMD16<Float>

    @inline(__always)
    func callAsFunction(_ x1: SIMD16<Float>, _ x2: SIMD16<Float>, _ y: SIMD16<Float>) -> Pointwise3.Element {
        let d = x1 - x2
        let z = -y * d + margin
        // clamp_min(z, 0): NaN stays NaN (its comparison is false), slope 1 only for z > 0.
        let active = z .> 0
        let a = SIMD16<Float>(repeating: 0).replacing(with: 1, where: active)
        return (z.replacing(with: 0, where: z .<= 0), -y * a, y * a, -d * a)
    }
}

extension Fast {
    /// Margin ranking loss in Float32, mirroring `torch.nn.functional.margin_ranking_loss` (see
    /// `Reference.marginRankingLoss` for the definition, the kink and NaN conventions and the
    /// shape rules, validated by the shared `MarginRankingValidation`).
    ///
    /// Cost: one fused pass over x1, x2 and y (plus grad_output for 'none') in `Parallel.elementChunk` chunks;
    /// forward-only reads the three inputs once with four accumulators. Broadcast arguments are
    /// first materialised on the broadcast shape and their gradients summed back (general path).
    /// Accuracy: z = −y·(x1 − x2) + margin takes three roundings; each gradient one; sums are
    /// per-lane Float within a chunk, combined in Double.
    package static func marginRankingLoss(input1: Tensor<Float>, input2: Tensor<Float>, target: Tensor<Float>,
                                         margin: Float = 0, reduction: Reduction = .mean,
                                         gradOutput: Tensor<Float>? = nil,
                                         threads: Int = Parallel.defaultThreads) throws -> FastResult {
        let full = try MarginRankingValidation.broadcastShape(input1: input1.shape, input2: input2.shape,
                                                              target: target.shape)
        let n = Shape.count(full)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: full, divisor: Double(n))
        let r = Pointwise3.run(count: n, Broadcasting.expand(input1, to: full), Broadcasting.expand(input2, to: full),
                               Broadcasting.expand(target, to: full), upstream: upstream, wantLoss: reduction == .none,
                               wantGradients: (true, true, true), threads: threads, MarginRankingKernel(margin: SIMD16(repeating: margin)))
        var result = FastResult.generic(r, reduction: reduction, shape: full)
        guard upstream != nil else { return result }
        result.outputs["grad_input1"] = Tensor(shape: input1.shape, scalars: Broadcasting.sumToShape(r.grad0, from: full, to: input1.shape))
        result.outputs["grad_input2"] = Tensor(shape: input2.shape, scalars: Broadcasting.sumToShape(r.grad1, from: full, to: input2.shape))
        result.outputs["grad_target"] = Tensor(shape: target.shape, scalars: Broadcasting.sumToShape(r.grad2, from: full, to: target.shape))
        return result
    }

    static func marginRankingLoss(_ a: FastArguments, _ o: LossOptions, threads: Int) throws -> FastResult {
        try marginRankingLoss(input1: a.requiredFloat("input1"), input2: a.requiredFloat("input2"),
                              target: a.requiredFloat("target"), margin: Float(o.margin), reduction: o.reduction,
                              gradOutput: a.float("grad_output"), threads: threads)
    }
}

extension FastResult {
    /// The output of a generically reduced elementwise loss: the elementwise values ('none'),
    /// Σ ('sum') or Σ / numel ('mean').
    static func generic(_ r: Pointwise3.Result, reduction: Reduction, shape: [Int]) -> FastResult {
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: shape, scalars: r.loss)
        case .sum: result.outputs["output"] = Tensor(scalar: Float(r.total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(r.total / Double(Shape.count(shape))))
        }
        return result
    }
}
