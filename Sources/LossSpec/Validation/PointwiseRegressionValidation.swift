/// Shape and option checks of the `l(x − y)` losses (L1, MSE, Huber, SmoothL1),
/// shared by the Reference and Fast so both raise the same error kinds with the same messages.
/// Pure validation: shapes and option values only, no arithmetic on tensor data.
package enum PointwiseRegressionValidation {
    /// Warn-and-broadcast of input and target (Docs/Semantics.md#shapes) and the functional `weight`, which must
    /// have exactly the input's size; the weighted path rejects 'elementwise_mean' (Docs/Semantics.md#reductions).
    ///
    /// - Returns: the broadcast shape of the unreduced loss.
    /// - Throws: `shape_mismatch` (input/target do not broadcast, weight size), `invalid_reduction`.
    package static func shape(input: [Int], target: [Int], weight: [Int]?,
                             reductionIsDeprecatedAlias: Bool) throws -> [Int] {
        let full = try Shape.broadcast([("input", input), ("target", target)])
        if let weight {
            guard weight == input else {
                throw LossError(.shapeMismatch, argument: "weight",
                                "weights and input must have the same size: weight \(weight), input \(input)")
            }
            guard !reductionIsDeprecatedAlias else {
                throw LossError(.invalidReduction, argument: "reduction",
                                "invalid reduction mode 'elementwise_mean' with a weight; expected one of 'none', 'mean', 'sum'")
            }
        }
        return full
    }

    /// huber_loss checks `delta > 0` (so NaN fails too).
    package static func delta(_ delta: Double) throws {
        guard delta > 0 else {
            throw LossError(.invalidOption, argument: "delta",
                            "huber_loss does not support non-positive values for delta (got \(delta)); delta must be > 0")
        }
    }

    /// smooth_l1_loss checks `beta >= 0` (so NaN fails too).
    package static func beta(_ beta: Double) throws {
        guard beta >= 0 else {
            throw LossError(.invalidOption, argument: "beta",
                            "smooth_l1_loss does not support negative values for beta (got \(beta)); beta must be >= 0")
        }
    }
}
