import Foundation
import Testing
@testable import Benchmarking
import FastABI
import FastDispatch
import History
import LossSpec

/// The roofline's work models and bounds.
struct RooflineTests {
    /// The models count the inputs the benchmark problems really have (a drift between
    /// `BenchSuite.problem` and `BenchSuite.floatInputs` would misstate every bound).
    @Test(arguments: LossKind.allCases)
    func modelsCountTheProblemsInputs(loss: LossKind) {
        let problem = BenchSuite.problem(loss, elements: 1 << 12)
        let float = Set(problem.forward.inputs.filter { if case .float64 = $0.value { true } else { false } }.keys)
        #expect(BenchSuite.floatInputs(loss) == float, "\(loss)")
        let forward = WorkModel.of(problem, pass: .forward), backward = WorkModel.of(problem, pass: .backward)
        #expect(forward.bytesRead > 0 && forward.bytesWritten == 0)
        #expect(backward.bytesWritten > 0 && backward.bytesRead == forward.bytesRead)
        // The shape as the history stores it gives the same model.
        let again = WorkModel.of(loss, shape: BenchSuite.dimensions(problem.shape)!, pass: .backward)
        #expect(again.bytesRead == backward.bytesRead && again.bytesWritten == backward.bytesWritten && again.operations == backward.operations)
    }

    @Test func elementwiseCounts() {
        // l1_loss on 2^22: reads input and target; its gradient pass writes both gradients.
        let l1 = WorkModel.of(.l1Loss, shape: [1 << 22], pass: .backward)
        #expect(l1.bytesRead == 8 * 4194304 && l1.bytesWritten == 8 * 4194304 && l1.operations.isEmpty)
        let bce = WorkModel.of(.binaryCrossEntropy, shape: [1000], pass: .forward)
        #expect(bce.operations == [.log: 1000, .log1p: 1000])
        let ce = WorkModel.of(.crossEntropy, shape: [4096, 1000], pass: .forward)
        #expect(ce.operations[.exp] == 4096 * 1000 && ce.operations[.log] == 4096)
    }

    @Test func theBoundIsTheLargerOfMemoryAndOperations() {
        let rates = WorkModel.Rates(read: 20, write: 10, copy: 25, nsPerOperation: [.exp: 0.5, .log: 1, .log1p: 1, .division: 0.1])
        let memory = WorkModel(bytesRead: 2000, bytesWritten: 0, operations: [.exp: 10], note: "")
        #expect(memory.bound(rates).ns == 100 && memory.bound(rates).binding == "memory (read)")
        // Reads and writes at once: the largest of read, write and read+write times.
        let both = WorkModel(bytesRead: 1000, bytesWritten: 1000, operations: [:], note: "")
        #expect(both.bound(rates).ns == 100 && both.bound(rates).binding == "memory (write)")
        let compute = WorkModel(bytesRead: 100, bytesWritten: 0, operations: [.exp: 120, .log: 40], note: "")
        #expect(compute.bound(rates).ns == 100 && compute.bound(rates).binding == "exp")
    }

