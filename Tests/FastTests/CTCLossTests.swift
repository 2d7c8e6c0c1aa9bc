import Foundation
import Testing
import LossSpec
@testable import Fast

private typealias S = TripletCTCTestSupport

/// A CTC problem: log_softmax of normal logits (Double, rounded to Float32), the given targets
/// (padded with blank, or concatenated), lengths (N), and a grad_output of the output's shape.
private func ctcCase(time: Int, classes: Int, blank: Int, targets: [[Int64]], inputLengths: [Int64], padded: Bool,
                     options: [String: JSONValue], seed: UInt64, logitStd: Double = 1.5) -> LossCase {
    var d = S.Draws(seed)
    let n = targets.count
    var lp = [Double]()
    for _ in 0..<(time * n) {
        let z = (0..<classes).map { _ in d.normal(logitStd) }
        let m = z.max() ?? 0
        let lse = m + log(z.reduce(0.0) { $0 + exp($1 - m) })
        lp += z.map { Double(Float($0 - lse)) }
    }
    let width = (targets.map(\.count).max() ?? 0) + 1
    let t: Tensor<Int64> = padded
        ? Tensor(shape: [n, width], scalars: targets.flatMap { $0 + Array(repeating: Int64(blank), count: width - $0.count) })
        : Tensor(shape: [targets.reduce(0) { $0 + $1.count }], scalars: targets.flatMap { $0 })
    var c = LossCase(loss: .ctcLoss, options: options, inputs: [
        "log_probs": .float64(Tensor(shape: [time, n, classes], scalars: lp)), "targets": .int64(t),
        "input_lengths": .int64(Tensor(shape: [n], scalars: inputLengths)),
        "target_lengths": .int64(Tensor(shape: [n], scalars: targets.map { Int64($0.count) })),
    ])
    if let shape = S.outputShape(c) { c.inputs["grad_output"] = d.tensor(shape) }
    return c
}

/// `count` random labels in [0, C) other than blank.
private func labels(_ d: inout S.Draws, _ count: Int, classes: Int, blank: Int) -> [Int64] {
    (0..<count).map { _ in
        let v = d.int(0, classes - 2)
        return Int64(v >= blank ? v + 1 : v)
    }
}

@Suite struct CTCLossFastTests {
    @Test func agreesWithReferenceForEveryOptionAndLayout() throws {
        var seed: UInt64 = 1
        var worst = 0.0
        for reduction in ["none", "mean", "sum"] {
            for blankAtEnd in [false, true] {
                for padded in [false, true] {
                    for zeroInfinity in [false, true] {
                        seed += 1
                        let (time, classes) = (20, 9)
                        let blank = blankAtEnd ? classes - 1 : 0
                        var d = S.Draws(seed)
                        // Random targets, a repeated pair, an empty one; lengths feasible, short, 0, infeasible.
                        let targets = [labels(&d, 6, classes: classes, blank: blank), labels(&d, 3, classes: classes, blank: blank),
                                       [], [Int64(blankAtEnd ? 2 : 3), Int64(blankAtEnd ? 2 : 3)],
                                       labels(&d, 5, classes: classes, blank: blank), labels(&d, 2, classes: classes, blank: blank)]
                        let c = ctcCase(time: time, classes: classes, blank: blank, targets: targets,
                                        inputLengths: [20, 11, 0, 3, 4, 0], padded: padded,
                                        options: ["reduction": .string(reduction), "blank": .number(Double(blank)),
                                                  "zero_infinity": .bool(zeroInfinity)], seed: seed)
                        worst = max(worst, try S.agree(c, budget: 32))
                    }
                }
            }
        }
        #expect(worst < 32)
    }

    @Test func agreesOnLongPeakySequences() throws {
        var d = S.Draws(77)
        let targets = (0..<4).map { _ in labels(&d, 40, classes: 64, blank: 0) }
        for std in [1.0, 8.0] {
            let c = ctcCase(time: 128, classes: 64, blank: 0, targets: targets, inputLengths: [128, 120, 100, 90],
                            padded: true, options: ["reduction": .string("none")], seed: 78, logitStd: std)
            try S.agree(c, budget: 32)
        }
    }

    @Test func bitIdenticalForOneTwoAndEightThreads() throws {
        var d = S.Draws(5)
        let targets = (0..<12).map { i in labels(&d, 3 + i, classes: 20, blank: 0) }
        for reduction in ["none", "mean"] {
            let c = ctcCase(time: 40, classes: 20, blank: 0, targets: targets, inputLengths: Array(repeating: 40, count: 12),
                            padded: false, options: ["reduction": .string(reduction)], seed: 6)
            try ThreadInvariance.expect(c)
        }
    }

    @Test func raisesTheReferenceErrors() {
        let good = ctcCase(time: 6, classes: 5, blank: 0, targets: [[1, 2], [3]], inputLengths: [6, 5], padded: true,
                           options: [:], seed: 9)
        func with(_ name: String, _ value: TensorValue, _ options: [String: JSONValue] = [:]) -> LossCase {
            var c = good
            c.inputs[name] = value
            c.inputs["grad_output"] = nil
            c.options = options
            return c
        }
        let ints = { (shape: [Int], values: [Int64]) in TensorValue.int64(Tensor(shape: shape, scalars: values)) }
        for c in [with("log_probs", .float64(Tensor(shape: [0, 2, 5], scalars: []))),
                  with("log_probs", .float64(Tensor(shape: [5], scalars: [0, 0, 0, 0, 0]))),
                  with("targets", ints([2, 2, 1], [1, 2, 3, 0])), with("targets", ints([3, 2], [1, 2, 3, 0, 1, 1])),
                  with("targets", ints([2, 2], [1, 2, 3, 0]), ["blank": .number(5)]),
                  with("input_lengths", ints([3], [6, 5, 4])), with("target_lengths", ints([2], [2, -1])),
                  with("targets", ints([4], [1, 2, 3, 4])), with("targets", ints([2, 1], [1, 3])),
                  with("input_lengths", ints([2], [7, 5])), with("targets", ints([2, 2], [1, 0, 3, 0])),
                  with("targets", ints([2, 2], [1, 5, 3, 0])), with("targets", ints([2, 2], [1, 2, 3, 0]), ["reduction": .string("avg")])] {
            S.sameError(c)
        }
    }
}
