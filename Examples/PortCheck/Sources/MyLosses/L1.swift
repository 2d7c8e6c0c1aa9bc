import LossSpec

/// A minimal port: `l1_loss` in Float32 for same-shape input and target, no weight, every
/// reduction. Everything else it declines with `nil`, so the checker can report it as unsupported
/// instead of failed.
public enum MyL1 {
    public enum Failure: Error { case invalidReduction(String) }

    /// `mean`, `sum` or `none` of |input − target|, computed in Float32; nil for what this port
    /// does not implement. `sumInsteadOfMean` plants a bug, so a test can show the check catches it.
    public static func l1(input: [Float], target: [Float], reduction: String,
                          sumInsteadOfMean: Bool = false) throws -> [Float] {
        let terms = zip(input, target).map { abs($0 - $1) }
        switch reduction {
        case "none": return terms
        case "sum": return [terms.reduce(0, +)]
        case "mean": return [sumInsteadOfMean ? terms.reduce(0, +) : terms.reduce(0, +) / Float(terms.count)]
        default: throw Failure.invalidReduction(reduction)
        }
    }
}
