@_spi(Kernels) import LossSpec
import Reference

/// The per-loss structure the invariants need: what 'mean' divides by (spec, each loss's
/// reduction section) and which axis of each argument is the batch.
package enum ReductionRules {
    /// `mean = Σ_i a_i · none_i / divisor`, with `a_i = 1` unless `coefficients` says otherwise.
    package struct MeanRule: Sendable {
        package var coefficients: [Double]?
        package var divisor: Double
        /// The rule in words, for messages.
        package var description: String
        /// NLL/CE: 'mean' is NaN when W = 0 (Docs/Losses/cross_entropy.md, Docs/Losses/nll_loss.md), not Σ/0.
        package var nanWhenDivisorIsZero = false
    }

    /// The reduction rule of `reduction` ('mean' or kl_div's 'batchmean') for a valid case whose
    /// 'none' output is `none`. This is the one place the fuzzer encodes the spec's divisors:
    ///
    /// - generic (Docs/Semantics.md#reductions): `numel(none)` — also MultiMargin, MultiLabelMargin (N), MultiLabelSoftMargin
    ///   (numel of the per-sample losses), CE with probability targets (M = numel(input)/C),
    ///   weighted Huber (`Σ w·l / numel`, Docs/Losses/huber_loss.md), GaussianNLL, PoissonNLL, BCE (weight not a normaliser);
    /// - weighted L1/MSE (Docs/Losses/l1_loss.md, Docs/Losses/mse_loss.md): `Σ w` over the weight's own elements;
    /// - NLL and CE with class-index targets (Docs/Losses/cross_entropy.md, Docs/Losses/nll_loss.md): `W = Σ_{n : y_n ≠ ignore_index} w_{y_n}`
    ///   (w ≡ 1 without weight), also under label smoothing; NaN when W = 0 ("all ignored (or W = 0) → NaN");
    /// - CTC (Docs/Losses/ctc_loss.md): `(1/N) Σ_b loss_b / max(L_b, 1)`, i.e. `a_b = 1/max(L_b, 1)`, divisor N;
    /// - kl_div 'batchmean' (Docs/Losses/kl_div.md): `input.size(0)`, or 1 for a 0-dim input.
    package static func meanRule(_ c: LossCase, none: Tensor<Double>, reduction: Reduction = .mean) -> MeanRule? {
        let numel = MeanRule(coefficients: nil, divisor: Double(none.count), description: "Σ none / numel(none)")
        if reduction == .batchmean {
            guard c.loss == .klDiv, case .float64(let x)? = c.inputs["input"] else { return nil }
            return MeanRule(coefficients: nil, divisor: Double(x.rank > 0 ? x.shape[0] : 1),
                            description: "Σ none / input.size(0)")
        }
        switch c.loss {
        case .l1Loss, .mseLoss:
            guard case .float64(let w)? = c.inputs["weight"] else { return numel }
            return MeanRule(coefficients: nil, divisor: CompensatedSum.sum(w.scalars), description: "Σ none / Σ weight")
        case .nllLoss, .crossEntropy:
            guard case .int64(let t)? = c.inputs["target"] else { return numel }
            let ignore = (try? c.decodedOptions().ignoreIndex) ?? -100
            var weight: Tensor<Double>? = nil
            if case .float64(let w)? = c.inputs["weight"] { weight = w }
            var terms: [Double] = []
            for y in t.scalars where Int(y) != ignore {
                guard let w = weight else { terms.append(1); continue }
                guard y >= 0, Int(y) < w.count else { return nil }
                terms.append(w[Int(y)])
            }
            return MeanRule(coefficients: nil, divisor: CompensatedSum.sum(terms),
                            description: "Σ none / Σ_{valid n} w[y_n] (NaN when 0)", nanWhenDivisorIsZero: true)
        case .ctcLoss:
            guard case .int64(let lengths)? = c.inputs["target_lengths"], lengths.count == max(none.count, 1) else { return nil }
            return MeanRule(coefficients: lengths.scalars.map { 1 / Double(max($0, 1)) },
                            divisor: Double(lengths.count), description: "Σ_b none_b / max(L_b, 1) / N")
        default:
            return numel
        }
    }

    /// For each tensor argument, the axis indexing the batch (absent: the argument is shared by
    /// the whole batch, e.g. a class weight or a size-1 broadcast). The 'none' output's batch axis
    /// is 0. Nil when the case has no batch of at least two samples, or its layout is not one
    /// this function knows (then the permutation property does not apply).
    ///
    /// CTC's concatenated targets are handled by `permuted`, not by an axis.
    package static func batchAxes(_ c: LossCase, noneShape: [Int]) -> [String: Int]? {
        guard let n = noneShape.first, n >= 2 else { return nil }
        var axes: [String: Int] = [:]
        func shape(_ name: String) -> [Int]? { c.inputs[name]?.shape }
        switch c.loss {
        case .nllLoss, .crossEntropy, .multiMarginLoss, .multilabelMarginLoss:
            guard let x = shape("input"), x.count >= 2, x[0] == n, let t = shape("target"), t.first == n else { return nil }
            axes["input"] = 0
            axes["target"] = 0
        case .ctcLoss:
            guard let lp = shape("log_probs"), lp.count == 3, lp[1] == n else { return nil }
            axes["log_probs"] = 1
            for name in ["input_lengths", "target_lengths"] {
                guard shape(name) == [n] else { return nil }
                axes[name] = 0
            }
            if let t = shape("targets"), t.count == 2 {
                guard t[0] == n else { return nil }
                axes["targets"] = 0
            }
        case .cosineEmbeddingLoss, .tripletMarginLoss, .tripletMarginWithDistanceLoss:
            for spec in c.loss.arguments {
                guard let s = shape(spec.name) else { continue }
                if s.count >= (c.loss == .cosineEmbeddingLoss && spec.name == "target" ? 1 : 2), s[0] == n {
                    axes[spec.name] = 0
                } else if s.first != 1, !(c.loss == .cosineEmbeddingLoss && spec.name == "target" && s.isEmpty) {
                    return nil
                }
            }
        default:
            // Elementwise losses: arguments broadcast right-aligned against the full shape
            // (MultiLabelSoftMargin's has the class dimension after the 'none' shape).
            let fullRank = noneShape.count + (c.loss == .multilabelSoftMarginLoss ? 1 : 0)
            for spec in c.loss.arguments {
                guard let s = shape(spec.name) else { continue }
                var a = s.count - fullRank
                if c.loss == .gaussianNLLLoss, spec.name == "var", let x = shape("input"), s != x,
                   s == Array(x.dropLast()) {
                    a = s.count - (fullRank - 1)
                }
                guard a < s.count else { return nil }
                if a >= 0, s[a] == n { axes[spec.name] = a } else if a >= 0, s[a] != 1 { return nil }
            }
        }
        return axes
    }

    /// The case with its batch reordered by `perm` (new sample k = old sample perm[k]).
    package static func permuted(_ c: LossCase, axes: [String: Int], perm: [Int]) -> LossCase {
        var out = c
        for (name, axis) in axes {
            switch c.inputs[name] {
            case .float64(let t)?: out.inputs[name] = .float64(permute(t, axis: axis, perm: perm))
            case .int64(let t)?: out.inputs[name] = .int64(permute(t, axis: axis, perm: perm))
            case nil: break
            }
        }
        if c.loss == .ctcLoss, case .int64(let t)? = c.inputs["targets"], t.rank == 1,
           case .int64(let lengths)? = c.inputs["target_lengths"], lengths.count == perm.count {
            var starts: [Int] = [], offset = 0
            for l in lengths.scalars { starts.append(offset); offset += Int(max(l, 0)) }
            var flat: [Int64] = []
            for k in perm { flat += t.scalars[starts[k]..<starts[k] + Int(max(lengths[k], 0))] }
            out.inputs["targets"] = .int64(Tensor(shape: [flat.count], scalars: flat))
        }
        return out
    }

    /// Reorders `t` along `axis` by `perm`.
    package static func permute<S>(_ t: Tensor<S>, axis: Int, perm: [Int]) -> Tensor<S> {
        let outer = Shape.count(Array(t.shape[..<axis]))
        let inner = Shape.count(Array(t.shape[(axis + 1)...]))
        let n = t.shape[axis]
        var scalars = t.scalars
        for o in 0..<outer {
            for k in 0..<n {
                let dst = (o * n + k) * inner, src = (o * n + perm[k]) * inner
                for i in 0..<inner { scalars[dst + i] = t.scalars[src + i] }
            }
        }
        return Tensor(shape: t.shape, scalars: scalars)
    }
}
