import Foundation
@_spi(Kernels) import LossSpec

/// The pipeline shared by `triplet_margin_loss` (Docs/Losses/triplet_margin_loss.md) and `triplet_margin_with_distance_loss`
/// (Docs/Losses/triplet_margin_with_distance_loss.md), which PyTorch itself implements as the same composition:
///
///     d_pos = f(a, p);  d_neg = f(a, n);  swap: d_neg = minimum(d_neg, f(p, n))
///     l = clamp_min(margin + d_pos − d_neg, 0)
///
/// Each distance is evaluated on the broadcast shape of its own pair (as PyTorch's pairwise calls
/// do, so the last dimensions of the pair must broadcast with each other but not with the third
/// tensor), over the last dimension; the three distance shapes then broadcast to the output.
/// A 0-dim argument is a vector of one element (PyTorch's norm and cosine_similarity treat it so);
/// its distance, and so the loss, is 0-dim.
///
/// Autograd conventions mirrored: `clamp_min` passes the gradient only where its argument is > 0
/// (0 at exactly 0 and for NaN); `minimum` gives ½/½ on a tie and the full gradient to both sides
/// when one is NaN; every gradient is upstream × local derivative, so a NaN local derivative
/// poisons even an inactive sample, as it does in autograd.
enum TripletMargin {
    /// The distance `f` over the last dimension of a pair.
    enum Distance: Sendable, Hashable {
        /// `pairwise_distance(x, y, p, eps) = ‖x − y + eps‖_p` with torch.norm's conventions.
        case pNorm(p: Double, eps: Double)
        /// `1 − cosine_similarity(x, y, dim=-1, eps)`.
        case cosine(eps: Double)
    }

    static func evaluate(anchor: Tensor<Double>, positive: Tensor<Double>, negative: Tensor<Double>,
                         distance: Distance, margin: Double, swap: Bool, reduction: Reduction,
                         gradOutput: Tensor<Double>?) throws -> LossResult {
        let emptyRowsAllowed = if case .pNorm(let p, _) = distance { p >= 0 && p.isFinite } else { true }
        let plan = try TripletShapes(anchor: anchor.shape, positive: positive.shape, negative: negative.shape,
                                     margin: margin, swap: swap, emptyRowsAllowed: emptyRowsAllowed)
        let args = [anchor, positive, negative].enumerated().map { $1.reshaped(plan.shapes[$0]) }
        let pairs = plan.pairs.map { PairDistance(args, $0, distance) }
        let outShape = plan.output
        let n = Shape.count(outShape)
        let pos = pairs[0].expanded(to: outShape)
        let an = pairs[1].expanded(to: outShape)
        let pn = swap ? pairs[2].expanded(to: outShape) : nil

        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        // Share of −∂l/∂d_neg that goes to f(a,n) and to f(p,n) (torch.minimum's backward).
        var toAN = [Double](repeating: 1, count: n)
        var toPN = [Double](repeating: 0, count: n)
        var active = [Bool](repeating: false, count: n)
        for k in 0..<n {
            var dNeg = an.values[k]
            var negScale = an.scales[k]
            if let pn {
                let (x, y) = (an.values[k], pn.values[k])
                dNeg = x.isNaN ? x : (y.isNaN ? y : min(x, y))
                toAN[k] = x == y ? 0.5 : (x > y ? 0 : 1)
                toPN[k] = x == y ? 0.5 : (x < y ? 0 : 1)
                negScale = max(negScale, pn.scales[k])
            }
            let z = margin + pos.values[k] - dNeg
            values[k] = z.isNaN ? z : max(z, 0)
            active[k] = z > 0
            // margin + d_pos − d_neg cancels: the clamped samples keep the scale of their parts.
            scales[k] = abs(margin) + pos.scales[k] + negScale
        }

        var builder = ResultBuilder()
        let (output, outputScale) = Reduce.apply(values, scales: scales, shape: outShape, reduction: reduction,
                                                 divisor: Double(n))
        builder.set("output", output, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: outShape, divisor: Double(n))
        else { return builder.result }

        // Upstream of each distance, per output element: +g for d_pos, −g·share for the negatives.
        let gz = (0..<n).map { active[$0] ? up[$0] : 0 }
        var grads = args.map { [Double](repeating: 0, count: $0.count) }
        var gradScales = args.map { [Double](repeating: 0, count: $0.count) }
        for (index, pair) in pairs.enumerated() {
            let sign: Double = index == 0 ? 1 : -1
            let share = index == 0 ? nil : (index == 1 ? toAN : toPN)
            let g = (0..<n).map { k in sign * gz[k] * (share?[k] ?? 1) }
            pair.backward(upstream: g, from: outShape, grads: &grads, scales: &gradScales)
        }
        for (i, name) in TripletShapes.argumentNames.enumerated() {
            let shape = [anchor, positive, negative][i].shape
            builder.set("grad_\(name)", Tensor(shape: shape, scalars: grads[i]),
                        scale: Tensor(shape: shape, scalars: gradScales[i]))
        }
        return builder.result
    }
}

