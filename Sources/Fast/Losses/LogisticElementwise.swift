@_spi(Kernels) import LossSpec

/// The buffers of one elementwise evaluation (binary_cross_entropy, binary_cross_entropy_with_logits),
/// all of the input's shape. Shared across worker threads: every chunk reads and writes only its
/// own element range.
struct ElementwiseBuffers: @unchecked Sendable {
    var x: UnsafePointer<Float>
    var y: UnsafePointer<Float>
    /// weight and pos_weight, already expanded to the input's shape.
    var w: UnsafePointer<Float>?
    var pw: UnsafePointer<Float>?
    /// Elementwise upstream gradient ('none'), else nil and `uniform` holds it.
    var up: UnsafePointer<Float>?
    var uniform: Float
    /// Requested outputs: elementwise loss ('none'), grad_input, grad_target.
    var out: UnsafeMutablePointer<Float>?
    var gx: UnsafeMutablePointer<Float>?
    var gy: UnsafeMutablePointer<Float>?
}

/// The driver shared by the two BCE losses: one fused pass over `Parallel.elementChunk` chunks that
/// writes the elementwise loss and both gradients where requested and returns per-chunk partials,
/// then the reduction and the result roles.
enum LogisticElementwise {
    /// Runs `chunk` on every chunk of the `count` elements; output arrays are allocated only when
    /// requested and are fully written by the chunks.
    static func run<P>(
        input: [Float], target: [Float], weight: [Float]?, posWeight: [Float]?, upstream: Upstream?,
        wantOutput: Bool, threads: Int, initial: P, _ chunk: (ElementwiseBuffers, Range<Int>) -> P
    ) -> (partials: [P], out: [Float], gx: [Float], gy: [Float]) {
        let n = input.count
        let wantGradients = upstream != nil
        var partials: [P] = []
        var out = FloatBuffers.uninitialized(wantOutput ? n : 0)
        var gx = FloatBuffers.uninitialized(wantGradients ? n : 0)
        var gy = FloatBuffers.uninitialized(wantGradients ? n : 0)
        input.withUnsafeBufferPointer { xb in
            target.withUnsafeBufferPointer { yb in
                weight.withOptionalBuffer { w in
                    posWeight.withOptionalBuffer { pw in
                        upstream.withElementwise { up, uniform in
                            withMutablePointers(&out, &gx, &gy) { o, gxp, gyp in
                                guard let x = xb.baseAddress, let y = yb.baseAddress else { return }
                                let buffers = ElementwiseBuffers(x: x, y: y, w: w, pw: pw, up: up, uniform: uniform,
                                                                 out: o, gx: gxp, gy: gyp)
                                partials = Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                              initial: initial) { range in chunk(buffers, range) }
                            }
                        }
                    }
                }
            }
        }
        return (partials, out, gx, gy)
    }

    /// The result roles: `output` by the generic reduction of `total` (Docs/Semantics.md#reductions), and the two
    /// gradients when they were computed.
    static func result(shape: [Int], reduction: Reduction, total: Double, out: [Float],
                       gradInput: [Float]?, gradTarget: [Float]?) -> FastResult {
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: shape, scalars: out)
        case .sum: result.outputs["output"] = Tensor(scalar: Float(total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(total / Double(Shape.count(shape))))
        }
        if let gradInput { result.outputs["grad_input"] = Tensor(shape: shape, scalars: gradInput) }
        if let gradTarget { result.outputs["grad_target"] = Tensor(shape: shape, scalars: gradTarget) }
        return result
    }
}

/// Calls `body` with the base addresses of three arrays, nil for an empty one (an empty array
/// still has a base address, but "not requested" must read as nil).
@inline(__always)
func withMutablePointers<R>(_ a: inout [Float], _ b: inout [Float], _ c: inout [Float],
                            _ body: (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?,
                                     UnsafeMutablePointer<Float>?) -> R) -> R {
    a.withUnsafeMutableBufferPointer { ab in
        b.withUnsafeMutableBufferPointer { bb in
            c.withUnsafeMutableBufferPointer { cb in
                body(ab.isEmpty ? nil : ab.baseAddress, bb.isEmpty ? nil : bb.baseAddress,
                     cb.isEmpty ? nil : cb.baseAddress)
            }
        }
    }
}
