import Testing
import Synchronization
import Foundation
@testable import Fast

/// The fork-join every Fast kernel runs on: each chunk exactly once with its fixed range, partials
/// in chunk order, whatever the thread count and claim span.
@Suite struct ParallelTests {
    @Test(arguments: [(0, 7), (1, 7), (7, 7), (8, 7), (4096 * 3 + 5, 4096), (1_000_003, 4096), (200, 1), (37, 5)])
    func everyChunkRunsOnceWithItsRange(_ count: Int, _ chunk: Int) {
        let chunks = Parallel.chunkCount(count, chunk: chunk)
        for threads in [1, 2, 3, 8] {
            let runs = Mutex<[Int]>([Int](repeating: 0, count: chunks))
            let seen = Mutex<[Int: Range<Int>]>([:])
            Parallel.forEachChunk(count: count, chunk: chunk, threads: threads) { c, range in
                runs.withLock { $0[c] += 1 }
                seen.withLock { $0[c] = range }
            }
            runs.withLock { runs in
                #expect(runs.allSatisfy { $0 == 1 }, "\(chunks) chunks, \(threads) threads: \(runs.filter { $0 != 1 }.count) not run once")
            }
            seen.withLock { ranges in
                #expect(ranges.count == chunks)
                // The ranges tile 0..<count in order.
                var next = 0
                for c in 0..<chunks {
                    #expect(ranges[c]?.lowerBound == next)
                    next = ranges[c]?.upperBound ?? -1
                }
                #expect(next == (chunks == 0 ? 0 : count))
            }
        }
    }

    @Test func partialsComeBackInChunkOrder() {
        for threads in [1, 2, 8] {
            let partials = Parallel.mapChunks(count: 100_000, chunk: 1000, threads: threads, initial: -1) {
                $0.lowerBound / 1000
            }
            #expect(partials == Array(0..<100))
        }
    }

    /// Runs of consecutive chunks: never empty, at most 32, and small enough that every worker
    /// can get at least 8 runs of a large problem.
    @Test(arguments: [1, 2, 8])
    func claimSpanLeavesEnoughRunsPerWorker(_ workers: Int) {
        for chunks in [1, 2, 15, 16, 17, 100, 1024, 1 << 20] {
            let span = Parallel.claimSpan(chunks: chunks, workers: workers)
            #expect(span >= 1 && span <= 32)
            if span > 1 { #expect(chunks / span >= 8 * workers) }
        }
        #expect(Parallel.claimSpan(chunks: 1024, workers: 2) == 32)
        #expect(Parallel.claimSpan(chunks: 16, workers: 2) == 1)
    }

    /// Workers get at least `grain` chunks each: below that the problem stays on the calling
    /// thread (a wake-up costs more than the work), above it all threads share.
    @Test func smallProblemsStayOnTheCallingThread() {
        #expect(Parallel.workers(chunks: 1, threads: 8) == 1)
        #expect(Parallel.workers(chunks: 15, threads: 2) == 1)
        #expect(Parallel.workers(chunks: 16, threads: 2) == 2)
        #expect(Parallel.workers(chunks: 1 << 20, threads: 2) == 2)
        #expect(Parallel.workers(chunks: 3, threads: 2, grain: 1) == 2)
        #expect(Parallel.workers(chunks: 0, threads: 4) == 1 && Parallel.workers(chunks: 5, threads: 0, grain: 1) == 1)

        let caller = pthread_self()
        let others = Mutex(0)
        Parallel.forEachChunk(count: 15 * 4096, chunk: 4096, threads: 8) { _, _ in
            if pthread_equal(pthread_self(), caller) == 0 { others.withLock { $0 += 1 } }
        }
        #expect(others.withLock { $0 } == 0, "a 15-chunk problem woke another thread")
    }

    /// The determinism checks bind grain 1: then even a 3-chunk problem is offered to every thread
    /// (what makes the 1/2/8-thread comparisons of the loss tests and the fuzzer able to fail).
    /// Which threads actually take chunks is up to Dispatch's pool, so only the split is asserted.
    @Test func grainOverrideSplitsSmallProblems() {
        #expect(Parallel.$grainOverride.withValue(1) { Parallel.workers(chunks: 3, threads: 2) } == 2)
        #expect(Parallel.$grainOverride.withValue(1) { Parallel.workers(chunks: 3, threads: 8, grain: 8) } == 3)
        #expect(Parallel.workers(chunks: 3, threads: 2) == 1)
        var covered = [Int](repeating: 0, count: 3)
        covered.withUnsafeMutableBufferPointer { b in
            let slots = UncheckedSendable(b)
            Parallel.$grainOverride.withValue(1) {
                Parallel.forEachChunk(count: 3, chunk: 1, threads: 2) { c, _ in slots.value[c] += 1 }
            }
        }
        #expect(covered == [1, 1, 1])
    }

    /// The parallel zero fill leaves no element unwritten, whatever the memory held before (a
    /// freed, dirtied block of the same size is the likely one malloc hands back).
    @Test(arguments: [0, 1, 17, FloatBuffers.zeroChunk - 1, FloatBuffers.zeroChunk + 3, 3 * FloatBuffers.zeroChunk + 5, 1 << 21])
    func zerosAreZeroEverywhere(_ n: Int) {
        for threads in [1, 2, 8] {
            do { _ = [Float](repeating: .nan, count: n) }
            let z = FloatBuffers.zeros(n, threads: threads)
            #expect(z.count == n)
            #expect(z.allSatisfy { $0 == 0 && $0.sign == .plus }, "\(n) floats, \(threads) threads")
        }
    }
}
