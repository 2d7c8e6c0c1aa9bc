import Dispatch
import FastABI
import Foundation
import Synchronization

/// Deterministic fork-join over fixed-size chunks.
///
/// Work is cut into chunks whose boundaries depend only on the problem size and the chunk size,
/// never on the thread count; every chunk writes its own partial result and partials are combined
/// in chunk order by the caller. So the result is bit-identical for 1, 2 or 64 threads.
/// Small problems (fewer than `minChunksPerWorker` chunks per worker) run on the calling thread.
package enum Parallel {
    /// Threads used when a caller does not say: the machine's active cores.
    package static let defaultThreads = FastKernels.defaultThreads

    /// Default chunk for streaming elementwise kernels: 4 K floats (16 KiB per input stream).
    /// Small enough that a chunk's per-lane Float partial sums stay short (≤ 64 terms per lane)
    /// and that a 4099-element golden case already crosses a boundary; large enough that the
    /// per-chunk cost (a closure call and one partial) is noise next to 4 K elements of work.
    package static let elementChunk = 4096

    /// Number of chunks of `chunk` items covering `count` items.
    @inlinable
    package static func chunkCount(_ count: Int, chunk: Int) -> Int {
        count == 0 ? 0 : (count + chunk - 1) / chunk
    }

    /// Chunks a worker claims at once: runs of consecutive chunks, at least 8 runs per worker
    /// (so a worker that wakes late still leaves the others enough to share), at most 32 chunks.
    ///
    /// Claiming single chunks interleaved the two workers 16 KiB apart in every stream, and the
    /// hardware prefetchers, which follow a stream within a page, kept restarting: a 2^22-element
    /// l1_loss forward took 0.8 ms with single claims and 0.45 ms with runs of 16–64 chunks.
    @inlinable
    static func claimSpan(chunks: Int, workers: Int) -> Int {
        max(1, min(32, chunks / (8 * workers)))
    }

    /// Chunks of `elementChunk` elements each worker must have before another thread is woken:
    /// waking a parked worker costs 5–10 µs here, about what 8 such chunks take on one core (a
    /// 16 K-element l1_loss forward ran in 9 µs on two threads and 4 µs on one). PyTorch's CPU
    /// kernels use the same 32 K-element grain. Callers whose chunks are much heavier (one CTC
    /// sequence) pass a smaller grain.
    package static let minChunksPerWorker = 8

    /// Replaces every caller's grain while bound (`Parallel.$grainOverride.withValue(1) { … }`):
    /// thread-determinism checks bind 1 so that even small cases are split across all threads.
    @TaskLocal package static var grainOverride: Int?

    /// The threads a problem of `chunks` chunks uses: up to `threads`, with at least `grain`
    /// chunks each, so small problems stay on the calling thread.
    @inlinable
    package static func workers(chunks: Int, threads: Int, grain: Int = minChunksPerWorker) -> Int {
        max(1, min(max(1, threads), chunks / max(1, grainOverride ?? grain)))
    }

    /// Runs `body(chunkIndex, range)` for every chunk of `0..<count`, on up to `threads` threads.
    ///
    /// Workers claim runs of consecutive chunks (`claimSpan`) from a shared counter, so a worker
    /// that wakes late (thread wake-up costs tens of µs on a busy machine) simply takes fewer runs
    /// instead of delaying the join. Which thread runs a chunk never affects its result: each
    /// chunk's work and output slot are fixed by its index.
    @inlinable
    package static func forEachChunk(count: Int, chunk: Int, threads: Int, grain: Int = minChunksPerWorker,
                                    _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, chunk: chunk)
        let workers = workers(chunks: chunks, threads: threads, grain: grain)
        if workers <= 1 {
            for c in 0..<chunks { body(c, c * chunk..<min(count, (c + 1) * chunk)) }
            return
        }
        let span = claimSpan(chunks: chunks, workers: workers)
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let c0 = next.wrappingAdd(span, ordering: .relaxed).oldValue
                    if c0 >= chunks { break }
                    for c in c0..<min(chunks, c0 + span) {
                        box.value(c, c * chunk..<min(count, (c + 1) * chunk))
                    }
                }
            }
        }
    }

    /// Computes one partial per chunk with `body` and returns them in chunk order.
    @inlinable
    package static func mapChunks<P>(count: Int, chunk: Int, threads: Int, grain: Int = minChunksPerWorker,
                                    initial: P, _ body: (Range<Int>) -> P) -> [P] {
        var partials = [P](repeating: initial, count: chunkCount(count, chunk: chunk))
        partials.withUnsafeMutableBufferPointer { out in
            let slots = UncheckedSendable(out)
            forEachChunk(count: count, chunk: chunk, threads: threads, grain: grain) { c, range in
                slots.value[c] = body(range)
            }
        }
        return partials
    }
}

/// Wraps a value that is shared across worker threads under a discipline the compiler cannot
/// see: each worker touches disjoint indices of a buffer, or only reads.
@usableFromInline
struct UncheckedSendable<T>: @unchecked Sendable {
    @usableFromInline var value: T
    @inlinable init(_ value: T) { self.value = value }
}
