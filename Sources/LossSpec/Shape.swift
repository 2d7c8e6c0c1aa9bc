/// Shape arithmetic shared by both implementations: element counts, row-major strides and
/// NumPy/PyTorch broadcasting (Docs/Semantics.md#shapes). No numerics here.
@_spi(Kernels) public enum Shape {
    /// Product of the sizes; 1 for a 0-dim shape, 0 whenever any size is 0 (whatever the others),
    /// and `Int.max` where the product overflows. Such a shape cannot hold data: tensors and
    /// broadcasts reject it (`countIfRepresentable`), so the saturation only keeps a hostile shape
    /// from trapping before it is rejected.
    public static func count(_ shape: [Int]) -> Int { countIfRepresentable(shape) ?? Int.max }

    /// Product of the sizes, or nil if it overflows `Int`; 0 when any size is 0, even where the
    /// product of the others would overflow (`[0, 10^14, 10^14]` is an empty tensor, as in PyTorch).
    public static func countIfRepresentable(_ shape: [Int]) -> Int? {
        if shape.contains(0) { return 0 }
        var n = 1
        for s in shape {
            let (r, overflow) = n.multipliedReportingOverflow(by: s)
            if overflow { return nil }
            n = r
        }
        return n
    }

    /// Row-major strides in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for axis in shape.indices.reversed() {
            strides[axis] = acc
            // Saturates: a stride past Int.max belongs to a shape with a 0 size elsewhere (no
            // element is ever indexed), since shapes that hold data are representable.
            let (next, overflow) = acc.multipliedReportingOverflow(by: shape[axis])
            acc = overflow ? Int.max : next
        }
        return strides
    }

    /// The broadcast shape of several shapes (right-aligned; sizes must match or be 1).
    ///
    /// - Throws: `shape_mismatch` naming both arguments and the first non-singleton axis that differs,
    ///   in PyTorch's words.
    public static func broadcast(_ shapes: [(name: String, shape: [Int])]) throws -> [Int] {
        var result: [Int] = []
        var resultOwner = ""
        for (name, shape) in shapes {
            if shape.count > result.count {
                result = [Int](repeating: 1, count: shape.count - result.count) + result
            }
            let offset = result.count - shape.count
            for (i, size) in shape.enumerated() {
                let j = offset + i
                if result[j] == size || size == 1 { continue }
                if result[j] == 1 {
                    result[j] = size
                    continue
                }
                throw LossError(
                    .shapeMismatch, argument: name,
                    "the size of \(resultOwner) (\(result[j])) must match the size of \(name) (\(size)) at non-singleton dimension \(j); shapes must be broadcastable")
            }
            resultOwner = resultOwner.isEmpty ? name : "\(resultOwner)/\(name)"
        }
        guard countIfRepresentable(result) != nil else {
            throw LossError(.shapeMismatch, argument: shapes.last?.name ?? "input",
                            "the broadcast shape \(result) of \(resultOwner) needs more elements than can be addressed")
        }
        try checkMaterializable(result, argument: shapes.last?.name ?? "input", what: "the broadcast shape of \(resultOwner)")
        return result
    }

    /// The most elements LossBench materializes for one tensor it computes (an output, a gradient,
    /// a row of per-sample results): 2^30, 8 GiB of Doubles.
    ///
    /// Small inputs can describe far larger results: `[100000, 1]` against `[1, 100000]` broadcasts
    /// to 10^10 elements, and an empty `[10^14, 0]` triplet anchor has 10^14 rows of distances.
    /// PyTorch fails such calls when its allocator gives up; allocating them here would abort the
    /// process (or bring in the OOM killer), taking a whole check or `eval --lines` batch down with
    /// one case. The bound is far above any case the generator, the fuzzer or the benchmarks make
    /// (at most 2^24 elements).
    public static let maximumMaterializedElements = 1 << 30

    /// Refuses a result shape with more than `maximumMaterializedElements` elements.
    ///
    /// - Throws: `shape_mismatch` naming `argument`, the shape and the bound.
    public static func checkMaterializable(_ shape: [Int], argument: String, what: String) throws {
        let n = count(shape)
        guard n <= maximumMaterializedElements else {
            throw LossError(
                .shapeMismatch, argument: argument,
                "\(what) is \(shape), \(n == Int.max ? "more than Int.max" : String(n)) elements; LossBench computes at most 2^30 (\(maximumMaterializedElements)) elements per result")
        }
    }

    /// For every element of `target` (row-major), the flat index of the element of `source` that
    /// broadcasting reads. `source` must broadcast to `target`.
    public static func broadcastIndices(from source: [Int], to target: [Int]) -> [Int] {
        precondition(source.count <= target.count, "cannot broadcast \(source) to \(target)")
        let total = count(target)
        if source == target { return Array(0..<total) }
        let offset = target.count - source.count
        let sourceStrides = strides(source)
        // Effective stride per target axis: 0 where the source is broadcast.
        var eff = [Int](repeating: 0, count: target.count)
        for i in source.indices where source[i] != 1 {
            precondition(source[i] == target[i + offset], "cannot broadcast \(source) to \(target)")
            eff[i + offset] = sourceStrides[i]
        }
        var out = [Int](repeating: 0, count: total)
        if total == 0 { return out }
        var index = [Int](repeating: 0, count: target.count)
        var src = 0
        for k in 0..<total {
            out[k] = src
            // Odometer increment over the target shape.
            var axis = target.count - 1
            while axis >= 0 {
                index[axis] += 1
                src += eff[axis]
                if index[axis] < target[axis] { break }
                src -= eff[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    /// Whether `shape` broadcasts to `target` without enlarging it.
    public static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let offset = target.count - shape.count
        return shape.indices.allSatisfy { shape[$0] == 1 || shape[$0] == target[$0 + offset] }
    }
}
