import Foundation
@_spi(Kernels) import LossSpec

/// ctc_loss (Docs/Losses/ctc_loss.md): padded and concatenated targets, unbatched `(T, C)` inputs with 0-dim,
/// `(1)` and `(1, S)` companions, blank at 0, C − 1 and in the middle, zero-length targets, input
/// lengths 0 and < T, repeated labels (tight and loose), infeasible targets with and without
/// zero_infinity (+inf loss, NaN gradient slice without it), −inf and NaN log-probs, unnormalised
/// and peaky inputs, long sequences, and every error the Reference raises.
///
/// log_probs are log_softmax of random logits, computed in Double and rounded to Float32, so each
/// frame is (up to rounding) a distribution as PyTorch's users feed it.
enum CTCLossCases {
    static func recipes() -> [CaseRecipe] {
        var list = RecipeList(.ctcLoss)
        func opts(_ reduction: JSONValue, blank: Int = 0, zeroInfinity: Bool = false) -> [String: JSONValue] {
            ["reduction": reduction, "blank": .number(Double(blank)), "zero_infinity": .bool(zeroInfinity)]
        }

        // Random: every reduction × layout × blank at either end; zero_infinity alternates (the
        // targets are feasible, so it must change nothing).
        var k = 0
        for reduction in Sweep.reductions {
            for padded in [true, false] {
                for blankAtEnd in [false, true] {
                    let (t, n, c) = (10 + k % 5, 3 + k % 2, 5 + k % 3)
                    let blank = blankAtEnd ? c - 1 : 0
                    list.add(.random, padded ? "padded" : "concatenated",
                             options: opts(reduction, blank: blank, zeroInfinity: k % 2 == 1)) { r in
                        CTCDraw.feasible(&r, time: t, batch: n, classes: c, blank: blank, maxLength: 4, padded: padded)
                    }
                    k += 1
                }
            }
        }
        // Class counts around the SIMD widths; longer targets.
        for (i, c) in [2, 7, 8, 9, 16, 17, 33, 65].enumerated() {
            let reduction = Sweep.reductions[i % 3]
            list.add(.random, "classes", options: opts(reduction, blank: i % 2 == 0 ? 0 : c - 1)) { r in
                CTCDraw.feasible(&r, time: 16, batch: 3, classes: c, blank: i % 2 == 0 ? 0 : c - 1,
                                 maxLength: 6, padded: i % 2 == 1)
            }
        }
        // A blank in the middle of a larger alphabet.
        for reduction in Sweep.reductions {
            list.add(.random, "blank-middle", options: opts(reduction, blank: 14)) { r in
                CTCDraw.feasible(&r, time: 15, batch: 3, classes: 20, blank: 14, maxLength: 6, padded: true)
            }
        }

        // Unbatched (T, C): 1-D concatenated target with 0-dim lengths, with (1) lengths, and the
        // padded (1, S) form.
        for reduction in Sweep.reductions {
            for form in ["concatenated-0dim", "concatenated-1", "padded-1xS"] {
                list.add(.random, "unbatched-\(form)", options: opts(reduction, blank: 0)) { r in
                    let labels = CTCDraw.labels(&r, count: 3, classes: 6, blank: 0)
                    let inputLength = r.int(CTCDraw.minimumFrames(labels), 9)
                    let lengthShape = form == "concatenated-0dim" ? [Int]() : [1]
                    let targets = form == "padded-1xS" ? fixedInt([1, 5], labels + [0, 0])
                                                       : fixedInt([3], labels)
                    return ["log_probs": CTCDraw.logProbs(&r, [9, 6]), "targets": targets,
                            "input_lengths": fixedInt(lengthShape, [Int64(inputLength)]),
                            "target_lengths": fixedInt(lengthShape, [3])]
                }
            }
        }

        // Zero-length targets, mixed with others and all of them (concatenated targets then empty).
        for reduction in Sweep.reductions {
            for padded in [true, false] {
                list.add(.random, "zero-length", options: opts(reduction)) { r in
                    CTCDraw.problem(&r, time: 8, classes: 5, blank: 0, targets: [[], [1, 2, 3], [], [4, 4]],
                                    inputLengths: [8, 7, 5, 8], padded: padded)
                }
            }
            list.add(.random, "zero-length-all", options: opts(reduction, blank: 2)) { r in
                CTCDraw.problem(&r, time: 6, classes: 4, blank: 2, targets: [[], [], []],
                                inputLengths: [6, 3, 1], padded: false)
            }
        }
        list.add(.random, "zero-length-all", options: opts(.string("none"))) { r in
            CTCDraw.problem(&r, time: 6, classes: 4, blank: 0, targets: [[], []], inputLengths: [6, 2], padded: true)
        }

        // Input lengths 0 (−0.0 for an empty target, +inf otherwise) and shorter than T.
        for reduction in Sweep.reductions {
            for zeroInfinity in [false, true] {
                list.add(.random, "input-lengths", options: opts(reduction, zeroInfinity: zeroInfinity)) { r in
                    CTCDraw.problem(&r, time: 9, classes: 6, blank: 0, targets: [[], [1, 2], [3, 1, 5], [2], [4, 3]],
                                    inputLengths: [0, 0, 5, 9, 4], padded: true)
                }
            }
        }

        // Repeated labels need a blank in between: exactly enough frames, and more.
        for reduction in Sweep.reductions {
            list.add(.random, "repeats-tight", options: opts(reduction)) { r in
                CTCDraw.problem(&r, time: 9, classes: 4, blank: 0, targets: [[2, 2, 3, 3, 3], [1, 1], [3, 3, 3, 3]],
                                inputLengths: [8, 3, 7], padded: false)
            }
            list.add(.random, "repeats-loose", options: opts(reduction, blank: 3)) { r in
                CTCDraw.problem(&r, time: 12, classes: 4, blank: 3, targets: [[2, 2, 0, 0, 0], [1, 1], [0, 1, 0, 1]],
                                inputLengths: [12, 10, 11], padded: true)
            }
        }

        // Infeasible targets (too few frames for L + repeats), next to feasible ones: +inf and a NaN
        // gradient slice without zero_infinity; 0 and a zero slice with it.
        for reduction in Sweep.reductions {
            for zeroInfinity in [false, true] {
                list.add(.random, "infeasible", options: opts(reduction, zeroInfinity: zeroInfinity)) { r in
                    CTCDraw.problem(&r, time: 7, classes: 5, blank: 0,
                                    targets: [[1, 2, 3, 4, 1], [2, 2, 2], [1, 3], [4, 4]],
                                    inputLengths: [4, 4, 7, 3], padded: zeroInfinity)
                }
            }
        }

        // −inf log-probs: a class impossible in some frames. Its gradient is NaN there (∞ − ∞);
        // blocking every path makes the loss +inf although the lengths are feasible.
        for (reduction, zeroInfinity) in [(JSONValue.string("none"), false), (.string("sum"), false),
                                          (.string("none"), true), (.string("mean"), true)] {
            list.add(.random, "neg-inf", options: opts(reduction, zeroInfinity: zeroInfinity)) { r in
                var inputs = CTCDraw.problem(&r, time: 6, classes: 4, blank: 0, targets: [[1, 2], [3], [2, 3]],
                                             inputLengths: [6, 6, 5], padded: true)
                guard case .float64(var lp) = inputs["log_probs"] else { return inputs }
                // (t, b, c) → flat (t·3 + b)·4 + c.
                lp[(2 * 3 + 0) * 4 + 3] = -.infinity   // unused class 3 in element 0: loss stays finite
                lp[(1 * 3 + 0) * 4 + 0] = -.infinity   // a blank in element 0: some paths blocked
                for t in 0..<6 { lp[(t * 3 + 1) * 4 + 3] = -.infinity }  // element 1's only label: +inf
                lp[(5 * 3 + 2) * 4 + 1] = -.infinity   // past element 2's input length: ignored
                inputs["log_probs"] = .float64(lp)
                return inputs
            }
        }
        // NaN log-probs give NaN, which zero_infinity leaves alone.
        for zeroInfinity in [false, true] {
            list.add(.random, "nan", options: opts(.string("none"), zeroInfinity: zeroInfinity)) { r in
                var inputs = CTCDraw.problem(&r, time: 5, classes: 4, blank: 0, targets: [[1, 2], [3]],
                                             inputLengths: [5, 5], padded: false)
                guard case .float64(var lp) = inputs["log_probs"] else { return inputs }
                lp[(3 * 2 + 0) * 4 + 2] = .nan
                inputs["log_probs"] = .float64(lp)
                return inputs
            }
        }

        // Values are not validated: unnormalised log-probs (the loss may be negative), and peaky
        // distributions from large logits (log-probs down to about −100).
        for reduction in [JSONValue.string("none"), .string("sum")] {
            list.add(.random, "unnormalised", options: opts(reduction)) { r in
                var inputs = CTCDraw.feasible(&r, time: 8, batch: 3, classes: 5, blank: 0, maxLength: 3, padded: true)
                inputs["log_probs"] = r.normal([8, 3, 5], mean: 0.5, std: 1)
                return inputs
            }
        }
        for reduction in Sweep.reductions {
            list.add(.random, "peaky", options: opts(reduction, blank: 4)) { r in
                var inputs = CTCDraw.feasible(&r, time: 12, batch: 3, classes: 6, blank: 4, maxLength: 4, padded: false)
                inputs["log_probs"] = CTCDraw.logProbs(&r, [12, 3, 6], std: 25)
                return inputs
            }
        }

        // Padding past each target length is never read, whatever it holds.
        list.add(.random, "padding-ignored", options: opts(.string("none"))) { r in
            var inputs = CTCDraw.problem(&r, time: 7, classes: 5, blank: 0, targets: [[1, 2], [3, 3, 4], [2]],
                                         inputLengths: [7, 7, 6], padded: true)
            inputs["targets"] = fixedInt([3, 5], [1, 2, -1, 99, 0, 3, 3, 4, -7, 5, 2, 0, 0, 100, -1])
            return inputs
        }
        // One frame, and a single class besides blank.
        list.add(.random, "small", options: opts(.string("none"))) { r in
            CTCDraw.problem(&r, time: 1, classes: 2, blank: 0, targets: [[1], []], inputLengths: [1, 1], padded: true)
        }
        list.add(.random, "small", options: opts(.string("mean"), blank: 1)) { r in
            CTCDraw.problem(&r, time: 4, classes: 2, blank: 1, targets: [[0, 0], [0]], inputLengths: [4, 2], padded: false)
        }

        // Long sequences: the recursions' rounding grows with T (and crosses any per-sequence work split).
        list.add(.random, "long", options: opts(.string("mean"))) { r in
            CTCDraw.feasible(&r, time: 64, batch: 4, classes: 24, blank: 0, maxLength: 25, padded: true)
        }
        list.add(.random, "long", options: opts(.string("sum"), blank: 9)) { r in
            CTCDraw.feasible(&r, time: 200, batch: 2, classes: 10, blank: 9, maxLength: 60, padded: false)
        }
        list.add(.random, "long", options: opts(.string("none"), zeroInfinity: true)) { r in
            CTCDraw.feasible(&r, time: 128, batch: 1, classes: 64, blank: 0, maxLength: 40, padded: true)
        }

        addErrors(&list, opts)
        return list.recipes
    }

