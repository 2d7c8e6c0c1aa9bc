/// The triplet distance for `triplet_margin_with_distance_loss` (Docs/GoldenDatabase.md).
public enum DistanceFunction: String, Sendable, Hashable, CaseIterable {
    /// `F.pairwise_distance(a, b, p=2, eps=1e-6)`: ‖a − b + eps‖₂ over the last dimension.
    case pairwiseDistance = "pairwise_distance"
    /// `1 − F.cosine_similarity(a, b, dim=-1, eps=1e-8)`.
    case cosineDistance = "cosine_distance"
}

/// Every non-tensor keyword option of the 21 losses, typed, with PyTorch's defaults per loss.
///
/// One value type serves all losses so that the golden database, the CLI and both implementations
/// share a single decoder; `LossKind.optionNames` says which fields a loss reads, and decoding
/// rejects any other key. Field names follow torch's keyword names in Swift case.
public struct LossOptions: Sendable, Hashable {
    public var reduction: Reduction = .mean
    /// True when the reduction was spelled `'elementwise_mean'` (deprecated alias of `'mean'`):
    /// the weighted L1/MSE/Huber paths reject it (Docs/Semantics.md#reductions).
    public var reductionIsDeprecatedAlias = false
    public var ignoreIndex: Int = -100
    public var labelSmoothing: Double = 0
    public var blank: Int = 0
    public var zeroInfinity = false
    public var logInput = true
    public var full = false
    /// PoissonNLL 1e-8, GaussianNLL 1e-6, TripletMargin 1e-6.
    public var eps: Double = 1e-8
    public var logTarget = false
    /// MarginRanking 0, HingeEmbedding 1, CosineEmbedding 0, MultiMargin 1, Triplet(s) 1.
    public var margin: Double = 0
    public var delta: Double = 1
    public var beta: Double = 1
    /// MultiMargin: 1 or 2. TripletMargin: any real (default 2).
    public var p: Double = 2
    public var swap = false
    /// nil = PyTorch's default (pairwise distance).
    public var distanceFunction: DistanceFunction? = nil

    public init() {}

    /// PyTorch's defaults for `kind`.
    public static func defaults(for kind: LossKind) -> LossOptions {
        var o = LossOptions()
        switch kind {
        case .gaussianNLLLoss: o.eps = 1e-6
        case .tripletMarginLoss: o.eps = 1e-6; o.margin = 1; o.p = 2
        case .tripletMarginWithDistanceLoss: o.margin = 1
        case .hingeEmbeddingLoss: o.margin = 1
        case .multiMarginLoss: o.margin = 1; o.p = 1
        default: break
        }
        return o
    }
}

extension LossKind {
    /// The option keys (torch names) this loss takes, in torch's keyword order.
    public var optionNames: [String] {
        switch self {
        case .l1Loss, .mseLoss, .binaryCrossEntropy, .binaryCrossEntropyWithLogits,
             .multilabelMarginLoss, .softMarginLoss, .multilabelSoftMarginLoss:
            ["reduction"]
        case .crossEntropy: ["ignore_index", "reduction", "label_smoothing"]
        case .nllLoss: ["ignore_index", "reduction"]
        case .ctcLoss: ["blank", "reduction", "zero_infinity"]
        case .poissonNLLLoss: ["log_input", "full", "eps", "reduction"]
        case .gaussianNLLLoss: ["full", "eps", "reduction"]
        case .klDiv: ["reduction", "log_target"]
        case .marginRankingLoss, .hingeEmbeddingLoss, .cosineEmbeddingLoss: ["margin", "reduction"]
        case .huberLoss: ["reduction", "delta"]
        case .smoothL1Loss: ["reduction", "beta"]
        case .multiMarginLoss: ["p", "margin", "reduction"]
        case .tripletMarginLoss: ["margin", "p", "eps", "swap", "reduction"]
        case .tripletMarginWithDistanceLoss: ["distance_function", "margin", "swap", "reduction"]
        }
    }
}

