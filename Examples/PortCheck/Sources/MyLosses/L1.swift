/// A minimal port: `l1_loss` in Float32 for same-shape input and target, no weight, every
/// reduction, with its gradients. It is what a porter's own code looks like before LossBench wraps
/// it: plain arrays in, plain arrays out.
public enum MyL1 {
    /// The loss (`[l]` for 'mean' and 'sum', one per element for 'none') and, given the upstream
    /// gradient `gradOutput` (one value, or one per element for 'none'), the gradients of input
    /// and target. `sumInsteadOfMean` plants a bug, so a test can show the check catches it.
    public static func l1(input: [Float], target: [Float], reduction: String, gradOutput: [Float]?,
                          sumInsteadOfMean: Bool = false) -> (loss: [Float], gradInput: [Float]?, gradTarget: [Float]?) {
        let d = zip(input, target).map { $0 - $1 }
        let terms = d.map(abs)
        let divisor: Float = reduction == "mean" && !sumInsteadOfMean ? Float(terms.count) : 1
        let loss = reduction == "none" ? terms : [terms.reduce(0, +) / divisor]
        guard let g = gradOutput else { return (loss, nil, nil) }
        // PyTorch's sgn: 0 at 0 and for NaN.
        let gradInput = d.indices.map { i -> Float in
            let sign: Float = d[i] > 0 ? 1 : (d[i] < 0 ? -1 : 0)
            return sign * (reduction == "none" ? g[i] : g[0]) / divisor
        }
        return (loss, gradInput, gradInput.map { -$0 })
    }
}
