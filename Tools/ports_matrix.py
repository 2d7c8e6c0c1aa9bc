#!/usr/bin/env python3
"""Renders the conformance matrix of ports from `lossbench check --json` (standard library only).

    .build/release/lossbench check --impl port:torch-f64,port:torch-f32,port:minimal --json > /tmp/ports.json
    python3 Tools/ports_matrix.py /tmp/ports.json

Prints Markdown: rows are losses, columns port configurations, each cell
passed/cases, then failed (F), unsupported (U), documented deviations (D), expected failures (X),
port errors (E) where non-zero, and the largest normalized error over the compared cases.
"""
import json, sys


def cell(s):
    parts = [f"{s['passed']}/{s['cases']}"]
    for key, mark in (("failed", "F"), ("unsupported", "U"), ("deviations", "D"), ("expected_failures", "X"),
                      ("unexpected_passes", "P"), ("port_errors", "E")):
        if s.get(key):
            parts.append(f"{s[key]} {mark}")
    compared = s["cases"] - s.get("unsupported", 0)
    m = s["max_error"]
    err = "-" if compared == 0 else (m if isinstance(m, str) else f"{m:.3g}")  # non-finite values come as strings
    return " · ".join(parts) + f" (max {err})"


def main():
    report = json.load(open(sys.argv[1]))
    impls = list(dict.fromkeys(s["impl"] for s in report["losses"]))
    by = {(s["loss"], s["impl"]): s for s in report["losses"]}
    losses = sorted({s["loss"] for s in report["losses"]})
    print("| loss | " + " | ".join(impls) + " |")
    print("|---|" + "---|" * len(impls))
    for loss in losses:
        print(f"| {loss} | " + " | ".join(cell(by[(loss, i)]) if (loss, i) in by else "-" for i in impls) + " |")
    totals = []
    for i in impls:
        rows = [s for s in report["losses"] if s["impl"] == i]
        totals.append(f"{sum(r['passed'] for r in rows)}/{sum(r['cases'] for r in rows)} · "
                      f"{sum(r['failed'] for r in rows)} F · {sum(r.get('deviations', 0) for r in rows)} D")
    print("| **all** | " + " | ".join(totals) + " |")


if __name__ == "__main__":
    main()
