import LossSpec

/// Recipe families shared by the elementwise likelihood losses (poisson_nll_loss,
/// gaussian_nll_loss, kl_div): their unreduced loss lives on the broadcast shape of the arguments,
/// 'mean' divides by its numel, and the same empty, size and error families apply.
enum ElementwiseCatalogue {
    /// Empty tensors under every reduction ('mean' NaN, 'sum' 0): `arguments` draws the arguments for
    /// one empty shape.
    static func empties(_ list: inout RecipeList, reductions: [JSONValue], options: [String: JSONValue] = [:],
                        shapes: [[Int]] = [[0], [0, 3], [2, 0]],
                        _ arguments: @escaping @Sendable ([Int]) -> [String: TensorValue]) {
        for reduction in reductions {
            for shape in shapes {
                list.add(.edge, "empty", options: options.merging(["reduction": reduction]) { _, b in b },
                         random: false) { _ in arguments(shape) }
            }
        }
    }

    /// Element counts around the SIMD widths, then 4099 (just across Fast's 4 K-element chunk
    /// boundary) and, with `crossChunk`, 9001 (three chunks) — a loss whose chunk-crossing case
    /// needs a particular layout adds it itself. The large ones are reduced, to keep the database small. Cycles through
    /// `reductions` and `options`.
    static func sizes(_ list: inout RecipeList, reductions: [JSONValue], options: [[String: JSONValue]],
                      crossChunk: Bool = true,
                      _ arguments: @escaping @Sendable (inout SeededRNG, Int) -> [String: TensorValue]) {
        for (i, n) in (Shapes.simdSizes + (crossChunk ? [4099, 9001] : [4099])).enumerated() {
            var reduction = reductions[i % reductions.count]
            if n > 4099 && reduction == .string("none") { reduction = .string("sum") }
            let o = options[i % options.count].merging(["reduction": reduction]) { _, b in b }
            list.add(.random, "sizes", options: o) { r in arguments(&r, n) }
        }
    }

    /// Invalid reduction strings, each an error case on valid tensors.
    static func invalidReductions(_ list: inout RecipeList, _ bad: [String], allowed: String,
                                  _ arguments: @escaping @Sendable (inout SeededRNG) -> [String: TensorValue]) {
        for s in bad {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(s)' is not one of \(allowed)",
                       options: ["reduction": .string(s)], inputs: arguments)
        }
    }
}

/// A float64 tensor of fixed values rounded to Float32 (so `1e-3` or `0.1` can be written as is).
func rounded(_ shape: [Int], _ values: [Double]) -> TensorValue {
    fixed(shape, values.map { Double(Float($0)) })
}
