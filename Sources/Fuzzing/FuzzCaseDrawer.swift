import Foundation
import Generator
@_spi(Kernels) import LossSpec
import Reference

/// Draws one random case per call: any of the 21 losses, every reduction and option, and the
/// shape and value classes where implementations go wrong (Docs/Semantics.md#empty-inputs to #kinks):
///
/// - shapes: 0-dim, empty, size 1, sizes just below/at/above the SIMD widths (8, 16, 32, 64) and
///   multiples of Fast's 4096-element chunk (16 384) and its 32 768-element grain before a second
///   thread is woken, K-dim class losses, broadcasting partners, large;
/// - values: kinks (|d| = δ/β, hinge arguments exactly 0, ties), clamp edges (BCE 0/1, var ≤ eps,
///   Stirling y = 1), large magnitudes that stay inside Float32's range, NaN and ±inf, duplicate
///   labels, all-ignored targets, infeasible CTC alignments;
/// - invalid inputs (about one case in eight): bad reductions, out-of-range options, shape
///   mismatches, out-of-range targets, bad CTC lengths — each must raise the same error kind in
///   both implementations.
///
/// Every float is exactly representable in Float32 (golden-database rule). The case gets a random
/// `grad_output` in the output's shape when the Reference evaluates it.
package struct FuzzCaseDrawer: Sendable {
    /// Upper bound on the elements of the largest tensor (large shapes are drawn up to this).
    package var maxElements: Int

    package init(maxElements: Int = 70_000) { self.maxElements = maxElements }

    /// Draws a case of `loss` from `rng` (deterministic: same RNG state, same case).
    package func draw(_ loss: LossKind, _ rng: inout SeededRNG) -> LossCase {
        drawWithIntent(loss, &rng).case
    }

    /// The case and whether the drawer meant it to be invalid (for the drawer's own tests: an
    /// error the drawer did not intend wastes the case on validation).
    func drawWithIntent(_ loss: LossKind, _ rng: inout SeededRNG) -> (case: LossCase, invalid: Bool) {
        var d = Draw(rng: rng, maxElements: max(1, maxElements))
        d.invalid = d.rng.bool(0.12)
        d.specials = d.rng.bool(0.3)
        d.nonFinite = d.specials && d.rng.bool(0.3)
        var c = d.body(loss)
        rng = d.rng
        c = Self.withGradOutput(c, &rng)
        return (c, d.invalid)
    }

    /// Adds a random `grad_output` in the shape of the Reference's output (none when the
    /// Reference rejects the case): uniform magnitudes in [0.5, 2), one in five negative.
    static func withGradOutput(_ c: LossCase, _ rng: inout SeededRNG) -> LossCase {
        var c = c
        c.inputs["grad_output"] = nil
        guard let out = try? Reference.evaluate(c).output else { return c }
        c.inputs["grad_output"] = rng.tensor(out.shape) { r in
            Double(Float(r.uniform(0.5, 2) * (r.bool(0.2) ? -1 : 1)))
        }
        return c
    }
}

/// The state of one draw.
struct Draw {
    var rng: SeededRNG
    let maxElements: Int
    var invalid = false
    var specials = false
    var nonFinite = false

    // MARK: Sizes and shapes

    /// An element count from the classes that matter.
    mutating func count() -> Int {
        let roll = rng.int(0, 99)
        let n: Int
        switch roll {
        case 0..<6: n = 0
        case 6..<18: n = 1
        case 18..<45: n = rng.int(2, 6)
        case 45..<75: n = rng.pick([7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129])
        case 75..<91: n = rng.int(66, 1000)
        case 91..<97: n = rng.pick([16_383, 16_384, 16_385, 32_767, 32_769])
        default: n = rng.pick([65_537, 100_003])
        }
        return min(n, maxElements)
    }

    /// A small dimension size, SIMD neighbours included.
    mutating func dim(_ lo: Int = 1) -> Int {
        max(lo, rng.bool(0.6) ? rng.int(1, 5) : rng.pick([7, 8, 9, 15, 16, 17, 33]))
    }