/// One distance `f(x, y)` of the triplet: its pair's broadcast shape, per-row values and scales,
/// and per-element local derivatives with their scales (kept for the backward pass).
private struct PairDistance {
    let first: Int, second: Int
    let xShape: [Int], yShape: [Int]
    let full: [Int]
    let batch: [Int]
    var values: [Double] = []
    var scales: [Double] = []
    var gx: [Double] = [], gy: [Double] = []
    var gxScale: [Double] = [], gyScale: [Double] = []

    init(_ args: [Tensor<Double>], _ pair: TripletShapes.Pair, _ distance: TripletMargin.Distance) {
        first = pair.first
        second = pair.second
        xShape = args[first].shape
        yShape = args[second].shape
        full = pair.full
        batch = pair.batch
        let width = pair.width
        let x = Reduce.expand(args[first], to: full)
        let y = Reduce.expand(args[second], to: full)
        let rows = Shape.count(batch)
        values.reserveCapacity(rows)
        scales.reserveCapacity(rows)
        for r in 0..<rows {
            let range = (r * width)..<((r + 1) * width)
            let row = distance.row(x[range], y[range])
            values.append(row.value)
            scales.append(row.scale)
            gx += row.gx
            gy += row.gy
            gxScale += row.gxScale
            gyScale += row.gyScale
        }
    }

    /// Values and scales read at every element of the output shape.
    func expanded(to out: [Int]) -> (values: [Double], scales: [Double]) {
        let map = Shape.broadcastIndices(from: batch, to: out)
        return (map.map { values[$0] }, map.map { scales[$0] })
    }

    /// Adds `Σ upstream · ∂f/∂(x, y)` into the gradients of the pair's two arguments.
    func backward(upstream: [Double], from out: [Int], grads: inout [[Double]], scales: inout [[Double]]) {
        let perRow = Reduce.sumToShape(upstream, from: out, to: batch)
        let perRowAbs = Reduce.sumToShape(upstream.map(abs), from: out, to: batch)
        let width = full.last ?? 1
        for (arg, local, localScale) in [(first, gx, gxScale), (second, gy, gyScale)] {
            var g = [Double](repeating: 0, count: local.count)
            var s = [Double](repeating: 0, count: local.count)
            for k in local.indices {
                g[k] = perRow[k / max(width, 1)] * local[k]
                s[k] = perRowAbs[k / max(width, 1)] * localScale[k]
            }
            let target = arg == first ? xShape : yShape
            let summed = Reduce.sumToShape(g, from: full, to: target)
            let summedScale = Reduce.sumToShape(s, from: full, to: target)
            for j in summed.indices {
                grads[arg][j] += summed[j]
                scales[arg][j] += summedScale[j]
            }
        }
    }
}

/// One row's distance, its error scale, and the local derivatives ∂f/∂x, ∂f/∂y with their scales.
private struct RowDistance {
    var value: Double
    var scale: Double
    var gx: [Double], gy: [Double]
    var gxScale: [Double], gyScale: [Double]
}

/// torch.sgn on reals: sign, with sgn(0) = sgn(NaN) = 0.
private func sgn(_ v: Double) -> Double { v > 0 ? 1 : (v < 0 ? -1 : 0) }

/// torch.clamp_min: NaN stays NaN.
private func clampMin(_ v: Double, _ low: Double) -> Double { v < low ? low : v }

