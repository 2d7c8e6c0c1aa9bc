import Foundation
@_spi(Kernels) import LossSpec

/// The distance of a Fast triplet loss, in Float32 (Python scalars rounded as torch does).
enum FastTripletDistance: Sendable {
    /// `‖x − y + eps‖_p` over the last dimension (torch.norm's conventions for any real p).
    case pNorm(p: Float, eps: Float)
    /// `1 − cosine_similarity(x, y, eps)`: each norm clamped separately at eps.
    case cosine(eps: Float)

    /// Whether a distance over an empty last dimension is defined (p-norms without an identity are not).
    var emptyRowsAllowed: Bool {
        if case .pNorm(let p, _) = self { return p >= 0 && p.isFinite }
        return true
    }
}

/// `clamp_min(margin + f(a, p) − min(f(a, n), f(p, n) if swap), 0)` in Float32, shared by
/// `triplet_margin_loss` and `triplet_margin_with_distance_loss` (see `Reference.TripletMargin` for
/// the definition, the autograd conventions at kinks and ties, and the error order).
///
/// Hot path (the three arguments of one shape `(…, D)`, D ≥ 1, p = 2 or cosine): rows are cut in
/// chunks of ~4096 elements (`max(1, 4096 / D)` rows, independent of the thread count); each row is
/// read in one SIMD16 pass that accumulates the two (three with swap) distances' sums together, and
/// with a gradient a second pass over the same row (still in L1) writes the three gradients — no
/// temporaries. Loss sums are Double per chunk, combined in chunk order.
/// General path (broadcasting, any other p, D = 0): scalar loops per pair on its broadcast shape,
/// mirroring the Reference's structure.
///
/// Accuracy: a distance is one Float sum of D terms (relative error ~D·u, bounded by the Reference's
/// scale); gradients are a few roundings per element.
enum FastTriplet {
    static func evaluate(anchor: Tensor<Float>, positive: Tensor<Float>, negative: Tensor<Float>,
                         distance: FastTripletDistance, margin: Double, swap: Bool, reduction: Reduction,
                         gradOutput: Tensor<Float>?, threads: Int) throws -> FastResult {
        let plan = try TripletShapes(anchor: anchor.shape, positive: positive.shape, negative: negative.shape,
                                     margin: margin, swap: swap, emptyRowsAllowed: distance.emptyRowsAllowed)
        let args = [anchor, positive, negative]
        let n = Shape.count(plan.output)
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: plan.output, divisor: Double(n))
        let width = plan.pairs[0].width
        let uniformShapes = plan.shapes[0] == plan.shapes[1] && plan.shapes[1] == plan.shapes[2]
        let hot: Bool
        switch distance {
        case .pNorm(let p, _): hot = p == 2
        case .cosine: hot = true
        }
        var result: (total: Double, output: [Float], grads: [[Float]])
        if uniformShapes && hot && width > 0 {
            result = fused(args, rows: n, width: width, distance: distance, margin: Float(margin), swap: swap,
                           keepOutput: reduction == .none, upstream: upstream, threads: threads)
        } else {
            result = general(args, plan, distance: distance, margin: Float(margin), swap: swap, upstream: upstream)
        }
        var out = FastResult()
        switch reduction {
        case .none: out.outputs["output"] = Tensor(shape: plan.output, scalars: result.output)
        case .sum: out.outputs["output"] = Tensor(scalar: Float(result.total))
        case .mean, .batchmean: out.outputs["output"] = Tensor(scalar: Float(result.total / Double(n)))
        }
        if upstream != nil {
            for (i, name) in TripletShapes.argumentNames.enumerated() {
                out.outputs["grad_\(name)"] = Tensor(shape: args[i].shape, scalars: result.grads[i])
            }
        }
        return out
    }

    /// The hinge of one sample and its upstream coefficients for f(a, p), f(a, n), f(p, n):
    /// `clamp_min` passes the gradient only where its argument is > 0; `minimum` splits ½/½ on a
    /// tie and gives the full gradient to both sides when one is NaN.
    @inline(__always)
    static func hinge(margin: Float, pos: Float, an: Float, pn: Float?, upstream g: Float)
        -> (loss: Float, gPos: Float, gAN: Float, gPN: Float) {
        var dNeg = an
        var toAN: Float = 1, toPN: Float = 0
        if let pn {
            dNeg = an.isNaN ? an : (pn.isNaN ? pn : min(an, pn))
            toAN = an == pn ? 0.5 : (an > pn ? 0 : 1)
            toPN = an == pn ? 0.5 : (an < pn ? 0 : 1)
        }
        let z = margin + pos - dNeg
        let gz: Float = z > 0 ? g : 0
        return (z.isNaN ? z : max(z, 0), gz, -gz * toAN, -gz * toPN)
    }

    // MARK: Hot path

    private static func fused(_ args: [Tensor<Float>], rows: Int, width: Int, distance: FastTripletDistance,
                              margin: Float, swap: Bool, keepOutput: Bool, upstream: Upstream?,
                              threads: Int) -> (total: Double, output: [Float], grads: [[Float]]) {
        var output = [Float](repeating: 0, count: keepOutput ? rows : 0)
        let gradCount = upstream == nil ? 0 : rows * width
        // The row kernels write every gradient element: no zero-fill pass.
        var ga = FloatBuffers.uninitialized(gradCount), gp = FloatBuffers.uninitialized(gradCount)
        var gn = FloatBuffers.uninitialized(gradCount)
        let chunk = max(1, 4096 / width)
        let partials: [Double] = args[0].scalars.withUnsafeBufferPointer { ab in
            args[1].scalars.withUnsafeBufferPointer { pb in
                args[2].scalars.withUnsafeBufferPointer { nb in
                    output.withUnsafeMutableBufferPointer { ob in
                        ga.withUnsafeMutableBufferPointer { gab in
                            gp.withUnsafeMutableBufferPointer { gpb in
                                gn.withUnsafeMutableBufferPointer { gnb in
                                    upstream.withElementwise { up, uniform in
                                        let io = UncheckedSendable(TripletRows(
                                            a: ab.baseAddress, p: pb.baseAddress, n: nb.baseAddress,
                                            out: keepOutput ? ob.baseAddress : nil,
                                            ga: gradCount > 0 ? gab.baseAddress : nil,
                                            gp: gradCount > 0 ? gpb.baseAddress : nil,
                                            gn: gradCount > 0 ? gnb.baseAddress : nil,
                                            up: up, uniform: uniform, width: width, margin: margin, swap: swap))
                                        return Parallel.mapChunks(count: rows, chunk: chunk, threads: threads,
                                                                  initial: 0.0) { range in
                                            switch distance {
                                            case .pNorm(_, let eps): io.value.euclidean(range, eps: eps)
                                            case .cosine(let eps): io.value.cosine(range, eps: eps)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (partials.reduce(0, +), output, [ga, gp, gn])
    }

    // MARK: General path

    /// Scalar loops per pair on its own broadcast shape; the distances broadcast to the output, and
    /// each pair's upstream is summed back to its rows, then its gradients to the arguments' shapes.
    private static func general(_ args: [Tensor<Float>], _ plan: TripletShapes, distance: FastTripletDistance,
                                margin: Float, swap: Bool, upstream: Upstream?)
        -> (total: Double, output: [Float], grads: [[Float]]) {
        let out = plan.output
        let n = Shape.count(out)
        let expanded = plan.pairs.map { pair in
            (Broadcasting.expand(args[pair.first].reshaped(plan.shapes[pair.first]), to: pair.full),
             Broadcasting.expand(args[pair.second].reshaped(plan.shapes[pair.second]), to: pair.full))
        }
        let values: [[Float]] = zip(plan.pairs, expanded).map { pair, xy in
            (0..<Shape.count(pair.batch)).map { r in
                distance.value(xy.0, xy.1, r * pair.width, pair.width)
            }
        }
        let maps = plan.pairs.map { Shape.broadcastIndices(from: $0.batch, to: out) }
        var output = [Float](repeating: 0, count: n)
        var coefficients = [[Float]](repeating: [Float](repeating: 0, count: n), count: plan.pairs.count)
        var total = 0.0
        for k in 0..<n {
            let g: Float = switch upstream {
            case .uniform(let u)?: u
            case .elementwise(let e)?: e[k]
            case nil: 0
            }
            let h = hinge(margin: margin, pos: values[0][maps[0][k]], an: values[1][maps[1][k]],
                          pn: swap ? values[2][maps[2][k]] : nil, upstream: g)
            output[k] = h.loss
            total += Double(h.loss)
            coefficients[0][k] = h.gPos
            coefficients[1][k] = h.gAN
            if swap { coefficients[2][k] = h.gPN }
        }
        guard upstream != nil else { return (total, output, []) }
        var grads = args.map { [Double](repeating: 0, count: $0.count) }
        for (index, pair) in plan.pairs.enumerated() {
            let perRow = Broadcasting.sumToShape(coefficients[index], from: out, to: pair.batch)
            let (x, y) = expanded[index]
            var gx = [Float](repeating: 0, count: x.count), gy = gx
            for r in perRow.indices {
                distance.accumulateGradient(x, y, r * pair.width, pair.width, coefficient: perRow[r], gx: &gx, gy: &gy)
            }
            for (arg, g) in [(pair.first, gx), (pair.second, gy)] {
                let summed = Broadcasting.sumToShape(g, from: pair.full, to: plan.shapes[arg])
                for j in summed.indices { grads[arg][j] += Double(summed[j]) }
            }
        }
        return (total, output, grads.map { $0.map { Float($0) } })
    }
}

/// torch.sgn on reals: sign, with sgn(0) = sgn(NaN) = 0.
private func sgn(_ v: Float) -> Float { v > 0 ? 1 : (v < 0 ? -1 : 0) }

extension FastTripletDistance {
    /// f over one row `x[start..<start+width]`, `y[…]` (general path).
    func value(_ x: [Float], _ y: [Float], _ start: Int, _ width: Int) -> Float {
        switch self {
        case .pNorm(let p, let eps):
            return Self.pNorm((start..<(start + width)).map { x[$0] - y[$0] + eps }, p)
        case .cosine(let eps):
            return 1 - Self.cosineParts(x, y, start, width, eps).cos
        }
    }

    /// `‖u‖_p` with torch.norm's meaning: p = 0 counts non-zeros, ±inf is the max (min) |u_i| (NaN
    /// if any is NaN), otherwise `(Σ|u_i|^p)^{1/p}`.
    static func pNorm(_ u: [Float], _ p: Float) -> Float {
        if p == 0 { return Float(u.filter { $0 != 0 }.count) }
        if p.isInfinite {
            if let nan = u.first(where: \.isNaN) { return nan }
            let a = u.map(Swift.abs)
            return (p > 0 ? a.max() : a.min()) ?? 0
        }
        if p == 1 { return u.reduce(0) { $0 + Swift.abs($1) } }
        if p == 2 { return u.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        return Foundation.pow(u.reduce(0) { $0 + Foundation.pow(Swift.abs($1), p) }, 1 / p)
    }

    /// ‖x‖, ‖y‖, their eps-clamped values and cos = x·y/(c_x c_y) for one row.
    static func cosineParts(_ x: [Float], _ y: [Float], _ start: Int, _ width: Int, _ eps: Float)
        -> (nx: Float, ny: Float, cx: Float, cy: Float, cos: Float) {
        var xx: Float = 0, yy: Float = 0, xy: Float = 0
        for i in start..<(start + width) {
            xx += x[i] * x[i]
            yy += y[i] * y[i]
            xy += x[i] * y[i]
        }
        let nx = xx.squareRoot(), ny = yy.squareRoot()
        let cx = nx < eps ? eps : nx, cy = ny < eps ? eps : ny
        return (nx, ny, cx, cy, xy / (cx * cy))
    }

    /// Adds `coefficient · ∂f/∂x` to `gx` and `coefficient · ∂f/∂y` to `gy` over one row: torch's
    /// norm_backward for p-norms (see `Reference.TripletMargin`), and for cosine
    /// `∂(1 − cos)/∂x = −(y/(c_x c_y) − cos·x/(c_x‖x‖))`, the radial term 0 for a zero vector.
    func accumulateGradient(_ x: [Float], _ y: [Float], _ start: Int, _ width: Int, coefficient g: Float,
                            gx: inout [Float], gy: inout [Float]) {
        let range = start..<(start + width)
        switch self {
        case .pNorm(let p, let eps):
            let u = range.map { x[$0] - y[$0] + eps }
            let norm = Self.pNorm(u, p)
            let a = u.map(Swift.abs)
            var local = [Float](repeating: 0, count: width)
            if p == 1 {
                local = u.map(sgn)
            } else if p.isInfinite {
                let mask = a.map { $0 == norm || $0.isNaN }
                let count = Float(mask.filter { $0 }.count)
                for i in u.indices where mask[i] { local[i] = sgn(u[i]) / count }
            } else if p != 0 && p < 1 {
                let factor = Foundation.pow(norm, 1 - p)
                for i in u.indices { local[i] = (u[i] == 0 ? 0 : sgn(u[i]) * Foundation.pow(a[i], p - 1)) * factor }
            } else if p != 0 && norm != 0 {
                let denominator = Foundation.pow(norm, p - 1)
                for i in u.indices {
                    local[i] = p == 2 ? u[i] / norm : sgn(u[i]) * Foundation.pow(a[i], p - 1) / denominator
                }
            }
            for (i, k) in range.enumerated() {
                gx[k] += g * local[i]
                gy[k] -= g * local[i]
            }
        case .cosine(let eps):
            let c = Self.cosineParts(x, y, start, width, eps)
            let k = 1 / (c.cx * c.cy)
            let rx: Float = c.nx == 0 ? 0 : 1 / (c.cx * c.nx)
            let ry: Float = c.ny == 0 ? 0 : 1 / (c.cy * c.ny)
            for i in range {
                gx[i] += g * -(y[i] * k - c.cos * x[i] * rx)
                gy[i] += g * -(x[i] * k - c.cos * y[i] * ry)
            }
        }
    }
}

/// The buffers of the hot path and the per-row kernels (p = 2 and cosine).
struct TripletRows {
    typealias V = SIMD16<Float>
    let a: UnsafePointer<Float>?, p: UnsafePointer<Float>?, n: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>?
    let ga: UnsafeMutablePointer<Float>?, gp: UnsafeMutablePointer<Float>?, gn: UnsafeMutablePointer<Float>?
    let up: UnsafePointer<Float>?
    let uniform: Float
    let width: Int
    let margin: Float
    let swap: Bool

    @inline(__always)
    private func load(_ q: UnsafePointer<Float>, _ at: Int, _ lanes: Int) -> V {
        lanes == 16 ? Streams.load(q, at) : Streams.loadPartial(q, at, lanes)
    }

    @inline(__always)
    private func store(_ v: V, _ q: UnsafeMutablePointer<Float>, _ at: Int, _ lanes: Int) {
        if lanes == 16 { Streams.store(v, q, at) } else { Streams.storePartial(v, q, at, lanes) }
    }

    /// The three rows' lines well ahead of `at` (see `Streams.prefetchDistance`): one 16-lane
    /// block is one cache line of each.
    @inline(__always)
    private func prefetch(_ at: Int) {
        guard let a, let p, let n else { return }
        Streams.prefetchAhead(a, at)
        Streams.prefetchAhead(p, at)
        Streams.prefetchAhead(n, at)
    }

    @inline(__always)
    private func finish(_ row: Int, _ loss: Float) -> Double {
        if let out { out[row] = loss }
        return Double(loss)
    }

    /// p = 2: `‖a − p + eps‖`, `‖a − n + eps‖`, `‖p − n + eps‖` in one pass; gradient
    /// `∂/∂u ‖u‖ = u/‖u‖` (0 where ‖u‖ = 0) with `c = g/‖u‖` per distance:
    /// `∂a = c_u u + c_v v`, `∂p = −c_u u + c_w w`, `∂n = −c_v v − c_w w`.
    func euclidean(_ range: Range<Int>, eps: Float) -> Double {
        guard let a, let p, let n else { return 0 }
        let e = V(repeating: eps)
        var total = 0.0
        for row in range {
            var su = V(), sv = V(), sw = V()
            // Plain loops over 16-lane blocks (the last one partial): a closure here would box the sums.
            var at = row * width
            let end = at + width
            while at < end {
                prefetch(at)
                let lanes = min(16, end - at)
                let av = load(a, at, lanes), pv = load(p, at, lanes), nv = load(n, at, lanes)
                var u = av - pv + e, v = av - nv + e, w = pv - nv + e
                if lanes < 16 {
                    // Padding lanes would add eps²: zero them (only in the partial block; the mask is slow).
                    let mask = Streams.laneMask(lanes)
                    u = u.replacing(with: 0, where: .!mask)
                    v = v.replacing(with: 0, where: .!mask)
                    w = w.replacing(with: 0, where: .!mask)
                }
                su += u * u
                sv += v * v
                if swap { sw += w * w }
                at += 16
            }
            let du = Streams.laneSum(su).squareRoot(), dv = Streams.laneSum(sv).squareRoot()
            let dw: Float? = swap ? Streams.laneSum(sw).squareRoot() : nil
            let g = up?[row] ?? uniform
            let h = FastTriplet.hinge(margin: margin, pos: du, an: dv, pn: dw, upstream: g)
            total += finish(row, h.loss)
            guard let ga, let gp, let gn else { continue }
            let cu = V(repeating: du != 0 ? h.gPos / du : 0)
            let cv = V(repeating: dv != 0 ? h.gAN / dv : 0)
            let cw = V(repeating: dw.map { $0 != 0 ? h.gPN / $0 : 0 } ?? 0)
            at = row * width
            while at < end {
                let lanes = min(16, end - at)
                let av = load(a, at, lanes), pv = load(p, at, lanes), nv = load(n, at, lanes)
                let u = cu * (av - pv + e), v = cv * (av - nv + e)
                var gpv = -u, gnv = -v
                if swap {
                    let w = cw * (pv - nv + e)
                    gpv += w
                    gnv -= w
                }
                store(u + v, ga, at, lanes)
                store(gpv, gp, at, lanes)
                store(gnv, gn, at, lanes)
                at += 16
            }
        }
        return total
    }

    /// Cosine: the norms and dot products of the three rows in one pass; the gradient of each
    /// argument is a combination of the three rows (`∂(1 − cos)/∂x = −k y + cos r_x x` with
    /// `k = 1/(c_x c_y)`, `r_x = 1/(c_x ‖x‖)`, 0 for a zero vector).
    func cosine(_ range: Range<Int>, eps: Float) -> Double {
        guard let a, let p, let n else { return 0 }
        var total = 0.0
        for row in range {
            var aa = V(), pp = V(), nn = V(), ap = V(), an = V(), pn = V()
            var at = row * width
            let end = at + width
            while at < end {
                prefetch(at)
                let lanes = min(16, end - at)
                let av = load(a, at, lanes), pv = load(p, at, lanes), nv = load(n, at, lanes)
                aa += av * av
                pp += pv * pv
                nn += nv * nv
                ap += av * pv
                an += av * nv
                if swap { pn += pv * nv }
                at += 16
            }
            let na = Streams.laneSum(aa).squareRoot(), np = Streams.laneSum(pp).squareRoot(), nz = Streams.laneSum(nn).squareRoot()
            let ca = na < eps ? eps : na, cp = np < eps ? eps : np, cn = nz < eps ? eps : nz
            let kap = 1 / (ca * cp), kan = 1 / (ca * cn), kpn = 1 / (cp * cn)
            let cosAP = Streams.laneSum(ap) / (ca * cp), cosAN = Streams.laneSum(an) / (ca * cn)
            let cosPN: Float = swap ? Streams.laneSum(pn) / (cp * cn) : 0
            let g = up?[row] ?? uniform
            let h = FastTriplet.hinge(margin: margin, pos: 1 - cosAP, an: 1 - cosAN, pn: swap ? 1 - cosPN : nil,
                                      upstream: g)
            total += finish(row, h.loss)
            guard let ga, let gp, let gn else { continue }
            let ra: Float = na == 0 ? 0 : 1 / (ca * na)
            let rp: Float = np == 0 ? 0 : 1 / (cp * np)
            let rn: Float = nz == 0 ? 0 : 1 / (cn * nz)
            // Row coefficients of each gradient on (a, p, n).
            let (g1, g2, g3) = (h.gPos, h.gAN, swap ? h.gPN : 0)
            let aOfA = V(repeating: (g1 * cosAP + g2 * cosAN) * ra), pOfA = V(repeating: -g1 * kap)
            let nOfA = V(repeating: -g2 * kan)
            let pOfP = V(repeating: (g1 * cosAP + g3 * cosPN) * rp), nOfP = V(repeating: -g3 * kpn)
            let nOfN = V(repeating: (g2 * cosAN + g3 * cosPN) * rn)
            at = row * width
            while at < end {
                let lanes = min(16, end - at)
                let av = load(a, at, lanes), pv = load(p, at, lanes), nv = load(n, at, lanes)
                store(aOfA * av + pOfA * pv + nOfA * nv, ga, at, lanes)
                // Without swap no f(p, n) exists: its cross terms must not turn 0·inf into NaN.
                store(swap ? pOfA * av + pOfP * pv + nOfP * nv : pOfA * av + pOfP * pv, gp, at, lanes)
                store(swap ? nOfA * av + nOfP * pv + nOfN * nv : nOfA * av + nOfN * nv, gn, at, lanes)
                at += 16
            }
        }
        return total
    }
}