    /// A shape for elementwise losses: 0-dim, empty, 1-D of a drawn count, 2-D, or K-dim.
    mutating func shape() -> [Int] {
        switch rng.int(0, 99) {
        case 0..<9: return []
        case 9..<15: return rng.pick([[0], [3, 0], [0, 4], [2, 0, 3]])
        case 15..<55: return [count()]
        case 55..<82:
            let n = max(1, count())
            let rows = rng.pick([1, 2, 3, 4, 5, 8, 16])
            return [rows, max(1, n / rows)]
        default:
            return (0..<rng.int(3, 4)).map { _ in rng.int(1, 4) }
        }
    }

    /// A shape that broadcasts with `s`: some sizes set to 1, maybe fewer leading dimensions.
    mutating func partner(_ s: [Int], sameRank: Bool = false) -> [Int] {
        var p = s.map { rng.bool(0.35) ? 1 : $0 }
        if !sameRank, !p.isEmpty, rng.bool(0.3) { p.removeFirst(rng.int(1, p.count)) }
        return p
    }

    /// A shape that does not broadcast with `s` (for shape errors).
    func mismatch(_ s: [Int]) -> [Int] {
        if let last = s.last, last > 0 { return Array(s.dropLast()) + [last + 2] }
        return s + [3] == s ? [5] : [5, 3]
    }

    // MARK: Values

    /// `n` values from `base`, with the case's special values mixed in.
    mutating func values(_ n: Int, specials extra: [Double] = [], _ base: (inout SeededRNG) -> Double) -> [Double] {
        var pool = extra
        if nonFinite { pool += [.nan, .infinity, -.infinity] }
        return (0..<n).map { _ in
            if specials, !pool.isEmpty, rng.bool(0.2) { return rng.pick(pool) }
            return base(&rng)
        }
    }

    mutating func tensor(_ shape: [Int], specials extra: [Double] = [], _ base: (inout SeededRNG) -> Double) -> TensorValue {
        .float64(Tensor(shape: shape, scalars: values(Shape.count(shape), specials: extra, base)))
    }

    mutating func normal(_ shape: [Int], std: Double? = nil, specials extra: [Double] = []) -> TensorValue {
        let s = std ?? rng.pick([0.5, 1, 2, 10])
        return tensor(shape, specials: extra) { $0.normal(0, s) }
    }

    /// Sets some elements of `a` to `b`'s (broadcast-aligned when shapes are equal) plus an offset:
    /// exact kinks such as |x − y| = β.
    /// The partner value is first rounded to a multiple of 1/64, so `x − y` is exactly the
    /// offset in Float32 as in Double: a kink both implementations see (a near-kink would flip
    /// branches under Float32 rounding, which is not a bug).
    mutating func kinks(_ a: inout TensorValue, _ b: inout TensorValue, offsets: [Double]) {
        guard specials, case .float64(var x) = a, case .float64(var y) = b, x.shape == y.shape, !x.isEmpty else { return }
        for i in 0..<x.count where rng.bool(0.3) && y[i].isFinite && abs(y[i]) < 1e4 {
            y[i] = (y[i] * 64).rounded() / 64
            x[i] = y[i] + rng.pick(offsets)
        }
        a = .float64(x)
        b = .float64(y)
    }

