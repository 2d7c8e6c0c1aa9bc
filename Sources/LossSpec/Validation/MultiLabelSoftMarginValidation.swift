/// The shape rules of `multilabel_soft_margin_loss` (Docs/Losses/multilabel_soft_margin_loss.md), shared by Reference and Fast.
///
/// Input, target and weight broadcast silently to `full`. The class axis is `input.dim() − 1` of
/// the broadcast shape, exactly as PyTorch indexes it: the last axis unless a target or weight of
/// higher rank outranks the input, in which case it is a leading axis.
@_spi(Kernels) public struct MultiLabelSoftMarginLayout: Sendable, Hashable {
    /// The broadcast shape of input, target and weight.
    public let full: [Int]
    /// `input.size(-1)`, the divisor of each sample's sum (the class axis of `full` may differ
    /// only when the input is outranked and its last size broadcasts).
    public let classes: Int
    /// The axis of `full` that is summed over.
    public let classAxis: Int
    /// `full` without the class axis: the shape of the unreduced loss.
    public let reducedShape: [Int]
    /// Elements of `full` after the class axis (1 when it is the last).
    public let inner: Int

    /// - Throws: `shape_mismatch` for a 0-dim input (no class dimension) or a target/weight that
    ///   does not broadcast with the input.
    public init(input: [Int], target: [Int], weight: [Int]?) throws {
        guard let classes = input.last else {
            throw LossError(.shapeMismatch, argument: "input",
                            "input must have at least one dimension (the last is the class dimension), got a 0-dim tensor")
        }
        var shapes = [("input", input), ("target", target)]
        if let weight { shapes.append(("weight", weight)) }
        full = try Shape.broadcast(shapes)
        self.classes = classes
        classAxis = input.count - 1
        reducedShape = Array(full[..<classAxis] + full[(classAxis + 1)...])
        try Shape.checkMaterializable(reducedShape, argument: "input", what: "the per-sample loss shape")
        inner = Shape.count(Array(full[(classAxis + 1)...]))
    }

    /// Whether the class axis is the last axis of `full` (the input is not outranked).
    public var classAxisIsLast: Bool { classAxis == full.count - 1 }

    /// The element of the unreduced loss that element `k` of `full` is summed into.
    @inlinable
    public func row(_ k: Int) -> Int {
        let span = full[classAxis] * inner
        return k / span * inner + k % inner
    }
}