    private static func addErrors(_ list: inout RecipeList,
                                  _ opts: (JSONValue, Int, Bool) -> [String: JSONValue]) {
        let base = opts(.string("mean"), 0, false)
        /// A valid problem (T = 6, N = 2, C = 5, padded targets) with one argument replaced.
        @Sendable func valid(_ replace: [String: TensorValue] = [:]) -> @Sendable (inout SeededRNG) -> [String: TensorValue] {
            { r in
                var inputs = CTCDraw.problem(&r, time: 6, classes: 5, blank: 0, targets: [[1, 2], [3]],
                                             inputLengths: [6, 5], padded: true)
                inputs.merge(replace) { _, new in new }
                return inputs
            }
        }
        for bad in ["avg", "batchmean", "", "Sum"] {
            list.error(.invalidReduction, "reduction", argument: "reduction", "'\(bad)' is not none/mean/sum",
                       options: ["reduction": .string(bad)], inputs: valid())
        }
        for (shape, what) in [([0, 2, 5], "T = 0"), ([6, 0, 5], "N = 0"), ([6, 2, 0], "C = 0"), ([0, 5], "unbatched T = 0")] {
            list.error(.emptyInput, "empty", argument: "log_probs", "shape \(shape): \(what)", options: base,
                       inputs: valid(["log_probs": fixed(shape, [])]))
        }
        list.error(.shapeMismatch, "rank", argument: "log_probs", "1-D; (T, N, C) or (T, C) is required", options: base,
                   inputs: valid(["log_probs": fixed([5], [-1, -2, -3, -4, -5])]))
        list.error(.shapeMismatch, "rank", argument: "log_probs", "4-D; (T, N, C) or (T, C) is required", options: base) { r in
            var inputs = valid()(&r)
            inputs["log_probs"] = CTCDraw.logProbs(&r, [6, 2, 1, 5])
            return inputs
        }
        list.error(.shapeMismatch, "rank", argument: "targets", "3-D; 1-D concatenated or (N, S) padded is required",
                   options: base, inputs: valid(["targets": fixedInt([2, 2, 1], [1, 2, 3, 0])]))
        list.error(.shapeMismatch, "rank", argument: "targets", "0-dim; 1-D concatenated or (N, S) padded is required",
                   options: base, inputs: valid(["targets": fixedInt([], [1]),
                                                 "target_lengths": fixedInt([2], [1, 0])]))
        list.error(.shapeMismatch, "padded-batch", argument: "targets", "padded shape [3, 2] for a batch of 2",
                   options: base, inputs: valid(["targets": fixedInt([3, 2], [1, 2, 3, 0, 1, 1])]))
        for blank in [-1, 5, 6] {
            list.error(.invalidOption, "blank", argument: "blank", "\(blank) is outside [0, C = 5)",
                       options: opts(.string("mean"), blank, false), inputs: valid())
        }
        list.error(.invalidLength, "lengths-size", argument: "input_lengths", "3 values for a batch of 2",
                   options: base, inputs: valid(["input_lengths": fixedInt([3], [6, 5, 4])]))
        list.error(.invalidLength, "lengths-size", argument: "target_lengths", "1 value for a batch of 2",
                   options: base, inputs: valid(["target_lengths": fixedInt([1], [2])]))
        list.error(.invalidLength, "lengths-size", argument: "input_lengths", "0-dim for a batch of 2",
                   options: base, inputs: valid(["input_lengths": fixedInt([], [6])]))
        list.error(.invalidLength, "target-length", argument: "target_lengths", "-1 is negative",
                   options: base, inputs: valid(["target_lengths": fixedInt([2], [2, -1])]))
        list.error(.invalidLength, "concatenated", argument: "targets", "4 labels, but the target lengths sum to 3",
                   options: base, inputs: valid(["targets": fixedInt([4], [1, 2, 3, 4])]))
        list.error(.invalidLength, "concatenated", argument: "targets", "2 labels, but the target lengths sum to 3",
                   options: base, inputs: valid(["targets": fixedInt([2], [1, 2])]))
        list.error(.invalidLength, "padded-width", argument: "targets", "padded width 1 < the longest target (2)",
                   options: base, inputs: valid(["targets": fixedInt([2, 1], [1, 3])]))
        list.error(.invalidLength, "input-length", argument: "input_lengths", "7 exceeds T = 6",
                   options: base, inputs: valid(["input_lengths": fixedInt([2], [7, 5])]))
        list.error(.invalidLength, "input-length", argument: "input_lengths", "-1 is negative",
                   options: base, inputs: valid(["input_lengths": fixedInt([2], [6, -1])]))
        list.error(.invalidLength, "input-length", argument: "input_lengths", "unbatched 0-dim length 4 exceeds T = 3",
                   options: base) { r in
            ["log_probs": CTCDraw.logProbs(&r, [3, 4]), "targets": fixedInt([1], [2]),
             "input_lengths": fixedInt([], [4]), "target_lengths": fixedInt([], [1])]
        }
        for (labels, what) in [([1, 0, 3, 0], "label 0 equals blank"), ([1, 5, 3, 0], "label 5 ≥ C = 5"),
                               ([-2, 2, 3, 0], "label -2 is negative")] {
            list.error(.targetOutOfRange, "label", argument: "targets", what, options: base, deviation: "ctc-label-check",
                       inputs: valid(["targets": fixedInt([2, 2], labels.map(Int64.init))]))
        }
        list.error(.targetOutOfRange, "label", argument: "targets", "label 4 equals blank = 4 (concatenated)",
                   options: opts(.string("sum"), 4, false), deviation: "ctc-label-check",
                   inputs: valid(["targets": fixedInt([3], [1, 4, 3])]))
    }
}

