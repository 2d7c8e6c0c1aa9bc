import Foundation
import Testing
@testable import Benchmarking
import Fast
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
        #expect(bce.operations == [.log: 2000])
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
        let ms: [(loss: String, elements: Int, threads: Int, medianNs: Double)] = [
            ("read", 800, 1, 100), ("write", 400, 1, 100), ("copy", 800, 1, 50), ("exp", 1000, 1, 500),
            ("read", 800, 2, 50), ("write", 400, 2, 40), ("exp", 2000, 2, 500),
        ]
        let one = Benchmark.rooflineRates(ms, threads: 1)!
        #expect(one.read == 8 && one.write == 4 && one.copy == 16 && one.nsPerOperation[.exp] == 0.5)
        let two = Benchmark.rooflineRates(ms, threads: 2)!
        #expect(two.read == 16 && two.write == 10 && two.nsPerOperation[.exp] == 0.25)
        // Without a copy measurement, reading and writing are taken not to overlap.
        #expect(abs(two.copy - 1 / (1 / 16.0 + 1 / 10.0)) < 1e-12)
        #expect(Benchmark.rooflineRates(ms, threads: 8)?.read == 16)  // the most threads measured below 8
        #expect(Benchmark.rooflineRates([], threads: 1) == nil)
    }

    @Test func shapesParse() {
        #expect(BenchSuite.dimensions("[4096, 1000]") == [4096, 1000])
        #expect(BenchSuite.dimensions("[4194304]") == [4194304])
        #expect(BenchSuite.dimensions("2 x [16777216]") == nil && BenchSuite.dimensions("[0]") == nil && BenchSuite.dimensions("[]") == nil)
    }

    /// The yardsticks compute what they say (their sums are what keeps them from being optimised away).
    @Test func yardsticksCompute() {
        let block = [Float](repeating: 2, count: 4096)
        block.withUnsafeBufferPointer { b in
            #expect(abs(Yardsticks.throughput(.division, b, repeats: 2) - 4096) < 1e-3)
            #expect(abs(Yardsticks.throughput(.log, b, repeats: 1, threads: 2) - 2 * 4096 * log(2.0)) < 0.5)
        }
        var y = [Float](repeating: 7, count: 100_003)
        let x = [Float](repeating: 1, count: 100_003)
        y.withUnsafeMutableBufferPointer { Yardsticks.fill($0.baseAddress!, count: 100_003, value: 0, threads: 2) }
        #expect(y.allSatisfy { $0 == 0 })
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { Yardsticks.copy(px.baseAddress!, $0.baseAddress!, count: 100_003, threads: 2) } }
        #expect(y.allSatisfy { $0 == 2 })
    }
}

