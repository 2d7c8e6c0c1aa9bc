/// The kernels the benchmarks measure the machine with, compiled here with Fast's own flags so
/// that they run the same instructions as the losses they are compared with.
///
/// They live in Fast, not in Benchmarking: Fast's `@inlinable package` kernels are not inlined
/// into another module (measured: a generic `package` helper called across modules ran 130x slower
/// than the same `public` one), and Benchmarking is compiled without the AVX2 flag.
package enum Yardsticks {
    /// Σ over `data`, `repeats` times, with `Streams.sum`: the calibration kernel (a fixed,
    /// L1-resident amount of single-threaded SIMD arithmetic).
    @inline(never)
    package static func calibrationSum(_ data: UnsafeBufferPointer<Float>, repeats: Int) -> Double {
        guard let p = data.baseAddress else { return 0 }
        var total = 0.0
        for _ in 0..<repeats { total += Streams.sum(p, p, 0..<data.count) { x, _ in x } }
        return total
    }

    /// Σ x[i] + y[i] over `count` elements on `threads` threads, with four SIMD16 accumulators
    /// written out explicitly (no closure): the read-bandwidth baseline the memory-bound losses
    /// are held against.
    @inline(never)
    package static func plainSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, threads: Int) -> Double {
        let px = SendablePointer(x), py = SendablePointer(y)
        return Parallel.mapChunks(count: count, chunk: Parallel.elementChunk, threads: threads, initial: 0.0) { range in
            plainSum(px.pointer, py.pointer, range)
        }.reduce(0, +)
    }

    @inline(never)
    static func plainSum(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        typealias V = SIMD16<Float>
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var i = range.lowerBound
        while i + 32 <= range.upperBound {
            a0 += Streams.load(x, i)
            a1 += Streams.load(y, i)
            a2 += Streams.load(x, i + 16)
            a3 += Streams.load(y, i + 16)
            i += 32
        }
        var tail = 0.0
        while i < range.upperBound {
            tail += Double(x[i]) + Double(y[i])
            i += 1
        }
        return Streams.widenSum((a0 + a1) + (a2 + a3)) + tail
    }

    /// A read-only pointer shared by the worker threads.
    struct SendablePointer: @unchecked Sendable {
        let pointer: UnsafePointer<Float>
        init(_ p: UnsafePointer<Float>) { pointer = p }
    }
}