/// Random CTC problems.
enum CTCDraw {
    /// log_softmax over the last dimension of normal logits, computed in Double, rounded to Float32.
    static func logProbs(_ r: inout SeededRNG, _ shape: [Int], std: Double = 1.5) -> TensorValue {
        let c = shape.last ?? 1
        var values = [Double]()
        for _ in 0..<(Shape.count(shape) / max(c, 1)) {
            let z = (0..<c).map { _ in r.normal(0, std) }
            let m = z.max() ?? 0
            let lse = m + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp($1 - m) })
            values += z.map { Double(Float($0 - lse)) }
        }
        return .float64(Tensor(shape: shape, scalars: values))
    }

    /// `count` labels in [0, C) other than blank.
    static func labels(_ r: inout SeededRNG, count: Int, classes: Int, blank: Int) -> [Int64] {
        (0..<count).map { _ in
            let v = r.int(0, classes - 2)
            return Int64(v >= blank ? v + 1 : v)
        }
    }

    /// The fewest frames that can emit `labels`: one per label plus a blank between equal neighbours.
    static func minimumFrames(_ labels: [Int64]) -> Int {
        labels.count + zip(labels, labels.dropFirst()).filter { $0 == $1 }.count
    }

    /// N random feasible targets of length 0...maxLength (at least one non-empty).
    static func feasible(_ r: inout SeededRNG, time: Int, batch: Int, classes: Int, blank: Int, maxLength: Int,
                         padded: Bool) -> [String: TensorValue] {
        var targets: [[Int64]] = []
        var inputLengths: [Int] = []
        for b in 0..<batch {
            var labels: [Int64]
            repeat {
                labels = self.labels(&r, count: r.int(b == 0 ? 1 : 0, maxLength), classes: classes, blank: blank)
            } while minimumFrames(labels) > time
            targets.append(labels)
            inputLengths.append(b == 0 ? time : r.int(max(minimumFrames(labels), 1), time))
        }
        return problem(&r, time: time, classes: classes, blank: blank, targets: targets, inputLengths: inputLengths,
                       padded: padded)
    }

    /// The arguments for given targets and input lengths: log_probs (T, N, C), targets padded
    /// (N, max L + 1) with blank padding or concatenated, lengths (N).
    static func problem(_ r: inout SeededRNG, time: Int, classes: Int, blank: Int, targets: [[Int64]],
                        inputLengths: [Int], padded: Bool) -> [String: TensorValue] {
        let n = targets.count
        let target: TensorValue
        if padded {
            let width = (targets.map(\.count).max() ?? 0) + 1
            target = fixedInt([n, width], targets.flatMap { $0 + Array(repeating: Int64(blank), count: width - $0.count) })
        } else {
            target = fixedInt([targets.reduce(0) { $0 + $1.count }], targets.flatMap { $0 })
        }
        return ["log_probs": logProbs(&r, [time, n, classes]), "targets": target,
                "input_lengths": fixedInt([n], inputLengths.map(Int64.init)),
                "target_lengths": fixedInt([n], targets.map { Int64($0.count) })]
    }
}
