@_spi(Kernels) import LossSpec

/// The lanes of `ElementwiseKernel`: 16 on the AVX-512 build, whose exp (`lb_exp16`) and log
/// (libmvec's `_ZGVeN16v_logf`) are 16 lanes wide, and 8 elsewhere. On AMD EPYC (Zen 4)
/// the 8-lane AVX2 code ran poisson_nll_loss's forward at half the speed of torch.compile's
/// AVX-512 kernel.
#if LOSSBENCH_AVX512
typealias LikelihoodLanes = SIMD16<Float>
#else
typealias LikelihoodLanes = SIMD8<Float>
#endif

/// The per-element function of a loss whose unreduced value at each element of the broadcast shape
/// depends only on its arguments there (PoissonNLL, GaussianNLL, KLDiv), on `LikelihoodLanes` —
/// the width of the build's vector exp (inline) and log (libmvec). The third argument is zero for
/// two-argument losses.
protocol ElementwiseKernel {
    typealias V = LikelihoodLanes
    /// The unreduced loss.
    func loss(_ a: V, _ b: V, _ c: V) -> V
    /// The unreduced loss and the upstream `u` times its partial derivative in each argument.
    func lossAndGradients(_ a: V, _ b: V, _ c: V, _ u: V) -> (loss: V, a: V, b: V, c: V)
}

/// The shared Float32 pipeline of PoissonNLL, GaussianNLL and KLDiv, mirroring the Reference's
/// `ElementwiseLoss`: broadcast, one fused pass, reduction, gradients summed back onto each
/// argument's shape.
///
/// Hot path (arguments already of the loss's shape, so `expand` is free): one pass per chunk of
/// `Parallel.elementChunk` elements that reads each argument once and writes the elementwise output
/// and every gradient where requested; the loss is summed per lane in Float over blocks of 1024
/// elements, each block widened to Double, blocks and chunks added in order — so the sum does not
/// depend on the thread count and its rounding stays at a few eps of Σ|l|.
/// General path (broadcasting): arguments materialised on the broadcast shape, gradients summed
/// back in Double (`Broadcasting`).
enum FastElementwise {
    /// One differentiable argument: its tensor and the shape it broadcasts from (GaussianNLL's
    /// homoscedastic var takes part unsqueezed; its gradient keeps the tensor's own shape).
    struct Argument {
        var name: String
        var tensor: Tensor<Float>
        var shape: [Int]
        init(_ name: String, _ tensor: Tensor<Float>, as shape: [Int]? = nil) {
            self.name = name
            self.tensor = tensor
            self.shape = shape ?? tensor.shape
        }
    }

    /// ½·log(2π) in Float32: the constant of Poisson's Stirling term and of Gaussian's `full`.
    static let halfLog2Pi = Float(0.5 * 1.8378770664093453)

    /// Sum of the loss over a block before it is widened to Double: 1024 elements = 64 per lane
    /// of the two 8-lane accumulators.
    static let block = 1024

