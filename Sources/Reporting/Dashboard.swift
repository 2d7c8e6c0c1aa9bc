import Conformance
import Foundation
import History

/// The dashboard: one static, self-contained HTML page (`index.html`) over the history, for a
/// team to look at instead of reading tables. No server and no CDN: the data is embedded as JSON
/// and drawn by a small inline script into SVG, so the page works offline and as GitHub Pages.
///
/// - a trend chart per loss and pass, one line per implementation, over the runs in time order,
///   log-scaled (implementations differ by 100×); hovering a point shows its run, commit, date,
///   label, median and spread (p25–p75);
/// - filters: machine (times compare only within one), Fast's thread count, the pass, and the
///   measure (median ms, or calibration-normalized median);
/// - the latest run's Fast-vs-peers table (every other implementation's median over Fast's);
/// - the gate's verdicts for the latest run against the one before it on its machine, each
///   regression linking to its chart (`#chart-LOSS-PASS`, the anchor `gate --dashboard` uses);
/// - the conformance summary of the golden check, when the report ran one.
package enum Dashboard {
    /// The anchor of a loss's chart for one pass, shared with the gate's summary links.
    package static func anchor(loss: String, pass: String) -> String { Gate.dashboardAnchor(loss: loss, pass: pass) }

    struct Payload: Encodable {
        struct Run: Encodable {
            var id: Int64, date: String, commit: String, dirty: Bool, label: String, machine: String, threads: Int, build: String
        }
        struct Point: Encodable {
            var run: Int64, loss: String, impl: String, pass: String, shape: String, threads: Int
            var median: Double, p25: Double, p75: Double, normalized: Double, samples: Int
        }
        struct Verdict: Encodable {
            var verdict: String, loss: String, impl: String, pass: String, shape: String
            var ratio: Double?, p: Double?, baseline: Double?, current: Double?
        }
        struct Gate: Encodable {
            var current: Int64, baseline: Int64, machine: String, threshold: Double, alpha: Double, verdicts: [Verdict]
        }
        struct Conformance: Encodable {
            var database: String, cases: Int, implementations: [String]
            var rows: [[String: String]]
        }
        var generated: String, history: String, command: String
        var runs: [Run], points: [Point], gates: [Gate], conformance: Conformance?
    }

    /// The page, built from every standard-suite measurement of the history, the gate of each
    /// machine's latest run (where it has an earlier one), and the conformance check if given.
    package static func build(_ db: HistoryDatabase, conformance: CheckReport?, generated: String, command: String) throws -> String {
        let runs = try db.runs()
        guard !runs.isEmpty else {
            throw HistoryError.notFound("\(db.path): the history has no runs yet; record some with `lossbench bench`")
        }
        let measurements = try db.allMeasurements().filter { $0.suite == "standard" }
        let withData = Set(measurements.map(\.runID))
        var payload = Payload(generated: generated, history: db.path, command: command, runs: [], points: [], gates: [], conformance: nil)
        payload.runs = runs.filter { withData.contains($0.id ?? -1) }.map {
            Payload.Run(id: $0.id ?? 0, date: $0.startedAt, commit: $0.gitCommit ?? "", dirty: $0.gitDirty == true, label: $0.label ?? "",
                        machine: $0.machineKey, threads: $0.threads, build: $0.buildConfig)
        }
        payload.points = measurements.map {
            Payload.Point(run: $0.runID, loss: $0.loss, impl: $0.impl, pass: $0.pass, shape: $0.shape, threads: $0.threads,
                          median: $0.medianNs / 1e6, p25: $0.p25Ns / 1e6, p75: $0.p75Ns / 1e6, normalized: $0.normalizedMedian,
                          samples: $0.sampleCount)
        }
        for machine in Set(payload.runs.map(\.machine)).sorted() {
            guard let latest = runs.last(where: { $0.machineKey == machine && withData.contains($0.id ?? -1) }),
                  let result = try? Gate.run(db, current: latest.id, baseline: .previous) else { continue }
            payload.gates.append(Payload.Gate(
                current: result.current.id ?? 0, baseline: result.baseline.id ?? 0, machine: machine,
                threshold: result.settings.threshold, alpha: result.settings.alpha,
                verdicts: result.comparisons.filter { $0.benchmark.suite == "standard" }.map {
                    Payload.Verdict(verdict: $0.verdict.rawValue, loss: $0.benchmark.loss, impl: $0.benchmark.impl, pass: $0.benchmark.pass,
                                    shape: $0.benchmark.shape, ratio: finite($0.ratio), p: finite($0.pValue),
                                    baseline: $0.baselineMedianNs.map { $0 / 1e6 }, current: $0.currentMedianNs.map { $0 / 1e6 })
                }))
        }
        if let conformance {
            let impls = conformance.summaries.reduce(into: [String]()) { if !$0.contains($1.implementation) { $0.append($1.implementation) } }
            payload.conformance = Payload.Conformance(
                database: conformance.database, cases: Set(conformance.outcomes.map(\.caseName)).count, implementations: impls,
                rows: conformance.summaries.map { s in
                    ["loss": s.loss, "impl": s.implementation, "cases": String(s.cases), "passed": String(s.passed), "failed": String(s.failed),
                     "unsupported": String(s.unsupported), "expected": String(s.expectedFailures), "deviations": String(s.deviations),
                     "max": s.maxError.isFinite ? String(format: "%.3g", s.maxError) : "inf", "budget": String(format: "%g", s.budget)]
                })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // "</" would end the script element early; JSON allows "<\/".
        let json = String(decoding: try encoder.encode(payload), as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return page.replacingOccurrences(of: "/*DATA*/", with: json)
    }

    static func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }

    static let page = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LossBench dashboard</title>
        <style>
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1280px; padding: 0 16px 48px; color: #1d2330; }
        h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #dde2ea; padding-bottom: 4px; }
        .meta { color: #5b6475; font-size: 12.5px; } code { font-size: 12.5px; background: #f2f4f7; padding: 1px 4px; border-radius: 3px; }
        #filters { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid #dde2ea; z-index: 2; display: flex; gap: 16px; flex-wrap: wrap; }
        #filters label { font-size: 13px; } select { font: inherit; font-size: 13px; }
        table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0; } th, td { padding: 3px 8px; border-bottom: 1px solid #edf0f4; text-align: right; }
        th:first-child, td:first-child, td.l, th.l { text-align: left; } th { background: #f6f7f9; font-weight: 600; }
        .regression { color: #b42318; font-weight: 600; } .improvement { color: #067647; } .fail { color: #b42318; font-weight: 600; }
        #charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr)); gap: 14px; }
        .chart { border: 1px solid #dde2ea; border-radius: 6px; padding: 6px 8px; } .chart h3 { font-size: 13.5px; margin: 0 0 2px; }
        .chart:target { outline: 3px solid #f79009; } svg.trend { width: 100%; height: 210px; display: block; }
        .legend { font-size: 11.5px; color: #3b4456; } .legend span { margin-right: 10px; white-space: nowrap; }
        .swatch { display: inline-block; width: 10px; height: 3px; vertical-align: middle; margin-right: 3px; }
        #tip { position: fixed; pointer-events: none; background: #1d2330; color: #fff; font-size: 12px; padding: 6px 8px; border-radius: 4px; display: none; z-index: 5; max-width: 360px; }
        #errors { color: #b42318; white-space: pre-wrap; }
        </style>
        </head>
        <body>
        <h1>LossBench dashboard</h1>
        <div class="meta" id="meta"></div>
        <pre id="errors"></pre>
        <div id="filters">
          <label>machine <select id="f-machine"></select></label>
          <label>Fast threads <select id="f-threads"></select></label>
          <label>pass <select id="f-pass"><option value="forward">forward</option><option value="backward">forward+backward</option></select></label>
          <label>measure <select id="f-measure"><option value="median">median ms</option><option value="normalized">normalized (÷ calibration)</option></select></label>
        </div>
        <h2 id="gate">Gate: latest run against the one before</h2><div id="gate-body"></div>
        <h2 id="peers">Fast against the other implementations, latest run</h2><div id="peers-body"></div>
        <h2 id="trends">Trends per loss</h2><div id="charts"></div>
        <h2 id="conformance">Conformance</h2><div id="conformance-body"></div>
        <div id="tip"></div>
        <script id="data" type="application/json">/*DATA*/</script>
        <script>
        "use strict";
        (function () {
          var errors = document.getElementById("errors");
          window.addEventListener("error", function (e) { errors.textContent += "error: " + e.message + "\n"; document.body.dataset.status = "error"; });
          var D = JSON.parse(document.getElementById("data").textContent);
          var COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c"];
          var $ = function (id) { return document.getElementById(id); };
          function el(tag, attrs, text) {
            var e = document.createElement(tag);
            for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
            if (text !== undefined) e.textContent = text;
            return e;
          }
          function svg(tag, attrs) {
            var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
            for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
            return e;
          }
          function fmt(x) { return x === null || x === undefined ? "–" : (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3)); }
          function table(head, rows) {
            var t = el("table"), tr = el("tr");
            head.forEach(function (h) { tr.appendChild(el("th", {}, h)); });
            t.appendChild(tr);
            rows.forEach(function (r) {
              var row = el("tr");
              r.forEach(function (c) {
                var td = el("td", c && c.cls ? { "class": c.cls } : {});
                if (c && c.href) { td.appendChild(el("a", { href: c.href }, c.text)); } else { td.textContent = c && c.text !== undefined ? c.text : c; }
                row.appendChild(td);
              });
              t.appendChild(row);
            });
            return t;
          }
          var runById = {};
          D.runs.forEach(function (r, i) { r.order = i; runById[r.id] = r; });
          var machines = Array.from(new Set(D.runs.map(function (r) { return r.machine; })));
          var latestMachine = D.runs.length ? D.runs[D.runs.length - 1].machine : "";
          machines.forEach(function (m) { var o = el("option", { value: m }, m); if (m === latestMachine) o.selected = true; $("f-machine").appendChild(o); });
          $("meta").textContent = D.runs.length + " runs with standard-suite measurements in " + D.history + ", " +
            (D.runs.length ? D.runs[0].date + " … " + D.runs[D.runs.length - 1].date : "") + " · generated " + D.generated + " by " + D.command;

          function threadOptions() {
            var m = $("f-machine").value, sel = $("f-threads"), keep = sel.value;
            var ts = Array.from(new Set(D.points.filter(function (p) { return p.impl === "fast" && runById[p.run] && runById[p.run].machine === m; })
              .map(function (p) { return p.threads; }))).sort(function (a, b) { return a - b; });
            sel.innerHTML = "";
            sel.appendChild(el("option", { value: "all" }, "all"));
            ts.forEach(function (t) { sel.appendChild(el("option", { value: String(t) }, String(t))); });
            sel.value = ts.map(String).indexOf(keep) >= 0 ? keep : "all";
          }

          function selected() {
            var m = $("f-machine").value, t = $("f-threads").value, pass = $("f-pass").value;
            return D.points.filter(function (p) {
              var r = runById[p.run];
              return r && r.machine === m && p.pass === pass && (t === "all" || p.impl !== "fast" || String(p.threads) === t);
            });
          }

          var tip = $("tip");
          function chart(loss, pass, points, measure, impls) {
            var box = el("div", { "class": "chart", id: "chart-" + loss + "-" + pass });
            box.appendChild(el("h3", {}, loss + " · " + (pass === "backward" ? "forward+backward" : "forward") + " · " + points[0].shape));
            var W = 400, H = 210, L = 46, R = 20, T = 8, B = 28;
            var s = svg("svg", { "class": "trend", viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img" });
            var runs = Array.from(new Set(points.map(function (p) { return p.run; }))).sort(function (a, b) { return runById[a].order - runById[b].order; });
            var xi = {}; runs.forEach(function (r, i) { xi[r] = i; });
            var vals = points.map(function (p) { return p[measure]; }).filter(function (v) { return v > 0; });
            var lo = Math.log10(Math.min.apply(null, vals)), hi = Math.log10(Math.max.apply(null, vals));
            if (hi - lo < 0.3) { var mid = (hi + lo) / 2; lo = mid - 0.15; hi = mid + 0.15; }
            lo -= 0.05; hi += 0.05;
            var x = function (i) { return L + (runs.length <= 1 ? (W - L - R) / 2 : i * (W - L - R) / (runs.length - 1)); };
            var y = function (v) { return T + (hi - Math.log10(v)) / (hi - lo) * (H - T - B); };
            for (var e = Math.floor(lo); e <= Math.ceil(hi); e++) {
              [1, 2, 5].forEach(function (m) {
                var v = m * Math.pow(10, e); if (Math.log10(v) < lo || Math.log10(v) > hi) return;
                s.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: m === 1 ? "#d5dae2" : "#eef1f5", "stroke-width": 1 }));
                var t = svg("text", { x: L - 4, y: y(v) + 3, "text-anchor": "end", "font-size": 9, fill: "#5b6475" }); t.textContent = fmt(v); s.appendChild(t);
              });
            }
            var step = Math.max(1, Math.ceil(runs.length / 6));
            runs.forEach(function (r, i) {
              if (i % step && i !== runs.length - 1) return;
              var t = svg("text", { x: x(i), y: H - 14, "text-anchor": "middle", "font-size": 8.5, fill: "#5b6475" });
              t.textContent = (runById[r].commit || "run " + r).slice(0, 7); s.appendChild(t);
              var d = svg("text", { x: x(i), y: H - 4, "text-anchor": "middle", "font-size": 8, fill: "#8a93a3" });
              d.textContent = runById[r].date.slice(5, 10); s.appendChild(d);
            });
            var legend = el("div", { "class": "legend" });
            impls.forEach(function (impl, k) {
              var ps = points.filter(function (p) { return p.impl === impl; }).sort(function (a, b) { return runById[a.run].order - runById[b.run].order; });
              if (!ps.length) return;
              var color = COLORS[k % COLORS.length];
              var band = ps.map(function (p) { return x(xi[p.run]) + "," + y(p[measure] * p.p75 / p.median); })
                .concat(ps.slice().reverse().map(function (p) { return x(xi[p.run]) + "," + y(p[measure] * p.p25 / p.median); }));
              s.appendChild(svg("polygon", { points: band.join(" "), fill: color, "fill-opacity": 0.12, stroke: "none" }));
              s.appendChild(svg("polyline", { points: ps.map(function (p) { return x(xi[p.run]) + "," + y(p[measure]); }).join(" "),
                                               fill: "none", stroke: color, "stroke-width": 1.6 }));
              ps.forEach(function (p) {
                var c = svg("circle", { cx: x(xi[p.run]), cy: y(p[measure]), r: 3, fill: color, "class": "pt" });
                c.addEventListener("mousemove", function (ev) {
                  var r = runById[p.run];
                  tip.innerHTML = "";
                  [impl + " · " + loss + " " + p.pass + " " + p.shape,
                   "run " + r.id + " · " + (r.commit ? r.commit.slice(0, 10) + (r.dirty ? "+dirty" : "") : "no commit") + (r.label ? " · " + r.label : ""),
                   r.date + " · " + r.threads + " threads · " + r.build,
                   "median " + fmt(p.median) + " ms (p25–p75 " + fmt(p.p25) + "–" + fmt(p.p75) + ", " + p.samples + " samples)",
                   "normalized " + fmt(p.normalized)].forEach(function (line) { tip.appendChild(el("div", {}, line)); });
                  tip.style.display = "block"; tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
                });
                c.addEventListener("mouseleave", function () { tip.style.display = "none"; });
                s.appendChild(c);
              });
              var sp = el("span"); sp.appendChild(el("span", { "class": "swatch", style: "background:" + color })); sp.appendChild(document.createTextNode(impl));
              legend.appendChild(sp);
            });
            box.appendChild(s); box.appendChild(legend);
            return box;
          }

          function renderCharts() {
            var pts = selected(), measure = $("f-measure").value, pass = $("f-pass").value, charts = $("charts");
            charts.innerHTML = "";
            var impls = Array.from(new Set(D.points.map(function (p) { return p.impl; }))).sort(function (a, b) {
              var rank = function (i) { return i === "fast" ? 0 : i === "reference" ? 1 : 2; };
              return rank(a) - rank(b) || (a < b ? -1 : 1);
            });
            var losses = Array.from(new Set(pts.map(function (p) { return p.loss; }))).sort();
            losses.forEach(function (loss) { charts.appendChild(chart(loss, pass, pts.filter(function (p) { return p.loss === loss; }), measure, impls)); });
            if (!losses.length) charts.appendChild(el("p", {}, "No standard-suite measurements for this selection."));
            document.body.dataset.charts = String(losses.length);
            document.body.dataset.pass = pass;
            document.body.dataset.points = String(charts.querySelectorAll("circle.pt").length);
          }

          function renderPeers() {
            var body = $("peers-body"), m = $("f-machine").value;
            body.innerHTML = "";
            var runs = D.runs.filter(function (r) { return r.machine === m; });
            var latest = null;
            for (var i = runs.length - 1; i >= 0 && !latest; i--) {
              var ps = D.points.filter(function (p) { return p.run === runs[i].id; });
              if (ps.some(function (p) { return p.impl === "fast"; }) && ps.some(function (p) { return p.impl !== "fast"; })) latest = runs[i];
            }
            if (!latest) { body.appendChild(el("p", {}, "No run on this machine timed Fast beside another implementation.")); return; }
            var ps = D.points.filter(function (p) { return p.run === latest.id; });
            var others = Array.from(new Set(ps.map(function (p) { return p.impl; }))).filter(function (i) { return i !== "fast"; }).sort();
            body.appendChild(el("p", { "class": "meta" }, "Run " + latest.id + " (" + latest.date + ", " + (latest.commit || "").slice(0, 10) +
              (latest.label ? ", " + latest.label : "") + "): median ms, and each implementation's time over Fast's (above 1: Fast is faster)."));
            var keys = Array.from(new Set(ps.map(function (p) { return p.loss + "|" + p.pass + "|" + p.shape; }))).sort();
            var rows = keys.map(function (k) {
              var parts = k.split("|"), find = function (impl) { return ps.filter(function (p) { return p.impl === impl && p.loss + "|" + p.pass + "|" + p.shape === k; })[0]; };
              var f = find("fast");
              return [{ text: parts[0], href: "#chart-" + parts[0] + "-" + parts[1] }, { text: parts[1] === "backward" ? "fwd+bwd" : "fwd", cls: "l" },
                      { text: parts[2], cls: "l" }, fmt(f && f.median)].concat(others.map(function (o) {
                var p = find(o);
                if (!p) return "–";
                var ratio = f ? p.median / f.median : null;
                return { text: fmt(p.median) + (ratio ? " (" + ratio.toFixed(2) + "×)" : ""), cls: ratio && ratio < 1 ? "regression" : "" };
              }));
            });
            body.appendChild(table(["loss", "pass", "shape", "fast ms"].concat(others.map(function (o) { return o + " ms"; })), rows));
          }

          function renderGate() {
            var body = $("gate-body"), m = $("f-machine").value;
            body.innerHTML = "";
            var g = D.gates.filter(function (g) { return g.machine === m; })[0];
            if (!g) { body.appendChild(el("p", {}, "The latest run on this machine has no earlier run to compare with.")); return; }
            var count = function (v) { return g.verdicts.filter(function (x) { return x.verdict === v; }).length; };
            body.appendChild(el("p", { "class": "meta" }, "Run " + g.current + " against run " + g.baseline + ": a regression is slower by a one-sided Mann–Whitney U test (p < " +
              g.alpha + ") and by more than " + (g.threshold * 100).toFixed(0) + "% in calibration-normalized median. " +
              count("regression") + " regressions, " + count("improvement") + " improvements, " + count("unchanged") + " unchanged, " + count("new") + " new."));
            var rows = function (kind) {
              return table(["verdict", "benchmark", "baseline ms", "latest ms", "ratio", "p"], g.verdicts.filter(function (v) { return v.verdict === kind; }).map(function (v) {
                return [{ text: v.verdict, cls: v.verdict }, { text: v.loss + " " + v.impl + " " + v.pass + " " + v.shape, href: "#chart-" + v.loss + "-" + v.pass, cls: "l" },
                        fmt(v.baseline), fmt(v.current), v.ratio === null ? "–" : v.ratio.toFixed(3), v.p === null ? "–" : v.p.toExponential(1)];
              }));
            };
            if (count("regression")) body.appendChild(rows("regression"));
            if (count("improvement")) {
              var more = el("details"); more.appendChild(el("summary", {}, count("improvement") + " improvements")); more.appendChild(rows("improvement"));
              body.appendChild(more);
            }
          }

          function renderConformance() {
            var body = $("conformance-body"), C = D.conformance;
            if (!C) { body.appendChild(el("p", {}, "Not checked in this report (lossbench report --no-conformance).")); return; }
            body.appendChild(el("p", { "class": "meta" }, C.cases + " golden cases in " + C.database + "; per loss: passed / cases, failures in red, the largest normalized error over its budget."));
            var losses = Array.from(new Set(C.rows.map(function (r) { return r.loss; }))).sort();
            var rows = losses.map(function (loss) {
              return [loss].concat(C.implementations.map(function (impl) {
                var r = C.rows.filter(function (x) { return x.loss === loss && x.impl === impl; })[0];
                if (!r) return "–";
                var failed = Number(r.failed);
                return { text: r.passed + "/" + r.cases + (failed ? " · " + failed + " failed" : "") + " · max " + r.max + " / " + r.budget, cls: failed ? "fail" : "" };
              }));
            });
            body.appendChild(table(["loss"].concat(C.implementations), rows));
          }

          function render() {
            try { renderGate(); renderPeers(); renderCharts(); document.body.dataset.status = document.body.dataset.status || "ok"; }
            catch (e) { errors.textContent += "error: " + e.message + "\n"; document.body.dataset.status = "error"; }
          }
          $("f-machine").addEventListener("change", function () { threadOptions(); render(); });
          ["f-threads", "f-pass", "f-measure"].forEach(function (id) { $(id).addEventListener("change", render); });
          // A link to a chart (from the gate here, or from `gate --dashboard`'s summary) selects its pass first.
          function followHash() {
            var m = /^#chart-(.+)-(forward|backward)$/.exec(location.hash);
            if (!m) return;
            if ($("f-pass").value !== m[2]) { $("f-pass").value = m[2]; render(); }
            var target = document.getElementById(location.hash.slice(1));
            if (target) target.scrollIntoView();
          }
          window.addEventListener("hashchange", followHash);
          threadOptions();
          renderConformance();
          render();
          followHash();
        })();
        </script>
        </body>
        </html>
        """#
}
