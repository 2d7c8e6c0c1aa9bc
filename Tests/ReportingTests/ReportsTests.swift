import Conformance
import Generator
import GoldenStore
import Implementations
import LossSpec
import Testing
@testable import Reporting

@Suite struct ConformanceReportTests {
    /// conformance.md names Fast's worst case of every loss, the one with the largest error.
    @Test func namesFastsWorstCases() throws {
        let cases = try Generator.generate(seed: 5, losses: [.huberLoss, .nllLoss])
        let file = GoldenFile(meta: ["seed": "5"], cases: cases)
        let report = Checker.run(file, database: "c.sqlite", implementations: Builtins.all)
        let md = ConformanceReport.markdown(report, meta: file.meta, implementations: Builtins.all.map(\.name))
        let section = md.components(separatedBy: "## Fast's worst case per loss").last ?? ""
        #expect(md.contains("## Fast's worst case per loss"))
        for loss in ["huber_loss", "nll_loss"] {
            let worst = report.outcomes.filter { $0.loss == loss && $0.implementation == "fast" && $0.worst != nil }
                .max { $0.maxError < $1.maxError }
            #expect(section.contains("| \(loss) | `\(worst!.caseName)` |"))
        }
        #expect(md.contains("| huber_loss | \(cases.filter { $0.loss == "huber_loss" }.count) |"))
    }
}

@Suite struct HostileHistoryTests {
    /// Chart file names come from loss names in the history: they never leave the charts folder.
    @Test(arguments: ["/../../../e1", "../x", "a/b", ".", "..", "", "x\u{0}y", "evil.svg"])
    func chartNamesStayInTheChartsFolder(_ loss: String) {
        let name = PerformanceReport.chartName(loss)
        #expect(!name.isEmpty && !name.contains("/") && !name.contains(".") && !name.contains("\u{0}"))
    }

    @Test func realLossNamesAreUnchangedAndDistinctHostileNamesStayDistinct() {
        for kind in LossKind.allCases { #expect(PerformanceReport.chartName(kind.rawValue) == kind.rawValue) }
        #expect(PerformanceReport.chartName("a/b") != PerformanceReport.chartName("a.b"))
    }

    /// A finite value near Double's limit (a speedup of 1e308) used to trap in `Int(inf)`.
    @Test(arguments: [true, false])
    func axesOfExtremeValuesDoNotTrap(_ log: Bool) {
        for values in [[1e308, 1], [Double.greatestFiniteMagnitude], [-Double.greatestFiniteMagnitude, 1e308], [Double.leastNonzeroMagnitude, 1]] {
            let r = SVGChart.range(values, log: log, fixed: nil)
            #expect(r.lo.isFinite && r.hi.isFinite && r.lo < r.hi)
        }
    }
}

@Suite struct SVGChartTests {
    @Test func logAxesHaveDecadeTicks() {
        let svg = SVGChart.lineChart(
            title: "t", x: .init(label: "elements", log: true), y: .init(label: "ms", log: true),
            series: [.init(name: "a", points: [(x: 1024.0, y: 0.02), (x: 1048576.0, y: 30.0)], color: 0)])
        for label in ["1000", "10000", "10⁵", "10⁶", "10⁷", "0.01", "0.1", "1", "10", "100"] {
            #expect(svg.contains(">\(label)</text>"), "missing tick \(label)")
        }
    }
}