    static func evaluate<K: ElementwiseKernel>(
        _ kernel: K, arguments: [Argument], shape full: [Int], reduction: Reduction, divisor: Double,
        gradOutput: Tensor<Float>?, threads: Int
    ) throws -> FastResult {
        precondition((2...3).contains(arguments.count), "two or three arguments")
        let upstream = try Upstream.make(gradOutput, reduction: reduction, shape: full, divisor: divisor)
        let expanded = arguments.map { Broadcasting.expand($0.tensor.reshaped($0.shape), to: full) }
        let a = expanded[0], b = expanded[1], c = arguments.count == 3 ? expanded[2] : nil
        let n = Shape.count(full)
        let wantElements = reduction == .none
        let gradients = upstream != nil
        // Outputs: elementwise loss, then one gradient per argument. Left uninitialised: the pass
        // writes every element, so its workers take the first-touch page faults in parallel and
        // nothing is zero-filled first.
        let counts = [wantElements ? n : 0] + arguments.map { _ in gradients ? n : 0 }
        let (partials, outputs): ([Double], [[Float]]) = a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                c.withOptionalBuffer { cp in
                    upstream.withElementwise { up, uniform in
                        withUninitialized(counts[...], []) { p in
                            let streams = UncheckedSendable(Streams3(
                                a: ab.baseAddress, b: bb.baseAddress, c: cp, up: up, uniform: uniform,
                                out: p[0], ga: p[1], gb: p[2], gc: p.count > 3 ? p[3] : nil))
                            return Parallel.mapChunks(count: n, chunk: Parallel.elementChunk, threads: threads,
                                                      initial: 0.0) { range in
                                if gradients {
                                    chunk(range, streams.value, WithGradients(kernel: kernel))
                                } else {
                                    chunk(range, streams.value, LossOnly(kernel: kernel))
                                }
                            }
                        }
                    }
                }
            }
        }
        let total = partials.reduce(0, +)
        var result = FastResult()
        switch reduction {
        case .none: result.outputs["output"] = Tensor(shape: full, scalars: outputs[0])
        case .sum: result.outputs["output"] = Tensor(scalar: Float(total))
        case .mean, .batchmean: result.outputs["output"] = Tensor(scalar: Float(total / divisor))
        }
        guard gradients else { return result }
        for (argument, g) in zip(arguments, outputs.dropFirst()) {
            result.outputs["grad_\(argument.name)"] = Tensor(
                shape: argument.tensor.shape, scalars: Broadcasting.sumToShape(g, from: full, to: argument.shape))
        }
        return result
    }

    /// Calls `body` with one uninitialised Float buffer per count (nil where the count is 0) and
    /// returns its result with the arrays; `body` must write every element of every buffer.
    static func withUninitialized<R>(_ counts: ArraySlice<Int>, _ pointers: [UnsafeMutablePointer<Float>?],
                                     _ body: ([UnsafeMutablePointer<Float>?]) -> R) -> (R, [[Float]]) {
        guard let n = counts.first else { return (body(pointers), []) }
        var inner: (R, [[Float]])?
        let array = [Float](unsafeUninitializedCapacity: n) { buffer, count in
            FloatBuffers.adviseHugePages(buffer)
            inner = withUninitialized(counts.dropFirst(), pointers + [n == 0 ? nil : buffer.baseAddress], body)
            count = n
        }
        guard let (result, rest) = inner else { preconditionFailure("the initializer always runs") }
        return (result, [array] + rest)
    }

    /// The pointers of one pass. Inputs `a`, `b` (and `c`) are nil only when empty (then no chunk runs).
    struct Streams3 {
        var a, b, c, up: UnsafePointer<Float>?
        var uniform: Float
        var out, ga, gb, gc: UnsafeMutablePointer<Float>?
    }

    /// What one step of `chunk` computes: the loss alone, or with the gradients. A generic
    /// parameter rather than a closure: the closures were not inlined, so every step passed its
    /// vectors through the stack, and the 16-lane reloads of 4 × 16-byte stores stalled on store
    /// forwarding (two thirds of poisson_nll_loss's forward on the AVX-512 build).
    protocol Step {
        func callAsFunction(_ a: LikelihoodLanes, _ b: LikelihoodLanes, _ c: LikelihoodLanes, _ u: LikelihoodLanes)
            -> (loss: LikelihoodLanes, a: LikelihoodLanes, b: LikelihoodLanes, c: LikelihoodLanes)
    }

    struct LossOnly<K: ElementwiseKernel>: Step {
        let kernel: K
        @inline(__always)
        func callAsFunction(_ a: LikelihoodLanes, _ b: LikelihoodLanes, _ c: LikelihoodLanes, _: LikelihoodLanes)
            -> (loss: LikelihoodLanes, a: LikelihoodLanes, b: LikelihoodLanes, c: LikelihoodLanes) {
            (kernel.loss(a, b, c), .zero, .zero, .zero)
        }
    }

    struct WithGradients<K: ElementwiseKernel>: Step {
        let kernel: K
        @inline(__always)
        func callAsFunction(_ a: LikelihoodLanes, _ b: LikelihoodLanes, _ c: LikelihoodLanes, _ u: LikelihoodLanes)
            -> (loss: LikelihoodLanes, a: LikelihoodLanes, b: LikelihoodLanes, c: LikelihoodLanes) {
            kernel.lossAndGradients(a, b, c, u)
        }
    }

    /// Elements i..<i+n (n ≤ the lane count) of `chunk`: their loss, after storing the outputs
    /// requested. Lanes past n are padded with 1 (every kernel is finite there) and are neither
    /// stored nor summed.
    ///
    /// `@_transparent`: as a local `@inline(__always)` function of `chunk`, every other vector of
    /// its unrolled loop went through a call (kl_div and gaussian_nll_loss, found by
    /// disassembly).
    @_transparent
    static func elements<F: Step>(_ i: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                  _ s: Streams3, _ f: F, _ uniform: LikelihoodLanes) -> LikelihoodLanes {
        typealias V = LikelihoodLanes
        let full = n == V.scalarCount
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V {
            full ? UnsafeRawPointer(p + i).loadUnaligned(as: V.self) : loadPartial(p, i, n)
        }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>?) {
            guard let p else { return }
            if full { UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self) } else { for k in 0..<n { p[i + k] = v[k] } }
        }
        let r = f(load(a), load(b), s.c.map(load) ?? V(), s.up.map(load) ?? uniform)
        store(r.loss, s.out)
        store(r.a, s.ga)
        store(r.b, s.gb)
        store(r.c, s.gc)
        return full ? r.loss : r.loss.replacing(with: 0, where: laneIndex .>= Int32(n))
    }

    /// One chunk: Σ loss, and where requested the elementwise loss and the gradients.
    @inline(__always)
    static func chunk<F: Step>(_ range: Range<Int>, _ s: Streams3, _ f: F) -> Double {
        typealias V = LikelihoodLanes
        let w = V.scalarCount
        guard let a = s.a, let b = s.b else { return 0 }
        let uniform = V(repeating: s.uniform)
        @inline(__always) func step(_ i: Int, _ n: Int) -> V { elements(i, n, a, b, s, f, uniform) }
        var total = 0.0
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let blockEnd = min(end, i + block)
            var acc0 = V(), acc1 = V()
            while i + 2 * w <= blockEnd {
                acc0 += step(i, w)
                acc1 += step(i + w, w)
                i += 2 * w
            }
            while i < blockEnd {
                acc0 += step(i, min(w, blockEnd - i))
                i += w
            }
            i = blockEnd
            total += widenedSum(acc0 + acc1)
        }
        return total
    }

    #if LOSSBENCH_AVX512
    static let laneIndex = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    @inline(__always)
    static func widenedSum(_ v: SIMD16<Float>) -> Double { (SIMD8<Double>(v.lowHalf) + SIMD8<Double>(v.highHalf)).sum() }
    #else
    static let laneIndex = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    @inline(__always)
    static func widenedSum(_ v: SIMD8<Float>) -> Double { SIMD8<Double>(v).sum() }
    #endif

    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int) -> LikelihoodLanes {
        var v = LikelihoodLanes(repeating: 1)
        for k in 0..<n { v[k] = p[i + k] }
        return v
    }
}