extension TripletMargin.Distance {
    fileprivate func row(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> RowDistance {
        switch self {
        case .pNorm(let p, let eps): return Self.pNormRow(x, y, p: p, eps: eps)
        case .cosine(let eps): return Self.cosineRow(x, y, eps: eps)
        }
    }

    /// `‖u‖_p` with `u = x − y + eps` and torch's `norm_backward` for `∇ = ∂‖u‖/∂u`:
    /// p = 0 → no gradient (0); p = 1 → sgn u; p = ±inf → sgn u split evenly over the elements whose
    /// |u| equals the norm (or is NaN); p < 1 → sgn u·|u|^{p−1}·‖u‖^{1−p}, 0 where u = 0;
    /// otherwise sgn u·|u|^{p−1}/‖u‖^{p−1}, 0 where ‖u‖ = 0.
    ///
    /// Scales: the inputs' rounding perturbs u_i by u·(|x_i|+|y_i|+|eps|), which moves the norm by
    /// |∇_i| times that; the final root amplifies the sum's relative error by 1/|p|. ∇_i is
    /// |u_i|^{p−1}/‖u‖^{p−1} up to sign, so its relative sensitivity is |p−1|·(δu_i/|u_i| + δ‖u‖/‖u‖).
    private static func pNormRow(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>, p: Double, eps: Double) -> RowDistance {
        let u = zip(x, y).map { $0 - $1 + eps }
        let a = u.map(abs)
        let norm: Double
        if p == 0 {
            norm = Double(u.filter { $0 != 0 }.count)
        } else if p.isInfinite {
            if let nan = a.first(where: \.isNaN) { norm = nan }
            else { norm = (p > 0 ? a.max() : a.min()) ?? 0 }
        } else if p == 1 {
            norm = CompensatedSum.sum(a)
        } else if p == 2 {
            norm = CompensatedSum.sum(u.lazy.map { $0 * $0 }).squareRoot()
        } else {
            norm = pow(CompensatedSum.sum(a.lazy.map { pow($0, p) }), 1 / p)
        }

        var grad = [Double](repeating: 0, count: u.count)
        if p == 1 {
            grad = u.map(sgn)
        } else if p.isInfinite {
            let mask = a.map { $0 == norm || $0.isNaN }
            let count = Double(mask.filter { $0 }.count)
            for i in u.indices where mask[i] { grad[i] = sgn(u[i]) / count }
        } else if p != 0 && p < 1 {
            let factor = pow(norm, 1 - p)
            // The mask zeroes |u|^{p−1} before the factor multiplies, so a NaN norm still poisons u = 0.
            for i in u.indices { grad[i] = (u[i] == 0 ? 0 : sgn(u[i]) * pow(a[i], p - 1)) * factor }
        } else if p != 0 && norm != 0 {
            let denominator = pow(norm, p - 1)
            for i in u.indices {
                grad[i] = p == 2 ? u[i] / norm : sgn(u[i]) * pow(a[i], p - 1) / denominator
            }
        }

        let perturbation = u.indices.map { abs(x[x.startIndex + $0]) + abs(y[y.startIndex + $0]) + abs(eps) }
        let spread = CompensatedSum.sum(u.indices.lazy.map { abs(grad[$0]) * perturbation[$0] })
        let rootGain = p == 0 || p.isInfinite ? 1 : max(1, 1 / abs(p))
        let curvature = p == 0 || p.isInfinite ? 0 : abs(p - 1)
        let normSensitivity = norm != 0 && norm.isFinite ? spread / abs(norm) : 0
        let gradScale = u.indices.map { i in
            u[i] == 0 ? abs(grad[i])
                : abs(grad[i]) * (1 + curvature * (perturbation[i] / a[i] + normSensitivity))
        }
        return RowDistance(value: norm, scale: abs(norm) * rootGain + spread,
                           gx: grad, gy: grad.map { -$0 }, gxScale: gradScale, gyScale: gradScale)
    }

    /// `1 − cos`, `cos = Σ x y / (c_x c_y)` with `c = clamp_min(‖·‖₂, eps)` (PyTorch ≥ 2.0 clamps each
    /// norm separately, under no_grad, so the backward differentiates the *unclamped* norm):
    /// `∂cos/∂x = y/(c_x c_y) − cos·x/(c_x ‖x‖)` (second term 0 where ‖x‖ = 0); f = 1 − cos.
    ///
    /// Scales: the dot product's rounding is relative to Σ|x y|; `1 − cos` cancels against 1.
    private static func cosineRow(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>, eps: Double) -> RowDistance {
        let nx = CompensatedSum.sum(x.lazy.map { $0 * $0 }).squareRoot()
        let ny = CompensatedSum.sum(y.lazy.map { $0 * $0 }).squareRoot()
        let cx = clampMin(nx, eps), cy = clampMin(ny, eps)
        let cos = CompensatedSum.sum(zip(x, y).lazy.map { $0 * $1 }) / (cx * cy)
        let cosScale = CompensatedSum.sum(zip(x, y).lazy.map { abs($0 * $1) }) / (cx * cy) + abs(cos)
        func gradient(_ own: ArraySlice<Double>, _ other: ArraySlice<Double>, _ n: Double, _ c: Double)
            -> ([Double], [Double]) {
            let radial = n == 0 ? 0 : 1 / (c * n)
            let g = zip(own, other).map { -($1 / (cx * cy) - cos * $0 * radial) }
            let s = zip(own, other).map { abs($1) / (cx * cy) + cosScale * abs($0) * radial }
            return (g, s)
        }
        let (gx, gxScale) = gradient(x, y, nx, cx)
        let (gy, gyScale) = gradient(y, x, ny, cy)
        return RowDistance(value: 1 - cos, scale: 1 + cosScale, gx: gx, gy: gy, gxScale: gxScale, gyScale: gyScale)
    }
}