extension LossOptions {
    /// Decodes the options of one case. Absent keys take PyTorch's defaults.
    ///
    /// - Throws: `invalid_option` for a key the loss does not take or a value of the wrong JSON type;
    ///   `invalid_reduction` for a reduction the loss does not accept. Domain checks that depend on
    ///   the tensors (delta > 0, p ∈ {1,2}, …) are the loss's own, at evaluation.
    public init(kind: LossKind, json: [String: JSONValue]) throws {
        self = .defaults(for: kind)
        let allowed = kind.optionNames
        for key in json.keys.sorted() where !allowed.contains(key) {
            throw LossError(.invalidOption, argument: key,
                            "\(kind.rawValue) has no option '\(key)'; its options are: \(allowed.joined(separator: ", "))")
        }
        for (key, value) in json.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "reduction":
                guard case .string(let s) = value else { throw Self.typeError(key, value, "a string") }
                (reduction, reductionIsDeprecatedAlias) = try Self.reduction(s, for: kind)
            case "ignore_index": ignoreIndex = try Self.integer(key, value)
            case "blank": blank = try Self.integer(key, value)
            case "label_smoothing": labelSmoothing = try Self.number(key, value)
            case "eps": eps = try Self.number(key, value)
            case "margin": margin = try Self.number(key, value)
            case "delta": delta = try Self.number(key, value)
            case "beta": beta = try Self.number(key, value)
            case "p": p = try Self.number(key, value)
            case "zero_infinity": zeroInfinity = try Self.boolean(key, value)
            case "log_input": logInput = try Self.boolean(key, value)
            case "full": full = try Self.boolean(key, value)
            case "log_target": logTarget = try Self.boolean(key, value)
            case "swap": swap = try Self.boolean(key, value)
            case "distance_function":
                switch value {
                case .null: distanceFunction = nil
                case .string(let s):
                    guard let f = DistanceFunction(rawValue: s) else {
                        throw LossError(.invalidOption, argument: key,
                                        "unknown distance function '\(s)'; allowed: null, pairwise_distance, cosine_distance")
                    }
                    distanceFunction = f
                default: throw Self.typeError(key, value, "null or a string")
                }
            default: break
            }
        }
    }

    /// Every option of `kind`, explicit, as the generator writes them.
    public func json(for kind: LossKind) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in kind.optionNames {
            switch key {
            case "reduction": out[key] = .string(reduction.rawValue)
            case "ignore_index": out[key] = JSONValue(exactly: Int64(ignoreIndex))
            case "blank": out[key] = JSONValue(exactly: Int64(blank))
            case "label_smoothing": out[key] = .number(labelSmoothing)
            case "eps": out[key] = .number(eps)
            case "margin": out[key] = .number(margin)
            case "delta": out[key] = .number(delta)
            case "beta": out[key] = .number(beta)
            case "p": out[key] = .number(p)
            case "zero_infinity": out[key] = .bool(zeroInfinity)
            case "log_input": out[key] = .bool(logInput)
            case "full": out[key] = .bool(full)
            case "log_target": out[key] = .bool(logTarget)
            case "swap": out[key] = .bool(swap)
            case "distance_function": out[key] = distanceFunction.map { .string($0.rawValue) } ?? .null
            default: break
            }
        }
        return out
    }

    /// Docs/Semantics.md#reductions: 'none' | 'mean' | 'sum'; 'batchmean' only for kl_div; 'elementwise_mean' is a
    /// deprecated alias of 'mean' except for the losses that compare strings.
    static func reduction(_ s: String, for kind: LossKind) throws -> (Reduction, Bool) {
        let allowed = kind == .klDiv ? "'none', 'mean', 'sum', 'batchmean'" : "'none', 'mean', 'sum'"
        if s == "elementwise_mean",
           ![.gaussianNLLLoss, .multilabelSoftMarginLoss, .tripletMarginWithDistanceLoss].contains(kind) {
            return (.mean, true)
        }
        guard let r = Reduction(rawValue: s), r != .batchmean || kind == .klDiv else {
            throw LossError(.invalidReduction, argument: "reduction",
                            "'\(excerpt(s))' is not a valid value for reduction; allowed: \(allowed)")
        }
        return (r, false)
    }

    static func typeError(_ key: String, _ value: JSONValue, _ expected: String) -> LossError {
        LossError(.invalidOption, argument: key, "expected \(expected), got \(excerpt(value.serialized()))")
    }

    /// A value from the input as error messages quote it: at most 80 characters, so a hostile
    /// 50 MB option does not come back in the message.
    static func excerpt(_ s: String) -> String {
        s.count <= 80 ? s : s.prefix(80) + "… (\(s.utf8.count) bytes)"
    }

    static func number(_ key: String, _ value: JSONValue) throws -> Double {
        guard let d = value.doubleValue else { throw typeError(key, value, "a number") }
        return d
    }

    static func integer(_ key: String, _ value: JSONValue) throws -> Int {
        guard let n = value.int64Value else { throw typeError(key, value, "an integer") }
        return Int(n)
    }

    static func boolean(_ key: String, _ value: JSONValue) throws -> Bool {
        guard case .bool(let b) = value else { throw typeError(key, value, "true or false") }
        return b
    }
}
