import FastABI
import History
import LossSpec

/// The least work a loss's pass must do on a benchmark problem, from which its roofline bound
/// follows: the bytes it must read and write at the machine's bandwidth, and the vector
/// operations its formula needs at their measured throughput.
///
/// The counts are those of the formula, not of any implementation: every input element is read
/// once (Float32, 4 bytes; class and label indices as 8-byte integers), every gradient element is
/// written once, and a transcendental the formula shares between the loss and its gradient (the
/// softplus of BCE with logits, the logs of BCE) is counted once. Streaming a gradient costs
/// only its write: it is not read back. Work that is neither memory nor one of the measured
/// operations (comparisons, FMAs, square roots per row) is not counted, so a loss dominated by it
/// shows a low fraction and the report names the model's binding resource for what it is.
package struct WorkModel: Sendable {
    /// The bytes of each array the pass reads and of each it writes, one entry per array (a loss
    /// reading input and target of 2^22 floats reads two streams of 16 MiB).
    package var reads: [Double]
    package var writes: [Double]
    /// Operation counts over the whole problem.
    package var operations: [FastYardsticks.Operation: Double]
    /// What the counts assume, in a few words (for the report).
    package var note: String

    package var bytesRead: Double { reads.reduce(0, +) }
    package var bytesWritten: Double { writes.reduce(0, +) }

    package init(reads: [Double], writes: [Double], operations: [FastYardsticks.Operation: Double], note: String) {
        self.reads = reads.filter { $0 > 0 }
        self.writes = writes.filter { $0 > 0 }
        self.operations = operations
        self.note = note
    }

    /// A model that reads one array and writes one.
    package init(bytesRead: Double, bytesWritten: Double, operations: [FastYardsticks.Operation: Double], note: String) {
        self.init(reads: [bytesRead], writes: [bytesWritten], operations: operations, note: note)
    }

    /// The arrays a pass reads and writes, in bytes, as whole numbers: the key of its traffic
    /// yardstick, which reads and writes arrays of exactly these sizes.
    package struct Footprint: Hashable, Sendable, Comparable {
        package var reads: [Int], writes: [Int]

        package init(reads: [Int], writes: [Int]) {
            self.reads = reads
            self.writes = writes
        }

        /// The traffic yardstick's shape in the history, e.g.
        /// "read 16777216+16777216 B, write 16777216 B" ("write 0 B" for a forward pass).
        package var shape: String { "read \(Self.text(reads)) B, write \(Self.text(writes)) B" }

        static func text(_ sizes: [Int]) -> String { sizes.isEmpty ? "0" : sizes.map(String.init).joined(separator: "+") }

        /// The footprint a traffic yardstick's stored shape names; nil for any other shape.
        package init?(shape: String) {
            let parts = shape.split(separator: " ")
            guard parts.count == 6, parts[0] == "read", parts[2] == "B,", parts[3] == "write", parts[5] == "B",
                  let r = Self.sizes(parts[1]), let w = Self.sizes(parts[4]) else { return nil }
            self.init(reads: r, writes: w)
        }

        static func sizes(_ text: Substring) -> [Int]? {
            if text == "0" { return [] }
            let sizes = text.split(separator: "+", omittingEmptySubsequences: false).map { Int($0) }
            guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
            return sizes.map { $0! }
        }

        package static func < (a: Footprint, b: Footprint) -> Bool {
            (a.reads.reduce(0, +), a.writes.reduce(0, +), a.shape) < (b.reads.reduce(0, +), b.writes.reduce(0, +), b.shape)
        }
    }

    package var footprint: Footprint { Footprint(reads: reads.map { Int($0) }, writes: writes.map { Int($0) }) }

    /// The machine's rates, as `bench --roofline` measured them at one thread count.
    package struct Rates: Sendable {
        /// Bytes per nanosecond: reading, writing, and both at once (bytes read plus written).
        package var read: Double, write: Double, copy: Double
        /// Nanoseconds per element.
        package var nsPerOperation: [FastYardsticks.Operation: Double]
        /// Nanoseconds of the traffic yardstick at each footprint measured (`Yardsticks.traffic`):
        /// a pass whose footprint is here has that as its memory time.
        package var traffic: [Footprint: Double]

        package init(read: Double, write: Double, copy: Double, nsPerOperation: [FastYardsticks.Operation: Double],
                     traffic: [Footprint: Double] = [:]) {
            self.read = read
            self.write = write
            self.copy = copy
            self.nsPerOperation = nsPerOperation
            self.traffic = traffic
        }
    }

    /// The bound in nanoseconds, and the resource that sets it: memory traffic and operations are
    /// assumed to overlap (they do in a streaming SIMD loop), so the bound is the larger of the two;
    /// the operations add up, since they share the core's vector units.
    package func bound(_ rates: Rates) -> (ns: Double, binding: String) {
        // The traffic yardstick of the pass's own footprint where the run measured one; otherwise
        // (runs before it) the largest of the three times the bandwidths imply, since reads and
        // writes overlap (the copy yardstick moves more bytes per second than either alone).
        let memory = rates.traffic[footprint]
            ?? max(bytesRead / rates.read, bytesWritten / rates.write, (bytesRead + bytesWritten) / rates.copy)
        var compute = 0.0, largest = ("", 0.0)
        for (op, count) in operations {
            let t = count * (rates.nsPerOperation[op] ?? 0)
            compute += t
            if t > largest.1 { largest = (op.rawValue, t) }
        }
        if memory >= compute {
            return (memory, bytesWritten > bytesRead / 2 ? "memory (write)" : "memory (read)")
        }
        return (compute, largest.0)
    }

    /// The model of `problem`'s `pass` (the benchmark problems of `BenchSuite`).
    package static func of(_ problem: BenchProblem, pass: BenchPass) -> WorkModel {
        of(problem.loss, shape: problem.forward.inputs.values.max { $0.shape.count < $1.shape.count }?.shape ?? [problem.elements], pass: pass)
    }

    /// The model of a `BenchSuite` problem of `loss` whose main input has `shape` (as the history
    /// stores it, e.g. `[4096, 1000]`), from the inputs `BenchSuite.problem` gives that loss.
    package static func of(_ loss: LossKind, shape: [Int], pass: BenchPass) -> WorkModel {
        let n = Double(shape.reduce(1, *))
        let rows = shape.count >= 2 ? Double(shape.dropLast().reduce(1, *)) : n
        let backward = pass == .backward
        let inputs = BenchSuite.floatInputs(loss)
        let floatInputs = Double(inputs.count)
        // Bytes as arrays of the main input's size (4n each) and what is left (indices, row values).
        func streams(_ bytes: Double) -> [Double] {
            let whole = (bytes / (4 * n)).rounded(.down)
            return [Double](repeating: 4 * n, count: Int(whole)) + [bytes - whole * 4 * n]
        }
        func model(read: Double, written: Double, _ ops: [FastYardsticks.Operation: Double], _ note: String) -> WorkModel {
            WorkModel(reads: streams(read), writes: backward ? streams(written) : [], operations: ops, note: note)
        }
        // Gradients: one per differentiable floating-point argument present, each of its input's size.
        let grads = Double(loss.arguments.filter { a in a.isDifferentiable && inputs.contains(a.name) }.count)
        switch loss {
        case .l1Loss, .mseLoss, .huberLoss, .smoothL1Loss, .hingeEmbeddingLoss, .marginRankingLoss:
            return model(read: 4 * floatInputs * n, written: 4 * grads * n, [:], "streams its inputs; no transcendental")
        case .softMarginLoss:
            return model(read: 8 * n, written: 4 * n, backward ? [.exp: n, .log1p: n, .division: n] : [.exp: n, .log1p: n],
                         "log1p(exp(−yx)); the gradient's σ from the same exp, one division")
        case .binaryCrossEntropy:
            // log1p(−x), not log(1 − x): PyTorch's formula, and the only accurate one for small x
            // (1 − x rounds away x's low digits).
            return model(read: 8 * n, written: 8 * n, backward ? [.log: n, .log1p: n, .division: n] : [.log: n, .log1p: n],
                         "log x and log1p(−x); the input gradient one division")
        case .binaryCrossEntropyWithLogits:
            return model(read: 8 * n, written: 8 * n, backward ? [.exp: n, .log1p: n, .division: n] : [.exp: n, .log1p: n],
                         "softplus: exp(−|x|), log1p; σ for the gradient from the same exp, one division")
        case .poissonNLLLoss:
            return model(read: 8 * n, written: 8 * n, [.exp: n], "exp(x) − yx (log_input)")
        case .gaussianNLLLoss:
            return model(read: 12 * n, written: 12 * n, [.log: n, .division: n], "log var and one division per element")
        case .klDiv:
            return model(read: 8 * n, written: 8 * n, [.log: n], "t (log t − x)")
        case .multilabelSoftMarginLoss:
            return model(read: 8 * n, written: 8 * n, backward ? [.exp: n, .log1p: n, .division: n] : [.exp: n, .log1p: n],
                         "log σ(±x) share one softplus per element")
        case .crossEntropy:
            return model(read: 4 * n + 8 * rows, written: 4 * n, backward ? [.exp: n, .log: rows, .division: rows] : [.exp: n, .log: rows],
                         "an exp per score (softmax), a log per row")
        case .nllLoss:
            // The forward gathers one score per row (a 64-byte line each); the gradient is a zero fill with one store per row.
            return WorkModel(reads: [8 * rows, 64 * rows], writes: backward ? [4 * n] : [], operations: [:],
                             note: "gathers one score per row; the gradient is a fill")
        case .multiMarginLoss:
            return model(read: 4 * n + 8 * rows, written: 4 * n, [:], "one pass over the scores; no transcendental")
        case .multilabelMarginLoss:
            return model(read: 12 * n, written: 4 * n, [:], "scores and int64 labels; the label × class comparisons are not modelled")
        case .cosineEmbeddingLoss:
            return model(read: 8 * n + 8 * rows, written: 8 * n, [.division: rows], "two rows per pair; one division per row")
        case .tripletMarginLoss, .tripletMarginWithDistanceLoss:
            return model(read: 12 * n, written: 12 * n, [.division: backward ? 2 * rows : 0], "three rows per triplet")
        case .ctcLoss:
            // α (and for the gradient β) over T × N × (2L + 1) states, a log-sum-exp of up to three terms each.
            let labels = Double(BenchSuite.ctcLabels)
            let states = Double(shape.count == 3 ? shape[0] * shape[1] : 1) * (2 * labels + 1)
            let passes: Double = backward ? 2 : 1
            var ops: [FastYardsticks.Operation: Double] = [.exp: 2 * states * passes, .log1p: states * passes]
            if backward { ops[.exp, default: 0] += n }
            return model(read: 4 * n, written: 4 * n, ops, "α (β) recursion: two exps and a log1p per state; exp per gradient element")
        }
    }
}

