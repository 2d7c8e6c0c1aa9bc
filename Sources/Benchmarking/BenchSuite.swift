import Foundation
@_spi(Kernels) import LossSpec
import Generator

/// One benchmark problem: a loss on fixed, seeded inputs of a given size.
package struct BenchProblem: Sendable {
    package var loss: LossKind
    /// The shape that characterises the size, as text (e.g. "[4096, 1000]").
    package var shape: String
    /// Elements of the main input.
    package var elements: Int
    /// Forward case (reduction 'mean', no grad_output).
    package var forward: LossCase
    /// Forward+backward case: the same with a 0-dim grad_output.
    package var backward: LossCase
}

/// The standard suite of Docs/Benchmarking.md and the size grid.
package enum BenchSuite {
    package static let elementwise: Set<LossKind> = [
        .l1Loss, .mseLoss, .smoothL1Loss, .huberLoss, .softMarginLoss, .poissonNLLLoss, .gaussianNLLLoss,
        .klDiv, .binaryCrossEntropy, .binaryCrossEntropyWithLogits, .marginRankingLoss, .hingeEmbeddingLoss,
    ]
    /// The memory-bound losses whose bandwidth is compared with a plain Float32 sum (issue 4).
    package static let memoryBound: [LossKind] = [.l1Loss, .mseLoss, .smoothL1Loss, .huberLoss]

    /// Docs/Benchmarking.md sizes: elementwise 2^22; (4096, 1000) class scores; multilabel_margin (1024, 256);
    /// embeddings (65536, 64); CTC T=128, N=32, C=64, L=40.
    package static func standard(_ loss: LossKind) -> BenchProblem {
        switch loss {
        case _ where elementwise.contains(loss): problem(loss, elements: 1 << 22)
        case .crossEntropy, .nllLoss, .multiMarginLoss, .multilabelSoftMarginLoss: problem(loss, elements: 4096 * 1000)
        case .multilabelMarginLoss: problem(loss, elements: 1024 * 256)
        case .ctcLoss: problem(loss, elements: 128 * 32 * 64)
        default: problem(loss, elements: 65536 * 64)
        }
    }

    /// The dimensions of a shape as the history stores it, `[4096, 1000]`; nil for anything else.
    package static func dimensions(_ shape: String) -> [Int]? {
        guard shape.hasPrefix("["), shape.hasSuffix("]") else { return nil }
        let parts = shape.dropFirst().dropLast().split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return parts.map { $0! }
    }

    /// The CTC problems' target length.
    package static let ctcLabels = 40

    /// The floating-point inputs `problem` gives each loss (grad_output aside): what the work
    /// model counts as read, and, where differentiable, as gradients written.
    package static func floatInputs(_ loss: LossKind) -> Set<String> {
        switch loss {
        case .crossEntropy, .nllLoss, .multiMarginLoss, .multilabelMarginLoss: ["input"]
        case .cosineEmbeddingLoss, .marginRankingLoss: ["input1", "input2", "target"]
        case .tripletMarginLoss, .tripletMarginWithDistanceLoss: ["anchor", "positive", "negative"]
        case .ctcLoss: ["log_probs"]
        case .gaussianNLLLoss: ["input", "target", "var"]
        default: ["input", "target"]
        }
    }

    /// The grid sizes: 2^10, 2^12, …, 2^24 elements.
    package static let gridSizes = stride(from: 10, through: 24, by: 2).map { 1 << $0 }

    /// `loss` on about `elements` elements of its main input: elementwise losses take exactly that
    /// many; row-wise losses keep their class/feature width and scale the batch; CTC scales N.
    package static func problem(_ loss: LossKind, elements: Int) -> BenchProblem {
        var r = SeededRNG(seed: 0xB3AC_4000 ^ UInt64(elements) ^ fnv1a(loss.rawValue))
        var inputs: [String: TensorValue] = [:]
        var shape: [Int]
        switch loss {
        case .crossEntropy, .nllLoss, .multiMarginLoss, .multilabelSoftMarginLoss, .multilabelMarginLoss:
            let c = loss == .multilabelMarginLoss ? 256 : 1000
            let n = max(1, elements / c)
            shape = [n, c]
            inputs["input"] = r.normal(shape, std: 2)
            switch loss {
            case .multilabelSoftMarginLoss: inputs["target"] = r.tensor(shape) { $0.bool(0.1) ? 1 : 0 }
            case .multilabelMarginLoss:
                var t = [Int64](repeating: -1, count: n * c)
                for row in 0..<n {
                    let labels = r.int(1, 8)
                    for k in 0..<labels { t[row * c + k] = Int64(r.int(0, c - 1)) }
                }
                inputs["target"] = .int64(Tensor(shape: shape, scalars: t))
            default: inputs["target"] = r.integers([n], 0, c - 1)
            }
        case .cosineEmbeddingLoss, .tripletMarginLoss, .tripletMarginWithDistanceLoss:
            let n = max(1, elements / 64)
            shape = [n, 64]
            if loss == .cosineEmbeddingLoss {
                inputs["input1"] = r.normal(shape)
                inputs["input2"] = r.normal(shape)
                inputs["target"] = r.signs([n])
            } else {
                inputs["anchor"] = r.normal(shape)
                inputs["positive"] = r.normal(shape)
                inputs["negative"] = r.normal(shape)
            }
        case .ctcLoss:
            let n = max(1, elements / (128 * 64))
            let (t, c, l) = (128, 64, ctcLabels)
            shape = [t, n, c]
            // log_softmax of normal logits, rounded to Float32, so log_probs are proper log-probabilities.
            var lp = [Double](repeating: 0, count: t * n * c)
            for row in 0..<(t * n) {
                let z = (0..<c).map { _ in r.normal() }
                let m = z.max() ?? 0
                let s = z.reduce(0.0) { $0 + exp($1 - m) }
                for k in 0..<c { lp[row * c + k] = Double(Float(z[k] - m - log(s))) }
            }
            inputs["log_probs"] = .float64(Tensor(shape: shape, scalars: lp))
            inputs["targets"] = r.integers([n, l], 1, c - 1)
            inputs["input_lengths"] = .int64(Tensor(repeating: Int64(t), shape: [n]))
            inputs["target_lengths"] = .int64(Tensor(repeating: Int64(l), shape: [n]))
        default:
            shape = [elements]
            switch loss {
            case .binaryCrossEntropy:
                inputs["input"] = r.uniform(shape, 0.01, 0.99)
                inputs["target"] = r.uniform(shape, 0, 1)
            case .binaryCrossEntropyWithLogits:
                inputs["input"] = r.normal(shape, std: 3)
                inputs["target"] = r.uniform(shape, 0, 1)
            case .softMarginLoss, .hingeEmbeddingLoss:
                inputs["input"] = r.normal(shape)
                inputs["target"] = r.signs(shape)
            case .marginRankingLoss:
                inputs["input1"] = r.normal(shape)
                inputs["input2"] = r.normal(shape)
                inputs["target"] = r.signs(shape)
            case .poissonNLLLoss:
                inputs["input"] = r.normal(shape)
                inputs["target"] = r.tensor(shape) { Double($0.int(0, 6)) }
            case .gaussianNLLLoss:
                inputs["input"] = r.normal(shape)
                inputs["target"] = r.normal(shape)
                inputs["var"] = r.uniform(shape, 0.1, 2)
            case .klDiv:
                inputs["input"] = r.uniform(shape, -6, 0)
                inputs["target"] = r.uniform(shape, 0, 1)
            default:
                inputs["input"] = r.normal(shape, std: 2)
                inputs["target"] = r.normal(shape, std: 2)
            }
        }
        let forward = LossCase(loss: loss, options: ["reduction": .string("mean")], inputs: inputs)
        var backward = forward
        backward.inputs["grad_output"] = .float64(Tensor(scalar: 1))
        let described = "[" + shape.map(String.init).joined(separator: ", ") + "]"
        return BenchProblem(loss: loss, shape: described, elements: Shape.count(shape), forward: forward, backward: backward)
    }
}

