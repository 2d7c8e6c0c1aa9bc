import FastABI

/// The kernels the benchmarks measure the machine with, compiled here with Fast's own flags so
/// that they run the same instructions as the losses they are compared with.
///
/// They live in Fast, not in Benchmarking: Fast's `@inlinable package` kernels are not inlined
/// into another module (measured: a generic `package` helper called across modules ran 130x slower
/// than the same `public` one), and Benchmarking is compiled without the AVX2 flag. Benchmarking
/// reaches the chosen build's through `FastKernels.yardsticks`.
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

    /// Writes `value` to `count` floats on `threads` threads with SIMD16 stores: the write
    /// bandwidth a loss's gradients are held against (a gradient is written once, never read).
    @inline(never)
    package static func fill(_ destination: UnsafeMutablePointer<Float>, count: Int, value: Float, threads: Int) {
        let p = SendableMutablePointer(destination)
        // The chunks of `FloatBuffers.zeros`: 256 KiB memsets, long enough for full store bandwidth.
        Parallel.forEachChunk(count: count, chunk: FloatBuffers.zeroChunk, threads: threads, grain: 2) { _, range in
            fill(p.pointer, range, value)
        }
    }

    /// A zero value is filled the way `FloatBuffers.zeros` fills a gradient (`update(repeating:)`,
    /// a memset: its large fills use streaming stores, no read for ownership), the fastest way
    /// this machine writes.
    @inline(never)
    static func fill(_ d: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ value: Float) {
        if value == 0 {
            (d + range.lowerBound).update(repeating: 0, count: range.count)
            return
        }
        let v = SIMD16<Float>(repeating: value)
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            UnsafeMutableRawPointer(d + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i += 16
        }
        while i < range.upperBound { d[i] = value; i += 1 }
    }

    /// Reads `readCounts[s]` floats of each `sources[s]` and writes `writeCounts[s]` floats of
    /// each `destinations[s]` on `threads` threads, and returns the sum it read: the memory
    /// traffic of one loss pass with no arithmetic, at that pass's own footprint and with as many
    /// streams (a loss reading input and target and writing both gradients has two each way).
    ///
    /// The work is cut into slices of `Parallel.elementChunk` floats of the longest stream, each
    /// stream's slice k being its k-th share, and each slice into steps of about 256 floats of
    /// the longest stream; a step reads its share of every source and then writes its share of
    /// every destination with ordinary SIMD stores, so reads and writes interleave as a loss's
    /// loads and gradient stores do (reading a whole slice before writing it ran l1_loss's traffic
    /// 20% slower than l1_loss itself). The footprint matters more than the pattern on a machine
    /// whose last-level cache holds a standard problem's inputs but not its inputs and gradients
    /// together: a fixed-size yardstick put the memory-bound forwards at 120–140% of "their"
    /// bound and their backward passes at 60% on the same day.
    @inline(never)
    package static func traffic(sources: [UnsafePointer<Float>], readCounts: [Int],
                                destinations: [UnsafeMutablePointer<Float>], writeCounts: [Int], threads: Int) -> Double {
        precondition(sources.count == readCounts.count && destinations.count == writeCounts.count)
        let longest = (readCounts + writeCounts).max() ?? 0
        let slices = max(1, Parallel.chunkCount(longest, chunk: Parallel.elementChunk))
        // Streams as raw addresses and counts, reads first: nothing inside the loops allocates
        // (an array built per 16 KiB slice cost as much as reading it).
        let streams = sources.map { Int(bitPattern: $0) } + destinations.map { Int(bitPattern: $0) }
        let counts = readCounts + writeCounts
        return streams.withUnsafeBufferPointer { streams in
            counts.withUnsafeBufferPointer { counts in
                let shared = UncheckedSendable((streams, counts, sources.count))
                return Parallel.mapChunks(count: slices, chunk: 1, threads: threads, initial: 0.0) { range in
                    let (streams, counts, reads) = shared.value
                    return trafficSlice(streams, counts, reads: reads, slice: range.lowerBound, of: slices)
                }.reduce(0, +)
            }
        }
    }

    /// Slice `k` of `traffic`: Σ of every source's share, and 1 (unless a sum is NaN, which it
    /// never is: the stores depend on the loads, so neither is optimised away) into every
    /// destination's share, in steps of 256 floats of the longest stream.
    @inline(never)
    static func trafficSlice(_ streams: UnsafeBufferPointer<Int>, _ counts: UnsafeBufferPointer<Int>, reads: Int,
                             slice k: Int, of slices: Int) -> Double {
        typealias V = SIMD16<Float>
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        var value = V(repeating: 1)
        return withUnsafeTemporaryAllocation(of: (next: Int, end: Int, quantum: Int).self, capacity: streams.count) { state in
            var longest = 0
            for s in 0..<streams.count {
                let lower = k * counts[s] / slices, upper = (k + 1) * counts[s] / slices
                state[s] = (lower, upper, 0)
                longest = max(longest, upper - lower)
            }
            let steps = max(1, longest / 256)
            for s in 0..<streams.count { state[s].quantum = (state[s].end - state[s].next) / steps }
            for t in 1...steps {
                for s in 0..<reads {
                    let x = UnsafePointer<Float>(bitPattern: streams[s])!
                    var i = state[s].next
                    let end = t == steps ? state[s].end : i + state[s].quantum
                    while i + 64 <= end {
                        a0 += Streams.load(x, i)
                        a1 += Streams.load(x, i + 16)
                        a2 += Streams.load(x, i + 32)
                        a3 += Streams.load(x, i + 48)
                        i += 64
                    }
                    while i + 16 <= end {
                        a0 += Streams.load(x, i)
                        i += 16
                    }
                    if i < end {
                        a0 += Streams.loadPartial(x, i, end - i)
                        i = end
                    }
                    state[s].next = i
                }
                value = value.replacing(with: 2, where: a0 .!= a0)
                for s in reads..<streams.count {
                    let y = UnsafeMutablePointer<Float>(bitPattern: streams[s])!
                    var j = state[s].next
                    let end = t == steps ? state[s].end : j + state[s].quantum
                    while j + 16 <= end {
                        Streams.store(value, y, j)
                        j += 16
                    }
                    if j < end {
                        Streams.storePartial(value, y, j, end - j)
                        j = end
                    }
                    state[s].next = j
                }
            }
            return Streams.widenSum((a0 + a1) + (a2 + a3))
        }
    }

    /// `n` floats set to `value`, allocated as a loss allocates its gradients when `likeGradient`
    /// (`FloatBuffers.adviseHugePages`: transparent huge pages, asked for before the first write)
    /// and as its inputs otherwise, for the yardsticks that stand in for that traffic: into 4 KiB
    /// pages the traffic of l1_loss's backward pass ran 10% slower than the pass itself.
    /// The caller deallocates it.
    package static func allocate(_ n: Int, value: Float, likeGradient: Bool) -> UnsafeMutableBufferPointer<Float> {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, n))
        if likeGradient { FloatBuffers.adviseHugePages(buffer) }
        buffer.initialize(repeating: value)
        return buffer
    }

    /// The operations `throughput` measures, shared by every build (FastABI).
    package typealias Operation = FastYardsticks.Operation

    /// Applies `op` to every element of `data` (L1-resident: 4096 floats), `repeats` times, on
    /// one thread, and returns a sum of the results so nothing is optimised away. Elements per
    /// second = data.count × repeats / time: the operation's throughput on one core, with the
    /// loads and the accumulation a loss's loop also has.
    @inline(never)
    package static func throughput(_ op: Operation, _ data: UnsafeBufferPointer<Float>, repeats: Int) -> Double {
        let one = SIMD8<Float>(repeating: 1)
        switch op {  // one loop per operation: no dispatch inside the loop
        case .exp: return apply(data, repeats) { VectorMath.exp($0) }
        case .log: return apply(data, repeats) { VectorMath.log($0) }
        case .log1p: return apply(data, repeats) { VectorMath.log1p($0) }
        case .division: return apply(data, repeats) { one / $0 }
        }
    }

    @inline(__always)
    static func apply(_ data: UnsafeBufferPointer<Float>, _ repeats: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Double {
        guard let p = data.baseAddress else { return 0 }
        let n = data.count & ~15
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        for _ in 0..<repeats {
            var i = 0
            while i < n {
                a0 += f(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self))
                a1 += f(UnsafeRawPointer(p + i + 8).loadUnaligned(as: SIMD8<Float>.self))
                i += 16
            }
        }
        return Double((a0 + a1).sum())
    }

    /// y[i] = x[i] + 1 over `count` floats on `threads` threads: reads and writes at once, the
    /// traffic of a gradient computed from its inputs (measured apart because the two directions
    /// overlap: a backward pass beat the sum of the read and write yardsticks' times).
    @inline(never)
    package static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        let px = SendablePointer(x), py = SendableMutablePointer(y)
        Parallel.forEachChunk(count: count, chunk: Parallel.elementChunk, threads: threads) { _, range in
            copy(px.pointer, py.pointer, range)
        }
    }

    @inline(never)
    static func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let one = SIMD16<Float>(repeating: 1)
        var i = range.lowerBound
        while i + 16 <= range.upperBound {
            UnsafeMutableRawPointer(y + i).storeBytes(of: Streams.load(x, i) + one, as: SIMD16<Float>.self)
            i += 16
        }
        while i < range.upperBound { y[i] = x[i] + 1; i += 1 }
    }

    /// `throughput` on `threads` threads at once, each over its own copy of `data` (the
    /// operations are per-core resources: N cores give up to N times the one-core rate).
    @inline(never)
    package static func throughput(_ op: Operation, _ data: UnsafeBufferPointer<Float>, repeats: Int, threads: Int) -> Double {
        guard threads > 1 else { return throughput(op, data, repeats: repeats) }
        let copy = SendablePointer(UnsafePointer(data.baseAddress!)), n = data.count
        return Parallel.mapChunks(count: threads, chunk: 1, threads: threads, grain: 1, initial: 0.0) { _ in
            let local = Array(UnsafeBufferPointer(start: copy.pointer, count: n))
            return local.withUnsafeBufferPointer { throughput(op, $0, repeats: repeats) }
        }.reduce(0, +)
    }

    /// A writable pointer shared by the worker threads, each writing its own chunks.
    struct SendableMutablePointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
    }

    /// A read-only pointer shared by the worker threads.
    struct SendablePointer: @unchecked Sendable {
        let pointer: UnsafePointer<Float>
        init(_ p: UnsafePointer<Float>) { pointer = p }
    }
}
