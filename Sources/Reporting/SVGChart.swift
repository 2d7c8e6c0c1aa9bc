import Foundation
import History
import Markup

/// Hand-written SVG charts: a title, labelled axes with units, decade ticks on log axes, a legend.
package enum SVGChart {
    package struct Series: Sendable {
        package var name: String
        package var points: [(x: Double, y: Double)]
        /// Index into the palette; series that share it share a colour.
        package var color: Int
        package var dashed = false

        package init(name: String, points: [(x: Double, y: Double)], color: Int, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
        }
    }

    package struct Axis: Sendable {
        package var label: String
        package var log: Bool
        /// Fixed tick labels (value, text) instead of computed ones, e.g. run numbers.
        package var ticks: [(Double, String)]?

        package init(label: String, log: Bool, ticks: [(Double, String)]? = nil) {
            self.label = label
            self.log = log
            self.ticks = ticks
        }
    }

    /// Colour-blind-friendly palette (Okabe–Ito, then Tableau).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B",
                          "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD"]

    static func color(_ i: Int) -> String { palette[i % palette.count] }
    static let font = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""

    /// A line chart with markers. `legendTitle` heads the legend; `notes` are extra legend lines.
    package static func lineChart(title: String, subtitle: String? = nil, x: Axis, y: Axis, series: [Series],
                                 notes: [(text: String, dashed: Bool)] = []) -> String {
        let legendWidth = 300.0
        let width = 1040.0, height = 580.0
        let plot = (left: 90.0, top: subtitle == nil ? 60.0 : 78.0, right: width - legendWidth - 20, bottom: height - 70)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xr = range(xs, log: x.log, fixed: x.ticks), yr = range(ys, log: y.log, fixed: nil)
        func px(_ v: Double) -> Double { plot.left + (plot.right - plot.left) * xr.fraction(v) }
        func py(_ v: Double) -> Double { plot.bottom - (plot.bottom - plot.top) * yr.fraction(v) }

        var svg = open(width, height, title: title, subtitle: subtitle)
        svg += frameAndTicks(plot: plot, x: x, y: y, xr: xr, yr: yr, px: px, py: py)
        for s in series where !s.points.isEmpty {
            let path = s.points.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color(s.color))\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"7,4\"" : "")/>\n"
            for p in s.points {
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%@\"/>\n", px(p.x), py(p.y), color(s.color))
            }
        }
        // Legend.
        var ly = plot.top + 6
        let lx = plot.right + 24
        for s in series where !s.points.isEmpty {
            svg += "<line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 28)\" y2=\"\(ly)\" stroke=\"\(color(s.color))\" stroke-width=\"2.5\"\(s.dashed ? " stroke-dasharray=\"7,4\"" : "")/>\n"
            svg += "<text x=\"\(lx + 36)\" y=\"\(ly + 4.5)\" font-size=\"13\" \(font)>\(escape(s.name))</text>\n"
            ly += 21
        }
        for n in notes {
            ly += 6
            svg += "<text x=\"\(lx)\" y=\"\(ly + 4.5)\" font-size=\"12\" fill=\"#444\" \(font)>\(escape(n.text))</text>\n"
            ly += 16
        }
        return svg + "</svg>\n"
    }

    /// Horizontal grouped bars on a log axis (e.g. speedups per loss, forward and backward).
    package static func barChart(title: String, subtitle: String? = nil, valueAxis: Axis, categories: [String],
                                groups: [(name: String, values: [Double?])], reference: Double? = nil) -> String {
        let barHeight = 11.0, gap = 10.0
        let rowHeight = Double(groups.count) * barHeight + gap
        let top = subtitle == nil ? 90.0 : 108.0
        let height = top + Double(categories.count) * rowHeight + 70
        let width = 960.0
        let plot = (left: 270.0, top: top, right: width - 40, bottom: top + Double(categories.count) * rowHeight)
        let values = groups.flatMap { $0.values.compactMap { $0 } } + (reference.map { [$0] } ?? [])
        let vr = range(values, log: valueAxis.log, fixed: nil, includeZero: !valueAxis.log)
        func px(_ v: Double) -> Double { plot.left + (plot.right - plot.left) * vr.fraction(v) }

        var svg = open(width, height, title: title, subtitle: subtitle)
        // Value ticks and grid.
        for (v, label) in vr.ticks {
            let x = px(v)
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x, plot.top, x, plot.bottom)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" %@>%@</text>\n", x, plot.bottom + 18, font, escape(label))
        }
        for (v, _) in vr.minorTicks {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", px(v), plot.bottom, px(v), plot.bottom + 4)
        }
        let base = valueAxis.log ? (reference ?? vr.lo) : 0
        for (ci, category) in categories.enumerated() {
            let y0 = plot.top + Double(ci) * rowHeight + gap / 2
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"end\" %@>%@</text>\n",
                          plot.left - 8, y0 + rowHeight / 2, font, escape(category))
            if groups.allSatisfy({ $0.values[ci] == nil }) {
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#777\" %@>no measurement of both implementations</text>\n",
                              plot.left + 8, y0 + rowHeight / 2, font)
            }
            for (gi, g) in groups.enumerated() {
                guard let v = g.values[ci] else { continue }
                let y = y0 + Double(gi) * barHeight
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>\n",
                              min(px(base), px(v)), y, max(1, abs(px(v) - px(base))), barHeight - 1, color(gi))
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" %@>%@</text>\n",
                              px(v) + 4, y + barHeight - 2.5, font, String(format: v >= 10 ? "%.0f×" : "%.1f×", v))
            }
        }
        if let reference {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-dasharray=\"4,3\"/>\n",
                          px(reference), plot.top - 4, px(reference), plot.bottom)
        }
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
                      plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\" %@>%@</text>\n",
                      (plot.left + plot.right) / 2, plot.bottom + 44, font, escape(valueAxis.label))
        // Legend above the plot.
        var lx = plot.left
        for (gi, g) in groups.enumerated() {
            svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%@\"/>\n", lx, plot.top - 28, color(gi))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" %@>%@</text>\n", lx + 20, plot.top - 18, font, escape(g.name))
            lx += 40 + Double(g.name.count) * 7.5
        }
        if reference != nil {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#444\" %@>dashed line: 1× (no speedup)</text>\n", lx + 10, plot.top - 18, font)
        }
        return svg + "</svg>\n"
    }

    // MARK: Pieces

    static func open(_ width: Double, _ height: Double, title: String, subtitle: String?) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"30\" font-size=\"19\" font-weight=\"bold\" text-anchor=\"middle\" \(font)>\(escape(title))</text>\n"
        if let subtitle {
            s += "<text x=\"\(width / 2)\" y=\"52\" font-size=\"13\" fill=\"#444\" text-anchor=\"middle\" \(font)>\(escape(subtitle))</text>\n"
        }
        return s
    }

    static func frameAndTicks(plot: (left: Double, top: Double, right: Double, bottom: Double), x: Axis, y: Axis,
                              xr: AxisRange, yr: AxisRange, px: (Double) -> Double, py: (Double) -> Double) -> String {
        var s = ""
        for (v, label) in x.ticks ?? xr.ticks {
            let X = px(v)
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", X, plot.top, X, plot.bottom)
            let lines = label.split(separator: "\n")
            for (i, line) in lines.enumerated() {
                s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" %@>%@</text>\n",
                            X, plot.bottom + 18 + Double(i) * 14, font, escape(String(line)))
            }
        }
        for (v, label) in yr.ticks {
            let Y = py(v)
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n", plot.left, Y, plot.right, Y)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" %@>%@</text>\n", plot.left - 6, Y + 4, font, escape(label))
        }
        if x.ticks == nil {
            for (v, _) in xr.minorTicks {
                s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", px(v), plot.bottom, px(v), plot.bottom - 4)
            }
        }
        for (v, _) in yr.minorTicks {
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", plot.left, py(v), plot.left + 4, py(v))
        }
        s += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
                    plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top)
        s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\" %@>%@</text>\n",
                    (plot.left + plot.right) / 2, plot.bottom + (x.ticks == nil ? 50 : 58), font, escape(x.label))
        let cy = (plot.top + plot.bottom) / 2
        s += String(format: "<text x=\"22\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 22 %.1f)\" %@>%@</text>\n",
                    cy, cy, font, escape(y.label))
        return s
    }

    /// The visible range of an axis and its ticks: decades (with 2…9 minor ticks) on a log axis,
    /// 1-2-5 steps on a linear one.
    struct AxisRange {
        var lo: Double
        var hi: Double
        var log: Bool
        var ticks: [(Double, String)]
        var minorTicks: [(Double, String)]

        func fraction(_ v: Double) -> Double {
            guard hi > lo else { return 0.5 }
            return log ? (Foundation.log10(v) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) : (v - lo) / (hi - lo)
        }
    }

    static func range(_ values: [Double], log: Bool, fixed: [(Double, String)]?, includeZero: Bool = false) -> AxisRange {
        // Clamped to ±1e300 (and 1e-300 on a log axis): a finite value near Double's limits from a
        // hostile history would push a tick decade to infinity and trap in Int(_:).
        var vs = values.filter { $0.isFinite && (!log || $0 > 0) }
            .map { Swift.min(Swift.max($0, log ? 1e-300 : -1e300), 1e300) }
        if let fixed { vs += fixed.map(\.0) }
        if vs.isEmpty { vs = log ? [1, 10] : [0, 1] }
        if includeZero { vs.append(0) }
        var lo = vs.min()!, hi = vs.max()!
        if let fixed, !fixed.isEmpty {
            let pad = max((hi - lo) * 0.05, 0.5)
            return AxisRange(lo: lo - pad, hi: hi + pad, log: false, ticks: fixed, minorTicks: [])
        }
        if log {
            let d0 = Foundation.floor(Foundation.log10(lo)), d1 = Foundation.ceil(Foundation.log10(hi))
            lo = pow(10, d0)
            hi = pow(10, max(d1, d0 + 1))
            let decades = Array(Int(d0)...Int(Foundation.log10(hi).rounded()))
            var ticks = decades.map { (pow(10, Double($0)), decadeLabel($0)) }
            var minor = decades.dropLast().flatMap { d in (2...9).map { (Double($0) * pow(10, Double(d)), "") } }
            if decades.count <= 3 {
                // Few decades: label 2× and 5× as well, so the axis can be read.
                let labelled = minor.filter { v, _ in [2.0, 5.0].contains { abs(v / pow(10, Foundation.floor(Foundation.log10(v))) - $0) < 1e-9 } }
                ticks += labelled.map { ($0.0, trimmed($0.0)) }
                minor = minor.filter { m in !labelled.contains { $0.0 == m.0 } }
            }
            return AxisRange(lo: lo, hi: hi, log: true, ticks: ticks, minorTicks: minor)
        }
        // A flat series gets a span of its own size (1 near 0): `lo + 1` is `lo` again above 2^53.
        if !(hi > lo) { hi = lo + Swift.max(1, abs(lo) * 0.1) }
        let raw = (hi - lo) / 6
        let mag = pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        guard step > 0, step.isFinite, (hi - lo) / step < 100 else {
            return AxisRange(lo: lo, hi: hi, log: false, ticks: [(lo, trimmed(lo)), (hi, trimmed(hi))], minorTicks: [])
        }
        lo = Foundation.floor(lo / step) * step
        hi = Foundation.ceil(hi / step) * step
        let ticks = stride(from: lo, through: hi + step / 2, by: step).map { ($0, trimmed($0)) }
        return AxisRange(lo: lo, hi: hi, log: false, ticks: ticks, minorTicks: [])
    }

    /// 10^k as a plain number where short (0.01 … 10000), else with a superscript exponent.
    static func decadeLabel(_ k: Int) -> String {
        if (-2...4).contains(k) { return trimmed(pow(10, Double(k))) }
        let sup: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶",
                                           "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return "10" + String(String(k).map { sup[$0] ?? $0 })
    }

    static func trimmed(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    static func escape(_ s: String) -> String { XML.escape(s) }
}
