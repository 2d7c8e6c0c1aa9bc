import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Cosine embedding loss, mirroring `torch.nn.functional.cosine_embedding_loss(input1, input2,
    /// target, margin, reduction)`.
    ///
    /// **Definition.** Over the last (feature) dimension, with PyTorch's C++ `float` constant
    /// `EPS32 = Float(1e-12)` added to each squared norm even in double precision:
    /// `cos = Σ x1·x2 / √((Σ x1² + EPS32)·(Σ x2² + EPS32))`, then `l = 1 − cos` for y = 1,
    /// `max(0, cos − margin)` for y = −1 and 0 for any other y (NaN included). A zero vector gives
    /// cos = 0 (no NaN) but a gradient of order 1e6·|other|.
    ///
    /// **Shapes** (Docs/Losses/cosine_embedding_loss.md). A 1-D target `(N)` needs 2-D inputs `(N, D)`; a 0-D target needs 1-D
    /// inputs `(D)` and gives a 0-dim output; any other target rank is rejected. input1 and input2
    /// broadcast against each other (`(N, D)` with `(1, D)`; even D against 1), each squared norm
    /// summing its own tensor's row; the target broadcasts against the N rows (length 1 allowed).
    ///
    /// **Reduction.** Generic: 'sum' → `Σ l`, 'mean' → `Σ l / numel`.
    ///
    /// **Gradients.** With `A = Σx1² + EPS32`, `B = Σx2² + EPS32`:
    /// `∂cos/∂x1 = x2/√(AB) − cos·x1/A`, `∂cos/∂x2 = x1/√(AB) − cos·x2/B`, and `∂l/∂cos = −1`
    /// (y = 1), `[cos − margin > 0]` (y = −1, 0 at the kink, Docs/Semantics.md#kinks), 0 otherwise; summed back over
    /// broadcast rows and features. No gradient flows to the target.
    ///
    /// **Edge cases.** Empty batch: 'mean' NaN, 'sum' 0. D = 0: cos = 0.
    ///
    /// **Errors.** `shape_mismatch` for the rank rules above and non-broadcastable sizes.
    ///
    /// **Error scale.** The dot product cancels: `cos` has scale `Σ|x1·x2|/√(AB)`; the norms are
    /// sums of squares (relative error only). `1 − cos` adds 1; the hinge adds `|margin|` (kept
    /// near the kink by `Hinge.scale`). Each gradient term is bounded by its parts:
    /// `|G|·(|x2|/√(AB) + (|cos| + scale(cos))·|x1|/A)`, summed like the gradient.
    public static func cosineEmbeddingLoss(
        input1: Tensor<Double>, input2: Tensor<Double>, target: Tensor<Double>, margin: Double = 0,
        reduction: Reduction = .mean, gradOutput: Tensor<Double>? = nil
    ) throws -> LossResult {
        let shapes = try CosineEmbeddingValidation.shapes(input1: input1.shape, input2: input2.shape, target: target.shape)
        let (full, rowShape, features, outShape) = (shapes.full, shapes.rows, shapes.features, shapes.output)
        let x1 = Reduce.expand(input1, to: full), x2 = Reduce.expand(input2, to: full)
        let rows = Shape.count(rowShape)

        // Squared norms over each input's own rows, read at every broadcast row.
        let norms1 = squaredNorms(input1), norms2 = squaredNorms(input2)
        let a = Shape.broadcastIndices(from: Array(input1.shape.dropLast()), to: rowShape).map { norms1[$0] }
        let b = Shape.broadcastIndices(from: Array(input2.shape.dropLast()), to: rowShape).map { norms2[$0] }
        var cos = [Double](repeating: 0, count: rows), cosScale = cos, rootAB = cos
        for r in 0..<rows {
            var dot = CompensatedSum(), dotAbs = CompensatedSum()
            for d in 0..<features {
                let p = x1[r * features + d] * x2[r * features + d]
                dot.add(p)
                dotAbs.add(abs(p))
            }
            rootAB[r] = (a[r] * b[r]).squareRoot()
            cos[r] = dot.value / rootAB[r]
            cosScale[r] = dotAbs.value / rootAB[r]
        }

        let rowOf = Shape.broadcastIndices(from: rowShape, to: outShape)
        let ys = Reduce.expand(target, to: outShape)
        let n = ys.count
        var values = [Double](repeating: 0, count: n), scales = values, slope = values
        for o in 0..<n {
            let r = rowOf[o]
            if ys[o] == 1 {
                values[o] = 1 - cos[r]
                scales[o] = 1 + cosScale[r]
                slope[o] = -1
            } else if ys[o] == -1 {
                let z = cos[r] - margin
                values[o] = Hinge.clamp(z)
                scales[o] = Hinge.scale(z, parts: cosScale[r] + abs(margin))
                slope[o] = Hinge.slope(z)
            }
        }
        var builder = ResultBuilder()
        guard let up = try builder.setGenericReducedOutput(values, scales: scales, shape: outShape, reduction: reduction,
                                                           gradOutput: gradOutput) else {
            return builder.result
        }
        // G = ∂(Σ g·l)/∂cos per broadcast row.
        let g = Reduce.sumToShape((0..<n).map { up[$0] * slope[$0] }, from: outShape, to: rowShape)
        let gAbs = Reduce.sumToShape((0..<n).map { abs(up[$0] * slope[$0]) }, from: outShape, to: rowShape)

        /// The gradient of one input: its dot-product term on the broadcast shape summed back onto
        /// the input, plus its own norm's term `x·Σ_rows (−G·cos/A)`.
        func gradient(of input: Tensor<Double>, other: [Double], norms: [Double]) -> (Tensor<Double>, Tensor<Double>) {
            var dotTerm = [Double](repeating: 0, count: Shape.count(full)), dotScale = dotTerm
            var normCoefficient = [Double](repeating: 0, count: rows), normScale = normCoefficient
            for r in 0..<rows {
                for d in 0..<features {
                    dotTerm[r * features + d] = g[r] * other[r * features + d] / rootAB[r]
                    dotScale[r * features + d] = gAbs[r] * abs(other[r * features + d]) / rootAB[r]
                }
                normCoefficient[r] = -g[r] * cos[r] / norms[r]
                normScale[r] = gAbs[r] * (abs(cos[r]) + cosScale[r]) / norms[r]
            }
            let ownRows = Array(input.shape.dropLast()), ownFeatures = input.shape.last ?? 1
            var values = Reduce.sumToShape(dotTerm, from: full, to: input.shape)
            var scales = Reduce.sumToShape(dotScale, from: full, to: input.shape)
            let coefficient = Reduce.sumToShape(normCoefficient, from: rowShape, to: ownRows)
            let coefficientScale = Reduce.sumToShape(normScale, from: rowShape, to: ownRows)
            for r in 0..<Shape.count(ownRows) {
                for d in 0..<ownFeatures {
                    let k = r * ownFeatures + d
                    values[k] += coefficient[r] * input[k]
                    scales[k] += coefficientScale[r] * abs(input[k])
                }
            }
            return (Tensor(shape: input.shape, scalars: values), Tensor(shape: input.shape, scalars: scales))
        }
        let (g1, s1) = gradient(of: input1, other: x2, norms: a)
        let (g2, s2) = gradient(of: input2, other: x1, norms: b)
        builder.set("grad_input1", g1, scale: s1)
        builder.set("grad_input2", g2, scale: s2)
        return builder.result
    }

    /// `Σ x² + EPS32` over each row (last dimension) of `x`.
    private static func squaredNorms(_ x: Tensor<Double>) -> [Double] {
        let eps32 = Double(Float(1e-12))
        let features = x.shape.last ?? 1
        return (0..<Shape.count(Array(x.shape.dropLast()))).map { r in
            CompensatedSum.sum((0..<features).lazy.map { x[r * features + $0] * x[r * features + $0] }) + eps32
        }
    }

    static func cosineEmbeddingLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try cosineEmbeddingLoss(input1: c.requiredFloat("input1"), input2: c.requiredFloat("input2"),
                                target: c.requiredFloat("target"), margin: o.margin, reduction: o.reduction,
                                gradOutput: c.float("grad_output"))
    }
}
