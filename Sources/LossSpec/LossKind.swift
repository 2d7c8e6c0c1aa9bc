/// The 21 PyTorch loss functions. The raw value is the `torch.nn.functional` name, which is also
/// the `loss` column of the golden database and the name used on the command line.
public enum LossKind: String, CaseIterable, Sendable, Codable, Hashable {
    case l1Loss = "l1_loss"
    case mseLoss = "mse_loss"
    case crossEntropy = "cross_entropy"
    case ctcLoss = "ctc_loss"
    case nllLoss = "nll_loss"
    case poissonNLLLoss = "poisson_nll_loss"
    case gaussianNLLLoss = "gaussian_nll_loss"
    case klDiv = "kl_div"
    case binaryCrossEntropy = "binary_cross_entropy"
    case binaryCrossEntropyWithLogits = "binary_cross_entropy_with_logits"
    case marginRankingLoss = "margin_ranking_loss"
    case hingeEmbeddingLoss = "hinge_embedding_loss"
    case multilabelMarginLoss = "multilabel_margin_loss"
    case huberLoss = "huber_loss"
    case smoothL1Loss = "smooth_l1_loss"
    case softMarginLoss = "soft_margin_loss"
    case multilabelSoftMarginLoss = "multilabel_soft_margin_loss"
    case cosineEmbeddingLoss = "cosine_embedding_loss"
    case multiMarginLoss = "multi_margin_loss"
    case tripletMarginLoss = "triplet_margin_loss"
    case tripletMarginWithDistanceLoss = "triplet_margin_with_distance_loss"

    /// The `torch.nn` module that wraps this function, for messages and documentation.
    public var moduleName: String {
        switch self {
        case .l1Loss: "L1Loss"
        case .mseLoss: "MSELoss"
        case .crossEntropy: "CrossEntropyLoss"
        case .ctcLoss: "CTCLoss"
        case .nllLoss: "NLLLoss"
        case .poissonNLLLoss: "PoissonNLLLoss"
        case .gaussianNLLLoss: "GaussianNLLLoss"
        case .klDiv: "KLDivLoss"
        case .binaryCrossEntropy: "BCELoss"
        case .binaryCrossEntropyWithLogits: "BCEWithLogitsLoss"
        case .marginRankingLoss: "MarginRankingLoss"
        case .hingeEmbeddingLoss: "HingeEmbeddingLoss"
        case .multilabelMarginLoss: "MultiLabelMarginLoss"
        case .huberLoss: "HuberLoss"
        case .smoothL1Loss: "SmoothL1Loss"
        case .softMarginLoss: "SoftMarginLoss"
        case .multilabelSoftMarginLoss: "MultiLabelSoftMarginLoss"
        case .cosineEmbeddingLoss: "CosineEmbeddingLoss"
        case .multiMarginLoss: "MultiMarginLoss"
        case .tripletMarginLoss: "TripletMarginLoss"
        case .tripletMarginWithDistanceLoss: "TripletMarginWithDistanceLoss"
        }
    }

    /// Parses a loss name: the functional name (`mse_loss`) or the module name (`MSELoss`).
    public init(name: String) throws {
        if let kind = LossKind(rawValue: name) { self = kind; return }
        if let kind = LossKind.allCases.first(where: { $0.moduleName == name }) { self = kind; return }
        throw LossError(
            .invalidOption, argument: "loss",
            "unknown loss '\(name)'; expected one of: \(LossKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// The element type of a tensor argument.
public enum DType: String, Sendable, Codable, Hashable {
    case float64, int64
}

/// One tensor argument of a loss, named as in `torch.nn.functional`.
public struct ArgumentSpec: Sendable, Hashable {
    /// Which element types the argument accepts.
    public enum Accepts: Sendable, Hashable {
        case float, integer
        /// `cross_entropy`'s target: class indices (int64) or class probabilities (float64).
        case floatOrInteger
    }
    public var name: String
    public var accepts: Accepts
    public var isOptional: Bool
    /// Whether PyTorch's autograd produces a gradient for it (Docs/Semantics.md#differentiability). For `cross_entropy`'s
    /// target this holds only for the probability (float) form.
    public var isDifferentiable: Bool

    public init(_ name: String, _ accepts: Accepts, optional: Bool = false, differentiable: Bool) {
        self.name = name
        self.accepts = accepts
        self.isOptional = optional
        self.isDifferentiable = differentiable
    }
}

extension LossKind {
    /// The tensor arguments, in `torch.nn.functional` order (Docs/Semantics.md#differentiability for differentiability).
    public var arguments: [ArgumentSpec] {
        switch self {
        case .l1Loss, .mseLoss, .huberLoss:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true),
             .init("weight", .float, optional: true, differentiable: true)]
        case .smoothL1Loss, .poissonNLLLoss, .klDiv:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true)]
        case .crossEntropy:
            [.init("input", .float, differentiable: true), .init("target", .floatOrInteger, differentiable: true),
             .init("weight", .float, optional: true, differentiable: false)]
        case .nllLoss, .multiMarginLoss:
            [.init("input", .float, differentiable: true), .init("target", .integer, differentiable: false),
             .init("weight", .float, optional: true, differentiable: false)]
        case .multilabelMarginLoss:
            [.init("input", .float, differentiable: true), .init("target", .integer, differentiable: false)]
        case .ctcLoss:
            [.init("log_probs", .float, differentiable: true), .init("targets", .integer, differentiable: false),
             .init("input_lengths", .integer, differentiable: false),
             .init("target_lengths", .integer, differentiable: false)]
        case .gaussianNLLLoss:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true),
             .init("var", .float, differentiable: true)]
        case .binaryCrossEntropy:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true),
             .init("weight", .float, optional: true, differentiable: false)]
        case .binaryCrossEntropyWithLogits:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true),
             .init("weight", .float, optional: true, differentiable: false),
             .init("pos_weight", .float, optional: true, differentiable: false)]
        case .marginRankingLoss:
            [.init("input1", .float, differentiable: true), .init("input2", .float, differentiable: true),
             .init("target", .float, differentiable: true)]
        case .hingeEmbeddingLoss, .softMarginLoss:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: false)]
        case .multilabelSoftMarginLoss:
            [.init("input", .float, differentiable: true), .init("target", .float, differentiable: true),
             .init("weight", .float, optional: true, differentiable: true)]
        case .cosineEmbeddingLoss:
            [.init("input1", .float, differentiable: true), .init("input2", .float, differentiable: true),
             .init("target", .float, differentiable: false)]
        case .tripletMarginLoss, .tripletMarginWithDistanceLoss:
            [.init("anchor", .float, differentiable: true), .init("positive", .float, differentiable: true),
             .init("negative", .float, differentiable: true)]
        }
    }
}
