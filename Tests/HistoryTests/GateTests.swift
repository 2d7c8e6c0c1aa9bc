import Foundation
import Testing
@testable import History

@Suite struct MannWhitneyTests {
    @Test func matchesTheTextbookNormalApproximation() {
        // scipy.stats.mannwhitneyu([1..5], [6..10], alternative='less', method='asymptotic') → p = 0.00609
        let r = MannWhitney.test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        #expect(r.u == 25)
        #expect(abs(r.pGreater - 0.00609) < 5e-5)
        #expect(r.pLess > 0.99)
        #expect(abs(r.pTwoSided - 0.01218) < 1e-4)
    }

    @Test func tiesAreCorrected() {
        // All values equal: no evidence either way.
        let r = MannWhitney.test([3, 3, 3], [3, 3, 3])
        #expect(r.pGreater == 1 && r.pLess == 1)
        // Ties shrink the variance, so the same U is more significant than without the correction.
        let tied = MannWhitney.test([1, 1, 1, 2, 2], [2, 3, 3, 3, 3])
        #expect(tied.u == 24)
        #expect(tied.pGreater < 0.01)
    }
}

@Suite struct GateRuleTests {
    func judge(_ baseline: [MeasurementInput], _ current: [MeasurementInput], _ settings: GateSettings = GateSettings()) -> [GateComparison] {
        func stored(_ ms: [MeasurementInput]) -> [StoredMeasurement] {
            ms.enumerated().map { i, m in
                let record = MeasurementRecord(
                    id: Int64(i), runID: 1, suite: m.suite, loss: m.loss, impl: m.impl, pass: m.pass, shape: m.shape,
                    elements: m.elements, threads: m.threads, sampleCount: m.samples.count, medianNs: Stats.median(m.samples),
                    minNs: m.samples.min()!, p25Ns: 0, p75Ns: 0, calibrationMedianNs: Stats.median(m.calibration),
                    normalizedMedian: Stats.median(m.samples) / Stats.median(m.calibration))
                let samples = zip(m.samples, m.calibration).enumerated().map { j, p in
                    SampleRecord(measurementID: Int64(i), seq: j, ns: p.0, calibrationNs: p.1)
                }
                return StoredMeasurement(record: record, samples: samples)
            }
        }
        return Gate.compare(baseline: stored(baseline), current: stored(current), settings: settings)
    }

    @Test(arguments: 1...10 as ClosedRange<UInt64>)
    func flagsASynthetic30PercentSlowdown(seed: UInt64) {
        let result = judge(syntheticRun(seed: seed), syntheticRun(seed: seed + 1000, slowdown: 1.3))
        #expect(result.count == 4)
        #expect(result.allSatisfy { $0.verdict == .regression }, "\(result.map { ($0.benchmark.description, $0.ratio!, $0.pValue!) })")
    }

    @Test func flagsOnlyTheSlowBenchmark() {
        let result = judge(syntheticRun(seed: 7), syntheticRun(seed: 8, slowdown: 1.3, slowLoss: "cross_entropy"))
        #expect(result.filter { $0.verdict == .regression }.map(\.benchmark.loss) == ["cross_entropy", "cross_entropy"])
    }

    @Test func neverFlagsTenRepeatedSameCodeComparisons() {
        for seed in 1...10 as ClosedRange<UInt64> {
            let result = judge(syntheticRun(seed: 100 + seed), syntheticRun(seed: 200 + seed))
            #expect(result.allSatisfy { $0.verdict == .unchanged }, "seed \(seed): \(result.map { ($0.verdict, $0.ratio!) })")
        }
    }

    @Test func aMachineThatIsSlowerAsAWholeIsNoRegressionAfterCalibration() {
        let slowMachine = syntheticRun(seed: 31, machineSlowdown: 1.3)
        #expect(judge(syntheticRun(seed: 30), slowMachine).allSatisfy { $0.verdict == .unchanged })
        var raw = GateSettings()
        raw.normalize = false
        #expect(judge(syntheticRun(seed: 30), slowMachine, raw).allSatisfy { $0.verdict == .regression })
    }

    @Test func aSmallSignificantChangeBelowTheThresholdPasses() {
        let result = judge(syntheticRun(seed: 40, n: 100), syntheticRun(seed: 41, slowdown: 1.05, n: 100))
        #expect(result.allSatisfy { $0.verdict == .unchanged })
        #expect(result.contains { $0.pValue! < 0.01 })  // detected, but under 10%
    }

    @Test func speedupsAreImprovementsAndMissingBenchmarksAreReported() {
        var current = syntheticRun(seed: 51, slowdown: 0.6)
        current.removeLast()
        let result = judge(syntheticRun(seed: 50), current)
        #expect(result.filter { $0.verdict == .improvement }.count == 3)
        #expect(result.filter { $0.verdict == .missing }.count == 1)
    }
}
