import Foundation
import Testing
@testable import History
@testable import Reporting

/// A headless Chromium from the distribution's packages (`.ci/run` installs one), or
/// `LOSSBENCH_CHROMIUM`.
let chromium: String? = {
    if let given = ProcessInfo.processInfo.environment["LOSSBENCH_CHROMIUM"], !given.isEmpty { return given }
    return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/snap/bin/chromium"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The dashboard in a real browser: it loads without a script error or console error, and draws
/// every chart and point of a history of many runs, on two machines, with the filters applied.
@Suite(.serialized, .enabled(if: chromium != nil,
                             "no Chromium found (apt install chromium, or set LOSSBENCH_CHROMIUM): the dashboard's browser tests are skipped"))
struct DashboardTests {
    let dir: String = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    static let here = MachineKey(cpuModel: "Test CPU", cores: 2, memoryGib: 24, os: "Linux", arch: "x86_64")
    static let there = MachineKey(cpuModel: "Other CPU", cores: 64, memoryGib: 256, os: "Linux", arch: "aarch64")

    /// `runs` runs on this machine (the latest ones) after 5 on another: 3 losses × 3 implementations
    /// × 2 passes, with a slowdown of mse_loss in the last run, so the gate has a regression.
    func history(runs: Int) throws -> HistoryDatabase {
        let db = try HistoryDatabase.openForWriting(dir + "/history.sqlite")
        var seed: UInt64 = 7
        func jitter() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return 0.97 + 0.06 * Double(seed >> 11) * 0x1p-53
        }
        for i in 0..<(runs + 5) {
            let machine = i < 5 ? Self.there : Self.here
            var ms: [MeasurementInput] = []
            for (loss, base) in [("mse_loss", 1.0), ("cross_entropy", 3.0), ("ctc_loss", 2.0)] {
                for (impl, factor) in [("fast", 1.0), ("reference", 30.0), ("port:torch-f32", 4.0)] {
                    for pass in ["forward", "backward"] {
                        let slow = loss == "mse_loss" && impl == "fast" && i == runs + 4 ? 1.5 : 1
                        let t = base * factor * (pass == "backward" ? 2 : 1) * slow * 1e6
                        ms.append(MeasurementInput(suite: "standard", loss: loss, impl: impl, pass: pass, shape: "[4194304]", elements: 1 << 22,
                                                   threads: impl == "fast" ? (i % 2 == 0 ? 2 : 1) : 1,
                                                   samples: (0..<12).map { _ in t * jitter() }, calibration: (0..<12).map { _ in 4e5 * jitter() }))
                    }
                }
            }
            let run = RunRecord(machine: machine, variant: RunVariant(threads: 2, gitCommit: String(format: "%040x", i), gitDirty: false, label: "run-\(i)"),
                                startedAt: String(format: "2025-06-%02dT%02d:00:00Z", 1 + i / 24, i % 24))
            try db.record(run, ms)
        }
        return db
    }

    /// Loads the page headless: the DOM after the scripts ran, and Chromium's log.
    func load(_ url: String) throws -> (dom: String, log: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(dir)/profile",
                       "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let dom = out.fileHandleForReading.readDataToEndOfFile(), log = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(decoding: dom, as: UTF8.self), String(decoding: log, as: UTF8.self))
    }

    func attribute(_ name: String, in dom: String) -> String? {
        guard let r = dom.range(of: "\(name)=\"") else { return nil }
        return String(dom[r.upperBound...].prefix { $0 != "\"" })
    }

    func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }.map(String.init)
    }

    @Test func rendersManyRunsWithoutErrors() throws {
        let runs = 60
        let db = try history(runs: runs)
        let page = dir + "/index.html"
        try Dashboard.build(db, conformance: nil, generated: "2025-06-04T00:00:00Z", command: "lossbench report --html x")
            .write(toFile: page, atomically: true, encoding: .utf8)
        let (dom, log) = try load("file://" + page)
        #expect(consoleErrors(log).isEmpty, "\(consoleErrors(log))")
        #expect(attribute("data-status", in: dom) == "ok", "\(dom.suffix(2000))")
        #expect(dom.contains("<pre id=\"errors\"></pre>"))
        // The latest machine, forward pass, all thread counts: 3 charts of 3 implementations × 60 runs.
        #expect(attribute("data-charts", in: dom) == "3")
        #expect(attribute("data-pass", in: dom) == "forward")
        #expect(attribute("data-points", in: dom) == String(3 * 3 * runs))
        #expect(dom.contains("id=\"chart-mse_loss-forward\"") && dom.contains("<polyline"))
        // The gate found the planted slowdown and links it to its chart; the peers table has the port.
        #expect(dom.contains("href=\"#chart-mse_loss-backward\"") && dom.contains("class=\"regression\""), "\(dom.prefix(3000))")
        #expect(dom.contains("port:torch-f32 ms"))
    }

    /// A link to a forward+backward chart (the gate's) switches the pass filter to it.
    @Test func aChartLinkSelectsItsPass() throws {
        let db = try history(runs: 6)
        let page = dir + "/index.html"
        try Dashboard.build(db, conformance: nil, generated: "now", command: "c").write(toFile: page, atomically: true, encoding: .utf8)
        let (dom, log) = try load("file://" + page + "#chart-mse_loss-backward")
        #expect(consoleErrors(log).isEmpty, "\(consoleErrors(log))")
        #expect(attribute("data-pass", in: dom) == "backward")
        #expect(dom.contains("id=\"chart-mse_loss-backward\""))
    }

    /// The check can fail: a page whose data is broken reports the error in the DOM and the log.
    @Test func aBrokenPageIsCaught() throws {
        let page = dir + "/broken.html"
        try Dashboard.page.replacingOccurrences(of: "/*DATA*/", with: "{not json").write(toFile: page, atomically: true, encoding: .utf8)
        let (dom, log) = try load("file://" + page)
        #expect(attribute("data-status", in: dom) == "error" || !consoleErrors(log).isEmpty, "\(dom.suffix(500)) \(log.suffix(500))")
    }
}
