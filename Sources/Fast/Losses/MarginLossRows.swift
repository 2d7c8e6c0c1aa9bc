@_spi(Kernels) import LossSpec

/// The row driver shared by the Fast margin losses (MultiMargin, MultiLabelMargin): allocates the
/// unreduced output and the gradient, cuts the N rows into chunks of ≈`Parallel.elementChunk`
/// scores (a function of C only, so chunk boundaries never depend on the thread count), runs the
/// loss's row kernel on each chunk, and reduces the per-chunk Double partials in chunk order.
enum MarginLossRows {
    /// A row kernel: processes `rows`, returns Σ l_n over them, writes `out[n] = l_n` and the
    /// gradient rows `grad[n·C ..< (n+1)·C]` where those are non-nil. `up` is grad_output per row
    /// ('none'), otherwise nil and `uniform` is the upstream of every row (g or g/N).
    typealias Kernel = (_ rows: Range<Int>, _ out: UnsafeMutablePointer<Float>?, _ grad: UnsafeMutablePointer<Float>?,
                        _ uniform: Float, _ up: UnsafePointer<Float>?) -> Double

    /// Rows per chunk for C classes.
    static func chunkRows(classes: Int) -> Int { max(1, Parallel.elementChunk / max(1, classes)) }

    static func run(layout: MarginLossLayout, reduction: Reduction, upstream: Upstream?, gradShape: [Int],
                    threads: Int, _ kernel: Kernel) -> FastResult {
        let n = layout.batch, c = layout.classes
        let wantElements = reduction == .none
        var out = [Float](repeating: 0, count: wantElements ? n : 0)
        var grad = [Float](repeating: 0, count: upstream != nil ? n * c : 0)
        let partials = out.withUnsafeMutableBufferPointer { ob in
            grad.withUnsafeMutableBufferPointer { gb in
                upstream.withElementwise { up, uniform in
                    let o = wantElements ? ob.baseAddress : nil
                    let g = upstream != nil ? gb.baseAddress : nil
                    return Parallel.mapChunks(count: n, chunk: chunkRows(classes: c), threads: threads,
                                              initial: 0.0) { rows in kernel(rows, o, g, uniform, up) }
                }
            }
        }
        let total = partials.reduce(0, +)
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: layout.outputShape, scalars: out)
        case .sum: result.outputs["output"] = Tensor(scalar: Float(total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(total / Double(n)))
        }
        if upstream != nil { result.outputs["grad_input"] = Tensor(shape: gradShape, scalars: grad) }
        return result
    }
}
