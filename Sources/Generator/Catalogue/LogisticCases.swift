import LossSpec

/// Pieces shared by the catalogues of the three logistic losses (binary_cross_entropy,
/// binary_cross_entropy_with_logits, multilabel_soft_margin_loss).
enum LogisticCases {
    /// `v` rounded to the nearest Float32, so fixed inputs obey the golden database's rule.
    static func f32(_ v: Double) -> Double { Double(Float(v)) }

    /// Logits where the naive forms fail: exp overflows in Float32 past ±88.7 and in Float64 past
    /// ±709.8; the stable logσ stays finite for all of them.
    static let extremeLogits: [Double] = [100, -100, 800, -800, 88, -88, 89, -89, 20, -20, 0, 0x1p-10]

    /// Targets cycled against `extremeLogits`: both labels and a soft one.
    static let extremeTargets: [Double] = [0, 1, 0.5]

    /// Invalid reduction spellings every loss rejects.
    static let badReductions = ["avg", "batchmean", "", "MEAN"]

    /// `count` elements cycling through `values`.
    static func cycle(_ values: [Double], _ count: Int, offset: Int = 0) -> [Double] {
        (0..<count).map { values[($0 + offset) % values.count] }
    }

    /// Soft targets in [0, 1], or hard 0/1 labels.
    static func targets(_ r: inout SeededRNG, _ shape: [Int], hard: Bool) -> TensorValue {
        hard ? r.tensor(shape) { $0.bool() ? 1 : 0 } : r.uniform(shape, 0, 1)
    }

    /// Empty tensors under every reduction: 'mean' NaN, 'sum' 0.
    static func addEmpty(_ list: inout RecipeList, shapes: [[Int]]) {
        for reduction in Sweep.reductions {
            for shape in shapes {
                list.add(.edge, "empty", options: ["reduction": reduction], random: false) { _ in
                    ["input": fixed(shape, []), "target": fixed(shape, [])]
                }
            }
        }
    }

    /// One error case per invalid reduction spelling.
    static func addReductionErrors(_ list: inout RecipeList, _ spellings: [String] = badReductions, why: String = "",
                                   inputs: @escaping @Sendable (inout SeededRNG) -> [String: TensorValue]) {
        for bad in spellings {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum\(why)",
                       options: ["reduction": .string(bad)], inputs: inputs)
        }
    }

    /// The strict shape rule of both BCE losses: a target of another shape, even a broadcastable
    /// one, is rejected. `draw` makes a tensor of the given shape with valid values.
    static func addTargetShapeErrors(_ list: inout RecipeList,
                                     input: @escaping @Sendable (inout SeededRNG, [Int]) -> TensorValue) {
        for tshape in [[4, 3], [12], [1, 4]] {
            list.error(.shapeMismatch, "target-shape", argument: "target",
                       "shape \(tshape) differs from input [3, 4] (even broadcastable sizes must be equal)") { r in
                ["input": input(&r, [3, 4]), "target": r.uniform(tshape, 0, 1)]
            }
        }
    }
}
