/// How the unreduced loss is turned into the returned value (Docs/Semantics.md#reductions).
///
/// `mean` is the generic `Σ L / numel(L)` unless the loss defines its own divisor (weighted L1/MSE,
/// NLL/CE, CTC, the margin losses); `batchmean` exists only for `kl_div`.
public enum Reduction: String, Sendable, Codable, CaseIterable, Hashable {
    case none, mean, sum, batchmean
}