    @Test func ratesComeFromTheMeasurementsAtTheRunsThreads() {
        let ms: [(loss: String, shape: String, elements: Int, threads: Int, medianNs: Double)] = [
            ("read", "", 800, 1, 100), ("write", "", 400, 1, 100), ("copy", "", 800, 1, 50), ("exp", "", 1000, 1, 500),
            ("read", "", 800, 2, 50), ("write", "", 400, 2, 40), ("exp", "", 2000, 2, 500),
            ("traffic", "read 400+400 B, write 400 B", 1200, 2, 70), ("traffic", "not a footprint", 10, 2, 1),
        ]
        let one = Benchmark.rooflineRates(ms, threads: 1)!
        #expect(one.read == 8 && one.write == 4 && one.copy == 16 && one.nsPerOperation[.exp] == 0.5)
        let two = Benchmark.rooflineRates(ms, threads: 2)!
        #expect(two.read == 16 && two.write == 10 && two.nsPerOperation[.exp] == 0.25)
        // Without a copy measurement, reading and writing are taken not to overlap.
        #expect(abs(two.copy - 1 / (1 / 16.0 + 1 / 10.0)) < 1e-12)
        #expect(Benchmark.rooflineRates(ms, threads: 8)?.read == 16)  // the most threads measured below 8
        // Traffic yardsticks are keyed by the footprint their shape names, at their own thread count.
        // The read, write and copy yardsticks stand for their own footprints too, and the faster
        // of two loops with one footprint is its memory time.
        #expect(two.traffic == [WorkModel.Footprint(reads: [400, 400], writes: [400]): 70,
                                WorkModel.Footprint(reads: [400, 400], writes: []): 50, WorkModel.Footprint(reads: [], writes: [400]): 40])
        #expect(one.traffic[WorkModel.Footprint(reads: [400], writes: [400])] == 50)
        let faster = Benchmark.rooflineRates(ms + [("traffic", "read 400+400 B, write 0 B", 800, 2, 45)], threads: 2)!
        #expect(faster.traffic[WorkModel.Footprint(reads: [400, 400], writes: [])] == 45)
        #expect(Benchmark.rooflineRates([], threads: 1) == nil)
    }

    /// A pass whose footprint has a traffic yardstick takes that as its memory time; others fall
    /// back to the bandwidths; operations still bound it when they take longer.
    @Test func theTrafficYardstickIsTheMemoryTimeOfItsFootprint() {
        let f = WorkModel.Footprint(reads: [500, 500], writes: [1000])
        let rates = WorkModel.Rates(read: 20, write: 10, copy: 25, nsPerOperation: [.exp: 0.5], traffic: [f: 130])
        let both = WorkModel(reads: [500, 500], writes: [1000], operations: [:], note: "")
        #expect(both.footprint == f && both.bound(rates).ns == 130 && both.bound(rates).binding == "memory (write)")
        // Same bytes in other arrays: another footprint, so the bandwidths decide.
        let other = WorkModel(bytesRead: 1000, bytesWritten: 1000, operations: [:], note: "")
        #expect(other.footprint != f && other.bound(rates).ns == 100)
        let compute = WorkModel(reads: [500, 500], writes: [1000], operations: [.exp: 400], note: "")
        #expect(compute.bound(rates).ns == 200 && compute.bound(rates).binding == "exp")
        // Empty arrays are no streams; the shape round-trips; anything else is not a footprint.
        #expect(WorkModel(reads: [8, 0], writes: [0], operations: [:], note: "").footprint == WorkModel.Footprint(reads: [8], writes: []))
        #expect(WorkModel.Footprint(shape: f.shape) == f && f.shape == "read 500+500 B, write 1000 B")
        let forward = WorkModel.Footprint(reads: [16], writes: [])
        #expect(forward.shape == "read 16 B, write 0 B" && WorkModel.Footprint(shape: forward.shape) == forward)
        for bad in ["read 1000 B", "read -1 B, write 2 B", "read 1++2 B, write 0 B", "read 0+4 B, write 0 B", "[4096, 1000]"] {
            #expect(WorkModel.Footprint(shape: bad) == nil, "\(bad)")
        }
        // The standard problems' models have one array per input, plus the indices of row-wise losses.
        #expect(WorkModel.of(.l1Loss, shape: [1 << 22], pass: .backward).footprint
                == WorkModel.Footprint(reads: [1 << 24, 1 << 24], writes: [1 << 24, 1 << 24]))
        #expect(WorkModel.of(.crossEntropy, shape: [4096, 1000], pass: .forward).footprint
                == WorkModel.Footprint(reads: [4096 * 1000 * 4, 4096 * 8], writes: []))
    }

    @Test func shapesParse() {
        #expect(BenchSuite.dimensions("[4096, 1000]") == [4096, 1000])
        #expect(BenchSuite.dimensions("[4194304]") == [4194304])
        #expect(BenchSuite.dimensions("2 x [16777216]") == nil && BenchSuite.dimensions("[0]") == nil && BenchSuite.dimensions("[]") == nil)
    }

    /// Every runnable build's yardsticks compute what they say (their sums are what keeps them
    /// from being optimised away).
    @Test(arguments: FastDispatch.runnable)
    func yardsticksCompute(_ isa: ISA) throws {
        let yardsticks = try FastDispatch.build(isa).yardsticks
        let block = [Float](repeating: 2, count: 4096)
        block.withUnsafeBufferPointer { b in
            #expect(abs(yardsticks.throughput(.division, b, repeats: 2, threads: 1) - 4096) < 1e-3)
            #expect(abs(yardsticks.throughput(.log, b, repeats: 1, threads: 2) - 2 * 4096 * log(2.0)) < 0.5)
        }
        var y = [Float](repeating: 7, count: 100_003)
        let x = [Float](repeating: 1, count: 100_003)
        y.withUnsafeMutableBufferPointer { yardsticks.fill($0.baseAddress!, count: 100_003, value: 0, threads: 2) }
        #expect(y.allSatisfy { $0 == 0 })
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { yardsticks.copy(px.baseAddress!, $0.baseAddress!, count: 100_003, threads: 2) } }
        #expect(y.allSatisfy { $0 == 2 })
        // Traffic: reads all of every source (the sum), writes all of every destination, for
        // sizes whose slices do not divide evenly, for either side longer, and for no writes.
        for (reads, writes) in [([100_003, 7], [50_001]), ([4097], [300_000, 300_000]), ([], [10]), ([10, 10], [])] {
            let sources = reads.map { yardsticks.allocate($0, value: 3, likeGradient: false) }
            let destinations = writes.map { yardsticks.allocate($0, value: 0, likeGradient: true) }
            defer { for b in sources + destinations { b.deallocate() } }
            let sum = yardsticks.traffic(sources: sources.map { UnsafePointer($0.baseAddress!) }, readCounts: reads,
                                         destinations: destinations.map { $0.baseAddress! }, writeCounts: writes, threads: 2)
            #expect(sum == Double(3 * reads.reduce(0, +)), "\(reads) → \(writes)")
            #expect(destinations.allSatisfy { $0.allSatisfy { $0 == 1 } }, "\(reads) → \(writes)")
        }
    }
}