    mutating func ints(_ shape: [Int], _ lo: Int, _ hi: Int) -> TensorValue {
        .int64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in Int64(rng.int(lo, hi)) }))
    }

    mutating func reduction(batchmean: Bool = false) -> JSONValue {
        if invalid, rng.bool(0.25) { return .string(rng.pick(["avg", "elementwise_sum", "batchmean"])) }
        var all = ["none", "mean", "sum"]
        if batchmean { all.append("batchmean") }
        if rng.bool(0.05) { return .string("elementwise_mean") }
        return .string(rng.pick(all))
    }

    // MARK: Losses

    mutating func body(_ loss: LossKind) -> LossCase {
        var o: [String: JSONValue] = [:]
        var inputs: [String: TensorValue] = [:]
        if rng.bool(0.85) { o["reduction"] = reduction(batchmean: loss == .klDiv) }
        switch loss {
        case .l1Loss, .mseLoss, .huberLoss, .smoothL1Loss:
            let s = shape()
            let t = rng.bool(0.2) ? partner(s) : s
            let big = loss == .mseLoss || loss == .huberLoss || loss == .smoothL1Loss ? 1e15 : 1e30
            inputs["input"] = normal(s, specials: [0, big, -big])
            inputs["target"] = normal(t, specials: [0, 1])
            var param = 1.0
            if loss == .huberLoss, rng.bool(0.6) {
                param = invalid && rng.bool(0.5) ? rng.pick([0, -1]) : rng.pick([0.5, 1, 2, 0.125])
                o["delta"] = .number(param)
            }
            if loss == .smoothL1Loss, rng.bool(0.6) {
                param = invalid && rng.bool(0.5) ? -1 : rng.pick([0, 0.5, 1, 2])
                o["beta"] = .number(param)
            }
            var (x, y) = (inputs["input"]!, inputs["target"]!)
            kinks(&x, &y, offsets: [0, param, -param])
            (inputs["input"], inputs["target"]) = (x, y)
            if loss != .smoothL1Loss, rng.bool(0.3) {
                let ws = invalid && rng.bool(0.3) ? mismatch(s) : s
                inputs["weight"] = tensor(ws, specials: [0]) { r in r.uniform(r.bool(0.2) ? -1 : 0, 2) }
            }
            if invalid, rng.bool(0.3) { inputs["target"] = normal(mismatch(s)) }
        case .poissonNLLLoss:
            let s = shape()
            let logInput = rng.bool(0.7)
            if !logInput || rng.bool(0.3) { o["log_input"] = .bool(logInput) }
            if rng.bool(0.4) { o["full"] = .bool(true) }
            if rng.bool(0.2) { o["eps"] = .number(rng.pick([1e-8, 1e-3, 0.5])) }
            inputs["input"] = logInput ? normal(s, std: 2, specials: [0, -80, 60])
                : tensor(s, specials: [0, 1]) { $0.uniform(0, 4) }
            let t = rng.bool(0.2) ? partner(s) : s
            inputs["target"] = tensor(t, specials: [0, 1, 2]) { r in Double(r.int(0, 6)) + (r.bool(0.5) ? r.uniform(0, 1) : 0) }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .gaussianNLLLoss:
            let s = shape()
            if rng.bool(0.4) { o["full"] = .bool(true) }
            let eps = rng.bool(0.3) ? rng.pick([1e-6, 0.01, 0.5]) : 1e-6
            if eps != 1e-6 || rng.bool(0.2) { o["eps"] = .number(eps) }
            inputs["input"] = normal(s, specials: [0])
            inputs["target"] = normal(rng.bool(0.2) ? partner(s) : s)
            var vs = s
            switch rng.int(0, 9) {
            case 0..<2 where !s.isEmpty: vs = Array(s.dropLast())
            case 2..<4 where !s.isEmpty: vs[rng.int(0, s.count - 1)] = 1
            default: break
            }
            if invalid { vs = rng.bool(0.5) ? mismatch(s) : vs }
            let negative = invalid && rng.bool(0.5)
            inputs["var"] = tensor(vs, specials: [0, Double(Float(eps)), Double(Float(eps / 2))]) { r in
                negative && r.bool(0.3) ? -r.uniform(0.1, 1) : r.uniform(0, 3)
            }
        case .klDiv:
            let s = shape()
            let logTarget = rng.bool(0.3)
            if logTarget || rng.bool(0.2) { o["log_target"] = .bool(logTarget) }
            inputs["input"] = tensor(s, specials: [0, -.infinity]) { $0.uniform(-6, 0) }
            let t = rng.bool(0.2) ? partner(s) : s
            inputs["target"] = logTarget ? tensor(t, specials: [0, -30]) { $0.uniform(-6, 0) }
                : tensor(t, specials: [0, 1]) { $0.uniform(0, 1) }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .binaryCrossEntropy:
            let s = shape()
            inputs["input"] = tensor(s, specials: [0, 1, 0x1p-30]) { $0.uniform(0, 1) }
            inputs["target"] = tensor(s, specials: [0, 1]) { $0.uniform(0, 1) }
            if rng.bool(0.3) { inputs["weight"] = tensor(partner(s), specials: [0]) { $0.uniform(0, 2) } }
            if invalid {
                switch rng.int(0, 2) {
                case 0: inputs["input"] = tensor(s.isEmpty || Shape.count(s) == 0 ? [2] : s) { r in r.bool(0.5) ? 1.5 : -0.25 }
                case 1: inputs["target"] = normal(mismatch(s))
                default: inputs["target"] = tensor(s) { _ in 2 }
                }
            }
        case .binaryCrossEntropyWithLogits:
            let s = shape()
            inputs["input"] = normal(s, std: rng.pick([1, 10, 100]), specials: [0, 200, -200])
            inputs["target"] = tensor(s, specials: [0, 1, 2]) { $0.uniform(0, 1) }
            if rng.bool(0.3) { inputs["weight"] = tensor(partner(s), specials: [0]) { $0.uniform(0, 2) } }
            if rng.bool(0.3), let last = s.last { inputs["pos_weight"] = tensor([last]) { $0.uniform(0, 3) } }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .softMarginLoss:
            let s = shape()
            // |y·x| stays below Float32's exp overflow (88.7) or above Double's (709.8) for |y| ≤ 2.
            inputs["input"] = normal(s, specials: [0, 40, -40, 800, -800])
            inputs["target"] = tensor(rng.bool(0.2) ? partner(s) : s, specials: [0, 2]) { r in r.bool() ? 1 : -1 }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .hingeEmbeddingLoss:
            let s = shape()
            let margin = rng.bool(0.5) ? rng.pick([1, 0, 0.5, -1, 2]) : 1
            if margin != 1 || rng.bool(0.2) { o["margin"] = .number(margin) }
            inputs["input"] = normal(s, specials: [margin, 0, .infinity])
            inputs["target"] = tensor(rng.bool(0.2) ? partner(s) : s, specials: [0, 2]) { r in r.bool() ? 1 : -1 }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .marginRankingLoss:
            let s = shape()
            let margin = rng.bool(0.5) ? rng.pick([0, 0.5, -0.5, 1]) : 0
            if margin != 0 || rng.bool(0.2) { o["margin"] = .number(margin) }
            inputs["input1"] = normal(rng.bool(0.2) ? partner(s, sameRank: true) : s)
            inputs["input2"] = normal(rng.bool(0.2) ? partner(s, sameRank: true) : s)
            inputs["target"] = tensor(rng.bool(0.2) ? partner(s, sameRank: true) : s, specials: [0, 2]) { r in r.bool() ? 1 : -1 }
            if specials, case .float64(var a)? = inputs["input1"], case .float64(var b)? = inputs["input2"],
               case .float64(let y)? = inputs["target"], a.shape == b.shape, a.shape == y.shape {
                // Exact kinks −y·(x1 − x2) + margin = 0 (grid values, see `kinks`).
                for i in 0..<a.count where rng.bool(0.3) && abs(y[i]) == 1 && b[i].isFinite {
                    b[i] = (b[i] * 64).rounded() / 64
                    a[i] = b[i] + margin * y[i]
                }
                inputs["input1"] = .float64(a)
                inputs["input2"] = .float64(b)
            }
            if invalid { inputs["target"] = normal(rng.bool(0.5) ? s + [2] : mismatch(s)) }
        case .multilabelSoftMarginLoss:
            let c = dim()
            var s = rng.pick([[c], [count() / c + 1, c], [rng.int(1, 3), rng.int(1, 4), c], [0, c]])
            if Shape.count(s) > maxElements { s = [c] }
            inputs["input"] = normal(s, specials: [0, 50, -50])
            inputs["target"] = tensor(rng.bool(0.2) ? partner(s) : s, specials: [0.5]) { r in r.bool(0.7) ? (r.bool() ? 1 : 0) : r.uniform(0, 1) }
            if rng.bool(0.3) { inputs["weight"] = tensor(rng.bool(0.7) ? [c] : partner(s), specials: [0]) { $0.uniform(0, 2) } }
            if invalid { inputs["target"] = normal(mismatch(s)) }
        case .nllLoss, .crossEntropy:
            classBody(loss, &o, &inputs)
        case .multiMarginLoss:
            let c = dim()
            let batched = rng.bool(0.8)
            let n = batched ? min(rng.bool(0.1) ? 0 : max(1, count() / c), maxElements / c) : 1
            let p: Double = invalid && rng.bool(0.3) ? 3 : (rng.bool(0.5) ? 2 : 1)
            if p != 1 || rng.bool(0.2) { o["p"] = .number(p) }
            let margin = rng.bool(0.5) ? rng.pick([1, 0, 0.5, -1, 2]) : 1
            if margin != 1 { o["margin"] = .number(margin) }
            inputs["input"] = normal(batched ? [n, c] : [c], specials: [0, 1, -1])
            inputs["target"] = ints(batched ? [n] : (rng.bool(0.7) ? [] : [1]), 0, invalid && rng.bool(0.4) ? c : c - 1)
            if rng.bool(0.3) { inputs["weight"] = tensor([c], specials: [0]) { $0.uniform(0, 2) } }
        case .multilabelMarginLoss:
            let c = dim()
            let batched = rng.bool(0.8)
            let n = batched ? min(rng.bool(0.1) ? 0 : max(1, count() / c), maxElements / c) : 1
            inputs["input"] = normal(batched ? [n, c] : [c], specials: [0, 1, -1])
            var t: [Int64] = []
            let duplicates = rng.bool(0.3)
            for _ in 0..<n {
                let labels = rng.int(0, c)
                var row = (0..<labels).map { _ in Int64(rng.int(0, c - 1)) }
                if !duplicates { var seen = Set<Int64>(); row = row.filter { seen.insert($0).inserted } }
                if row.count < c { row.append(-1) }
                while row.count < c { row.append(Int64(rng.int(-1, c - 1))) }
                t += row
            }
            if invalid, !t.isEmpty { t[rng.int(0, t.count - 1)] = rng.bool() ? -2 : Int64(c) }
            inputs["target"] = .int64(Tensor(shape: batched ? [n, c] : [c], scalars: t))
        case .cosineEmbeddingLoss:
            let d = dim()
            let batched = rng.bool(0.8)
            let n = batched ? min(rng.bool(0.1) ? 0 : rng.int(1, 40), maxElements / d) : 1
            let s = batched ? [n, d] : [d]
            let margin = rng.bool(0.5) ? rng.pick([0, 0.5, -0.5]) : 0
            if margin != 0 || rng.bool(0.2) { o["margin"] = .number(margin) }
            inputs["input1"] = normal(s, specials: [0])
            inputs["input2"] = normal(batched && rng.bool(0.15) ? [1, d] : s, specials: [0])
            inputs["target"] = tensor(batched ? (rng.bool(0.1) ? [1] : [n]) : [], specials: [0]) { r in r.bool() ? 1 : -1 }
            if invalid { inputs["target"] = tensor(batched ? [n, 2] : [2]) { _ in 1 } }
        case .tripletMarginLoss, .tripletMarginWithDistanceLoss:
            let d = dim()
            let s: [Int] = rng.pick([[d], [rng.int(0, 40), d], [rng.int(1, 3), rng.int(1, 3), d]])
            let margin = invalid && rng.bool(0.4) ? rng.pick([0, -1]) : (rng.bool(0.5) ? rng.pick([1, 0.5, 2]) : 1)
            if margin != 1 || rng.bool(0.2) { o["margin"] = .number(margin) }
            if rng.bool(0.3) { o["swap"] = .bool(true) }
            if loss == .tripletMarginLoss {
                if rng.bool(0.4) { o["p"] = .number(rng.pick([1, 2, 3, 0.5, 2.5])) }
                if rng.bool(0.2) { o["eps"] = .number(rng.pick([0, 1e-6, 0.01])) }
            } else if rng.bool(0.7) {
                o["distance_function"] = rng.pick([.null, .string("pairwise_distance"), .string("cosine_distance")])
            }
            inputs["anchor"] = normal(s, specials: [0])
            inputs["positive"] = normal(rng.bool(0.15) ? partner(s, sameRank: true) : s, specials: [0])
            inputs["negative"] = normal(rng.bool(0.15) ? partner(s, sameRank: true) : s, specials: [0])
            if specials, rng.bool(0.3) { inputs["negative"] = inputs["positive"] }  // distance ties
            if invalid, rng.bool(0.5) { inputs["negative"] = normal(s + [1]) }
        case .ctcLoss:
            ctcBody(&o, &inputs)
        }
        // ±inf only in predictions; targets, weights and var get NaN instead. Next to an infinite
        // target, Float32 underflow (logσ(159) = 0) turns Double's ±inf into 0·inf = NaN: a
        // precision difference, not a bug.
        let predictions: Set<String> = ["input", "input1", "input2", "anchor", "positive", "negative", "log_probs"]
        for (name, value) in inputs where !predictions.contains(name) {
            if case .float64(let t) = value, t.scalars.contains(where: \.isInfinite) {
                inputs[name] = .float64(t.map { $0.isInfinite ? .nan : $0 })
            }
        }
        return LossCase(loss: loss, options: o, inputs: inputs)
    }

    /// nll_loss and cross_entropy: (C)+(), (N,C)+(N), (N,C,d…)+(N,d…); index or probability
    /// targets, weights, ignore_index inside and outside [0, C), all-ignored batches, smoothing.
    mutating func classBody(_ loss: LossKind, _ o: inout [String: JSONValue], _ inputs: inout [String: TensorValue]) {
        let c = rng.bool(0.1) ? rng.pick([100, 1000]) : dim()
        var spatial: [Int] = []
        let form = rng.int(0, 9)
        var n = 1
        if form >= 2 {
            n = rng.bool(0.08) ? 0 : max(1, min(count(), maxElements) / c)
            if form >= 8 {
                spatial = (0..<rng.int(1, 3)).map { _ in rng.int(1, 4) }
                n = min(n, 3)
            }
        }
        let inputShape = form < 2 ? [c] : [n, c] + spatial
        let targetShape = form < 2 ? [] : [n] + spatial
        let logits = loss == .crossEntropy
        inputs["input"] = logits ? normal(inputShape, specials: [0, 100, -100, -.infinity])
            : tensor(inputShape, specials: [0]) { $0.uniform(-8, 0) }
        let prob = logits && rng.bool(0.3)
        var ignore = -100
        if !prob, rng.bool(0.4) { ignore = rng.pick([-1, 0, c - 1, c + 5]) }
        if prob, rng.bool(0.2) { ignore = -1 }
        if invalid, prob, rng.bool(0.3) { ignore = 0 }
        if ignore != -100 || rng.bool(0.1) { o["ignore_index"] = .number(Double(ignore)) }
        if logits, rng.bool(0.4) {
            o["label_smoothing"] = .number(invalid && rng.bool(0.3) ? 1.5 : rng.pick([0.1, 0.5, 1, -0.1, 0]))
        }
        if prob {
            let t = Shape.count(targetShape)
            var p: [Double] = []
            for _ in 0..<max(t, 1) where t > 0 || form < 2 {
                let row = (0..<c).map { _ in rng.bool(0.2) ? 0 : rng.uniform(0, 1) }
                let total = row.reduce(0, +)
                p += row.map { total > 0 ? Double(Float($0 / total)) : 0 }
            }
            // Probabilities are laid out (N, C, d…): permute the row-major (N, d…, C) draw.
            inputs["target"] = .float64(Tensor(shape: inputShape, scalars: Self.classMajor(p, inputShape)))
        } else {
            let allIgnored = rng.bool(0.08)
            let hi = invalid && rng.bool(0.5) ? c : c - 1
            var t = ints(targetShape, 0, hi)
            if case .int64(var x) = t {
                for i in 0..<x.count where allIgnored || rng.bool(0.15) { x[i] = Int64(ignore) }
                if invalid, x.count > 0, hi == c - 1 { x[rng.int(0, x.count - 1)] = -2 }
                t = .int64(x)
            }
            inputs["target"] = t
            if invalid, rng.bool(0.3), form >= 2 { inputs["target"] = ints([n + 1], 0, c - 1) }
        }
        if rng.bool(0.3) {
            inputs["weight"] = tensor([invalid && rng.bool(0.3) ? c + 1 : c], specials: [0]) { r in r.uniform(r.bool(0.1) ? -1 : 0, 2) }
        }
    }

    /// (N, d…, C) row-major → (N, C, d…) row-major.
    static func classMajor(_ p: [Double], _ shape: [Int]) -> [Double] {
        guard shape.count > 2 else { return p }
        let n = shape[0], c = shape[1], inner = Shape.count(Array(shape.dropFirst(2)))
        var out = [Double](repeating: 0, count: p.count)
        for b in 0..<n { for k in 0..<inner { for j in 0..<c {
            out[(b * c + j) * inner + k] = p[(b * inner + k) * c + j]
        } } }
        return out
    }

    /// CTC: (T, N, C) or (T, C) log-softmaxed scores; padded or concatenated targets with repeats;
    /// input lengths up to T (some 0), target lengths up to S (some infeasible); blank anywhere.
    mutating func ctcBody(_ o: inout [String: JSONValue], _ inputs: inout [String: TensorValue]) {
        let t = rng.int(1, 12), c = rng.pick([2, 3, 4, 5, 9, 17]), batched = rng.bool(0.8)
        let n = batched ? rng.int(1, 5) : 1
        let blank = rng.bool(0.7) ? 0 : rng.int(0, c - 1)
        if blank != 0 || rng.bool(0.2) { o["blank"] = .number(Double(invalid && rng.bool(0.3) ? c : blank)) }
        if rng.bool(0.4) { o["zero_infinity"] = .bool(true) }
        var lp: [Double] = []
        for _ in 0..<(t * n) {
            let row = (0..<c).map { _ in rng.normal(0, 2) }
            let m = row.max()!
            let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
            lp += row.map { Double(Float($0 - lse)) }
        }
        if nonFinite, !lp.isEmpty, rng.bool(0.5) { lp[rng.int(0, lp.count - 1)] = rng.pick([-.infinity, .nan]) }
        inputs["log_probs"] = .float64(Tensor(shape: batched ? [t, n, c] : [t, c], scalars: lp))
        let s = rng.int(0, t + 2)
        var lengths: [Int64] = [], inLengths: [Int64] = [], labels: [[Int64]] = []
        let repeats = rng.bool(0.3)
        for _ in 0..<n {
            let l = rng.int(0, s)
            var row: [Int64] = []
            for k in 0..<l {
                if repeats, k > 0, rng.bool(0.5) { row.append(row[k - 1]); continue }
                var x = rng.int(0, c - 2)
                if x >= blank { x += 1 }
                row.append(Int64(x))
            }
            labels.append(row)
            lengths.append(Int64(l))
            inLengths.append(Int64(rng.bool(0.15) ? rng.int(0, t) : t))
        }
        if invalid {
            switch rng.int(0, 2) {
            case 0: inLengths[rng.int(0, n - 1)] = Int64(t + 1)
            case 1: lengths[rng.int(0, n - 1)] = -1
            default: inLengths.append(1)
            }
        }
        let shape: [Int] = inLengths.count != 1 || batched ? [inLengths.count] : (rng.bool() ? [] : [1])
        inputs["input_lengths"] = .int64(Tensor(shape: shape, scalars: inLengths))
        inputs["target_lengths"] = .int64(Tensor(shape: batched ? [lengths.count] : (lengths.count == 1 ? [] : [lengths.count]), scalars: lengths))
        if rng.bool(0.5) || !batched {
            let flat = labels.flatMap { $0 }
            inputs["targets"] = .int64(Tensor(shape: [flat.count], scalars: flat))
        } else {
            let width = max(s, labels.map(\.count).max() ?? 0)
            let padded = labels.flatMap { $0 + Array(repeating: Int64(blank), count: width - $0.count) }
            inputs["targets"] = .int64(Tensor(shape: [n, width], scalars: padded))
        }
    }
}
