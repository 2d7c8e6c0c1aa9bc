import LossSpec

/// The Float32 implementation of PyTorch's 21 losses: SIMD kernels over unsafe buffers, fused
/// forward/backward passes, and deterministic multithreading (results are bit-identical for any
/// thread count, see `Parallel`).
///
/// Each loss has a typed Float entry point in `Losses/<Name>.swift` mirroring its
/// `torch.nn.functional` signature plus `threads:`; `evaluate(_:threads:)` runs any `LossCase`
/// (inputs are rounded to Float32, outputs widened to Double) for the conformance runner.
public enum Fast {
    /// Evaluates one case in Float32. Gradients only when the case has `grad_output`.
    /// Raises the same `LossError` kinds as the Reference.
    public static func evaluate(_ c: LossCase, threads: Int = Parallel.defaultThreads) throws -> LossResult {
        try c.checkArgumentNames()
        let o = try c.decodedOptions()
        let args = FastArguments(c)
        let r: FastResult
        switch c.loss {
        case .l1Loss: r = try l1Loss(args, o, threads: threads)
        case .mseLoss: r = try mseLoss(args, o, threads: threads)
        case .crossEntropy: r = try crossEntropy(args, o, threads: threads)
        case .ctcLoss: r = try ctcLoss(args, o, threads: threads)
        case .nllLoss: r = try nllLoss(args, o, threads: threads)
        case .poissonNLLLoss: r = try poissonNLLLoss(args, o, threads: threads)
        case .gaussianNLLLoss: r = try gaussianNLLLoss(args, o, threads: threads)
        case .klDiv: r = try klDiv(args, o, threads: threads)
        case .binaryCrossEntropy: r = try binaryCrossEntropy(args, o, threads: threads)
        case .binaryCrossEntropyWithLogits: r = try binaryCrossEntropyWithLogits(args, o, threads: threads)
        case .marginRankingLoss: r = try marginRankingLoss(args, o, threads: threads)
        case .hingeEmbeddingLoss: r = try hingeEmbeddingLoss(args, o, threads: threads)
        case .multilabelMarginLoss: r = try multilabelMarginLoss(args, o, threads: threads)
        case .huberLoss: r = try huberLoss(args, o, threads: threads)
        case .smoothL1Loss: r = try smoothL1Loss(args, o, threads: threads)
        case .softMarginLoss: r = try softMarginLoss(args, o, threads: threads)
        case .multilabelSoftMarginLoss: r = try multilabelSoftMarginLoss(args, o, threads: threads)
        case .cosineEmbeddingLoss: r = try cosineEmbeddingLoss(args, o, threads: threads)
        case .multiMarginLoss: r = try multiMarginLoss(args, o, threads: threads)
        case .tripletMarginLoss: r = try tripletMarginLoss(args, o, threads: threads)
        case .tripletMarginWithDistanceLoss: r = try tripletMarginWithDistanceLoss(args, o, threads: threads)
        }
        return LossResult(outputs: r.outputs.mapValues { $0.map(Double.init) })
    }
}

/// What a Fast loss returns: Float tensors keyed by role (`output`, `grad_<argument>`).
public struct FastResult: Sendable {
    public var outputs: [String: Tensor<Float>]
    public init(outputs: [String: Tensor<Float>] = [:]) { self.outputs = outputs }
    public var output: Tensor<Float>? { outputs["output"] }
}

/// A case's arguments rounded to Float32 (the golden inputs are Float32-exact, so this is exact).
struct FastArguments {
    let c: LossCase

    init(_ c: LossCase) { self.c = c }

    func float(_ name: String) throws -> Tensor<Float>? {
        try c.float(name).map { $0.map(Float.init) }
    }

    func requiredFloat(_ name: String) throws -> Tensor<Float> {
        try c.requiredFloat(name).map(Float.init)
    }

    func integer(_ name: String) throws -> Tensor<Int64>? { try c.integer(name) }
    func requiredInteger(_ name: String) throws -> Tensor<Int64> { try c.requiredInteger(name) }
    /// The raw argument, for losses whose path depends on the dtype (cross_entropy's target).
    func value(_ name: String) -> TensorValue? { c.inputs[name] }
}
