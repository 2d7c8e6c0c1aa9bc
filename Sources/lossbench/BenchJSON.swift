import Benchmarking

/// `lossbench bench --json`: one line per measurement (a documented contract, Docs/CLI.md: keep
/// every key). Times are nanoseconds rounded to integers; `samples` is the sample count and `raw_ns`
/// the samples in the order taken.
struct BenchJSON: Codable, Equatable {
    var loss: String
    var impl: String
    var pass: BenchPass
    var shape: String
    var elements: Int
    var threads: Int
    var medianNs: Double
    var minNs: Double
    var p25Ns: Double
    var p75Ns: Double
    var samples: Int
    var calibrationMedianNs: Double
    var rawNs: [Double]

    enum CodingKeys: String, CodingKey {
        case loss, impl, pass, shape, elements, threads, samples
        case medianNs = "median_ns", minNs = "min_ns", p25Ns = "p25_ns", p75Ns = "p75_ns"
        case calibrationMedianNs = "calibration_median_ns", rawNs = "raw_ns"
    }
}

extension BenchJSON {
    init(_ m: BenchMeasurement) {
        loss = m.loss
        impl = m.impl
        pass = m.pass
        shape = m.shape
        elements = m.elements
        threads = m.threads
        medianNs = m.median.rounded()
        minNs = m.min.rounded()
        p25Ns = Stats.quantile(m.samples, 0.25).rounded()
        p75Ns = Stats.quantile(m.samples, 0.75).rounded()
        samples = m.samples.count
        calibrationMedianNs = m.calibrationMedian.rounded()
        rawNs = m.samples.map { $0.rounded() }
    }

    static func line(_ m: BenchMeasurement) -> String { JSONOutput.line(BenchJSON(m)) }
}
