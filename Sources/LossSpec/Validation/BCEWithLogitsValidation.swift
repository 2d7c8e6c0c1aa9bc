/// The argument checks of `binary_cross_entropy_with_logits` (Docs/Losses/binary_cross_entropy_with_logits.md), shared by Reference and
/// Fast: target of exactly the input's shape, then pos_weight and weight broadcasting to it
/// without enlarging it. The target is deliberately not range-checked.
package enum BCEWithLogitsValidation {
    package static func validate(input: [Int], target: [Int], weight: [Int]?, posWeight: [Int]?) throws {
        guard target == input else {
            throw LossError(.shapeMismatch, argument: "target",
                            "target size \(target) must be the same as the input size \(input)")
        }
        if let posWeight { try NonEnlargingBroadcast.check("pos_weight", posWeight, into: input) }
        if let weight { try NonEnlargingBroadcast.check("weight", weight, into: input) }
    }
}