/// Fast's measurements of one run held against the roofline measured in it: what the bench
/// summary and performance.md both show.
package enum Roofline {
    /// One measurement against its bound.
    package struct Row: Sendable {
        package var loss: String, pass: String, shape: String
        package var boundNs: Double, medianNs: Double
        /// The resource that sets the bound: "memory (read)", "memory (write)" or an operation.
        package var binding: String
        package var model: WorkModel
        package var fraction: Double { boundNs / medianNs }
    }

    /// The rates of the run's `roofline` measurements at `threads`, and a row for each of Fast's
    /// standard-suite measurements (loss, pass, shape as stored, median); nil without a roofline.
    package static func evaluate(machine: [(loss: String, shape: String, elements: Int, threads: Int, medianNs: Double)],
                                 fast: [(loss: String, pass: String, shape: String, medianNs: Double)],
                                 threads: Int) -> (rates: WorkModel.Rates, rows: [Row])? {
        guard let rates = Benchmark.rooflineRates(machine, threads: threads) else { return nil }
        let rows = fast.compactMap { m -> Row? in
            guard let pass = BenchPass(rawValue: m.pass), let dims = BenchSuite.dimensions(m.shape),
                  let loss = try? LossKind(name: m.loss) else { return nil }
            let model = WorkModel.of(loss, shape: dims, pass: pass)
            let (bound, binding) = model.bound(rates)
            return Row(loss: m.loss, pass: m.pass, shape: m.shape, boundNs: bound, medianNs: m.medianNs, binding: binding, model: model)
        }
        return (rates, rows)
    }

    /// `evaluate` of one recorded run's measurements: its `roofline` suite and Fast's standard
    /// suite (what performance.md and `gate --min-roofline` hold against each other).
    package static func evaluate(_ run: [MeasurementRecord], threads: Int) -> (rates: WorkModel.Rates, rows: [Row])? {
        evaluate(machine: run.filter { $0.suite == "roofline" }
                     .map { (loss: $0.loss, shape: $0.shape, elements: $0.elements, threads: $0.threads, medianNs: $0.medianNs) },
                 fast: run.filter { $0.suite == "standard" && $0.impl == "fast" }
                     .map { (loss: $0.loss, pass: $0.pass, shape: $0.shape, medianNs: $0.medianNs) },
                 threads: threads)
    }

    /// "read 33.7 GB/s, write 29.1 GB/s, read+write 35.7 GB/s, exp 0.347 ns, … per element".
    package static func ratesLine(_ rates: WorkModel.Rates) -> String {
        var out = String(format: "read %.1f GB/s, write %.1f GB/s, read+write %.1f GB/s", rates.read, rates.write, rates.copy)
        for op in FastYardsticks.Operation.allCases { if let t = rates.nsPerOperation[op] { out += String(format: ", %@ %.3f ns", op.rawValue, t) } }
        return out + " per element"
    }
}
