@_spi(Kernels) import LossSpec

/// The Float32 implementation of PyTorch's 21 losses: SIMD kernels over unsafe buffers, fused
/// forward/backward passes, and deterministic multithreading (results are bit-identical for any
/// thread count, see `Parallel`).
///
/// Each loss has a typed Float entry point in `Losses/<Name>.swift` mirroring its
/// `torch.nn.functional` signature plus `threads:`; `evaluate(_:threads:)` runs any `LossCase`
/// (inputs are rounded to Float32, outputs widened to Double) for the conformance runner.
package enum Fast {
    /// Evaluates one case in Float32. Gradients only when the case has `grad_output`.
    /// Raises the same `LossError` kinds as the Reference.
    package static func evaluate(_ c: LossCase, threads: Int = Parallel.defaultThreads) throws -> LossResult {
        let prepared = try Prepared(c)
        let r = try prepared.run(threads: threads)
        return LossResult(outputs: r.outputs.mapValues { $0.map(Double.init) })
    }

    /// A case with its arguments already rounded to Float32 and its options decoded, so that
    /// repeated runs (benchmarks) measure the loss alone.
    package struct Prepared: Sendable {
        let arguments: FastArguments
        let options: LossOptions
        package let loss: LossKind

        package init(_ c: LossCase) throws {
            try c.checkArgumentNames()
            options = try c.decodedOptions()
            arguments = try FastArguments(c)
            loss = c.loss
        }

        package func run(threads: Int = Parallel.defaultThreads) throws -> FastResult {
            let (a, o) = (arguments, options)
            switch loss {
            case .l1Loss: return try l1Loss(a, o, threads: threads)
            case .mseLoss: return try mseLoss(a, o, threads: threads)
            case .crossEntropy: return try crossEntropy(a, o, threads: threads)
            case .ctcLoss: return try ctcLoss(a, o, threads: threads)
            case .nllLoss: return try nllLoss(a, o, threads: threads)
            case .poissonNLLLoss: return try poissonNLLLoss(a, o, threads: threads)
            case .gaussianNLLLoss: return try gaussianNLLLoss(a, o, threads: threads)
            case .klDiv: return try klDiv(a, o, threads: threads)
            case .binaryCrossEntropy: return try binaryCrossEntropy(a, o, threads: threads)
            case .binaryCrossEntropyWithLogits: return try binaryCrossEntropyWithLogits(a, o, threads: threads)
            case .marginRankingLoss: return try marginRankingLoss(a, o, threads: threads)
            case .hingeEmbeddingLoss: return try hingeEmbeddingLoss(a, o, threads: threads)
            case .multilabelMarginLoss: return try multilabelMarginLoss(a, o, threads: threads)
            case .huberLoss: return try huberLoss(a, o, threads: threads)
            case .smoothL1Loss: return try smoothL1Loss(a, o, threads: threads)
            case .softMarginLoss: return try softMarginLoss(a, o, threads: threads)
            case .multilabelSoftMarginLoss: return try multilabelSoftMarginLoss(a, o, threads: threads)
            case .cosineEmbeddingLoss: return try cosineEmbeddingLoss(a, o, threads: threads)
            case .multiMarginLoss: return try multiMarginLoss(a, o, threads: threads)
            case .tripletMarginLoss: return try tripletMarginLoss(a, o, threads: threads)
            case .tripletMarginWithDistanceLoss: return try tripletMarginWithDistanceLoss(a, o, threads: threads)
            }
        }
    }
}

/// What a Fast loss returns: Float tensors keyed by role (`output`, `grad_<argument>`).
package struct FastResult: Sendable {
    package var outputs: [String: Tensor<Float>]
    package init(outputs: [String: Tensor<Float>] = [:]) { self.outputs = outputs }
    package var output: Tensor<Float>? { outputs["output"] }
}

/// A case's arguments rounded to Float32 once (the golden inputs are Float32-exact, so this is
/// exact); integer arguments as given.
struct FastArguments: Sendable {
    let loss: LossKind
    private let floats: [String: Tensor<Float>]
    private let integers: [String: Tensor<Int64>]
    /// The dtype of every argument, for losses whose path depends on it (cross_entropy's target).
    let dtypes: [String: DType]

    init(_ c: LossCase) throws {
        loss = c.loss
        var floats: [String: Tensor<Float>] = [:], integers: [String: Tensor<Int64>] = [:]
        for (name, value) in c.inputs {
            switch value {
            case .float64(let t): floats[name] = t.map(Float.init)
            case .int64(let t): integers[name] = t
            }
        }
        self.floats = floats
        self.integers = integers
        dtypes = c.inputs.mapValues(\.dtype)
    }

    func float(_ name: String) throws -> Tensor<Float>? {
        if integers[name] != nil {
            throw LossError(.invalidValue, argument: name, "expected a float64 tensor, got int64")
        }
        return floats[name]
    }

    func requiredFloat(_ name: String) throws -> Tensor<Float> {
        guard let t = try float(name) else {
            throw LossError(.invalidOption, argument: name, "\(loss.rawValue) needs the tensor argument '\(name)'")
        }
        return t
    }

    func integer(_ name: String) throws -> Tensor<Int64>? {
        if floats[name] != nil {
            throw LossError(.invalidValue, argument: name, "expected an int64 tensor, got float64")
        }
        return integers[name]
    }

    /// The argument as stored in the case (float arguments widened back, exactly), for code that
    /// branches on the dtype.
    func value(_ name: String) -> TensorValue? {
        if let t = integers[name] { return .int64(t) }
        return floats[name].map { .float64($0.map(Double.init)) }
    }

    func requiredInteger(_ name: String) throws -> Tensor<Int64> {
        guard let t = try integer(name) else {
            throw LossError(.invalidOption, argument: name, "\(loss.rawValue) needs the tensor argument '\(name)'")
        }
        return t
    }
}
