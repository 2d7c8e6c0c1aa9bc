import Conformance
import Generator
import GoldenStore
import Implementations
import LossSpec
import Reference
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

/// ports.md: the matrix counts each status and each way an error case can go, a failure no
/// manifest declares is listed as untriaged, and a declared one with its triage and reproduction.
@Suite struct PortsReportTests {
    @Test func matrixAndTriage() throws {
        let cases = try Generator.generate(seed: 3, losses: [.mseLoss, .l1Loss])
        let errorCase = cases.first { $0.loss == "mse_loss" && $0.expectError != nil }!
        let valid = cases.filter { $0.loss == "mse_loss" && $0.expectError == nil }
        let (bad, known) = (valid[0].name, valid[1].name)
        // Which case is which is decided by name, so the implementation wraps the Reference per case.
        let byName = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0) })
        let impl = ClosureImplementation(name: "port:planted", computeType: .float64) { c in
            let name = byName.first { (try? $0.value.lossCase())?.inputs == c.inputs && $0.value.loss == c.loss.rawValue && $0.value.options == c.options }?.key
            if name == errorCase.name { return LossResult(outputs: ["output": Tensor(scalar: 0)]) }
            var r = try Reference.evaluate(c)
            if name == bad || name == known { r.outputs["output"] = r.outputs["output"]!.map { $0 + 1 } }
            return r
        }
        struct Declaring: Implementation {
            let inner: ClosureImplementation, known: String
            var name: String { inner.name }
            var computeType: ComputeType { .float64 }
            func evaluate(_ c: LossCase) throws -> LossResult { try inner.evaluate(c) }
            func expectedFailure(caseName: String) -> String? { caseName == known ? "a known bug" : nil }
            func isComposed(_ loss: LossKind) -> Bool { loss == .l1Loss }
        }
        let file = GoldenFile(meta: ["content_sha256": "abcdef0123456789"], cases: cases)
        let report = Checker.run(file, database: "g.sqlite", implementations: [Declaring(inner: impl, known: known)])
        let port = PortsReport.Port(name: "port:planted", framework: "none 1.0", dtype: "float64", device: "cpu",
                                    description: "planted defects", install: "nothing", composed: ["l1_loss"],
                                    expectedFailures: [ExpectedFailure(pattern: known, reason: "a known bug", triage: .portDefect,
                                                                       reproduction: "import x\nprint(x.bug())")],
                                    widenedBudgets: [("mse_loss", 99, "measured")])
        let md = PortsReport.markdown(report, golden: file, ports: [port], machine: "m", date: "2026-12-03",
                                      command: "lossbench report --ports port:planted", speed: nil, lossBenchDefects: nil)
        let mseRow = md.split(separator: "\n").first { $0.hasPrefix("| mse_loss |") }.map(String.init) ?? ""
        let mseCases = cases.filter { $0.loss == "mse_loss" }
        let mseErrors = mseCases.filter { $0.expectError != nil }.count
        #expect(mseRow.contains("\(mseCases.count - 3)/\(mseCases.count)"), "\(mseRow)")
        #expect(mseRow.contains("**2 F**") && mseRow.contains("1 X"), "\(mseRow)")
        #expect(mseRow.contains("errors \(mseErrors - 1)/\(mseErrors) (1 s)"), "\(mseRow)")
        #expect(md.split(separator: "\n").first { $0.hasPrefix("| l1_loss |") }?.contains("*composed*") == true)
        #expect(md.contains("**Untriaged: 2**"))
        #expect(md.contains("`\(bad)`") && md.contains("`\(errorCase.name)`"))
        #expect(md.contains("**port defect**") && md.contains("  import x\n  print(x.bug())"))
        #expect(md.contains("| port:planted | mse_loss | 99 | measured |"))
        #expect(md.contains("No bench run in the history has timed a port"))
        #expect(md.contains("<summary>Worst element per loss</summary>") && md.contains("| mse_loss | `"))
    }
}
