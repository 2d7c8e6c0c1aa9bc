#!/usr/bin/env python3
"""Replay every case of a LossBench golden database in PyTorch and report per loss.

For each case (Docs/GoldenDatabase.md): decode options and input tensors, run the torch.nn.functional loss in
float64 with the case's own grad_output, and compare the output and every stored gradient:

    |torch - expected| <= 1e-9 * max(|expected|, scale, tiny)        (NaN = NaN, equal infinities)

An error case must make PyTorch raise an exception whose message maps to the expected error kind
(the mapping is torch_compare.TORCH_ERROR_KINDS). Cases marked in `cases.deviation` as encoding
a documented deviation from PyTorch (Docs/Deviations.md) are not compared; they are counted apart.
`lossbench check --impl port:torch-f64,port:torch-f32` does the same through the port protocol.

It also runs every valid case in PyTorch float32 (inputs are Float32-exact) and reports PyTorch's
normalized error against the golden values, |f32 - expected| / (eps32 * max(scale, |expected|, tiny)),
per loss (max and p99): the yardstick for LossBench's Fast. With --fast-json (the output of
`lossbench check --impl fast --json`) Fast's numbers are put beside it.

Usage:
    /tmp/torch-venv/bin/python Tools/torch_replay.py [--db Vectors/golden.sqlite] [--loss NAME]
        [--fast-json fast.json] [--out Reports/torch-crosscheck.md]
Exit 0 when every compared case agrees, 1 otherwise, 3 when the database cannot be read.
"""

import argparse
import json
import math
import os
import sqlite3
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_compare as tc  # noqa: E402  (TORCH calls, DIFFERENTIABLE, error-kind mapping)

RTOL = 1e-9
EPS32 = 2.0 ** -24
TINY32 = float(np.finfo(np.float32).tiny)
TINY64 = sys.float_info.min


def read_db(path):
    """[(name, loss, options, family, expect_error, note, inputs{role: ndarray}, expected{role: (ndarray, scale)})]"""
    if not os.path.exists(path):
        sys.exit(f"error: {path}: no such file")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(con.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as e:
        print(f"error: {path}: not a LossBench golden database ({e})", file=sys.stderr)
        sys.exit(3)
    if meta.get("format") != "lossbench-golden" or meta.get("format_version") != "1":
        print(f"error: {path}: format {meta.get('format')} version {meta.get('format_version')} is not lossbench-golden 1",
              file=sys.stderr)
        sys.exit(3)
    tensors = {}
    for case_id, role, io, dtype, shape, data, scale in con.execute(
            "SELECT case_id, role, io, dtype, shape, data, scale FROM tensors"):
        dt = np.dtype("<f8") if dtype == "float64" else np.dtype("<i8")
        a = np.frombuffer(data, dtype=dt).reshape(json.loads(shape)).copy()
        s = None if scale is None else np.frombuffer(scale, dtype="<f8").reshape(a.shape).copy()
        tensors.setdefault(case_id, {})[role] = (io, a, s)
    cases = []
    # cases.deviation (added later, format_version 1) marks the cases that encode a documented
    # deviation from PyTorch (Docs/Deviations.md); an older database has no such column.
    columns = {row[1] for row in con.execute("PRAGMA table_info(cases)")}
    deviation = "deviation" if "deviation" in columns else "NULL"
    for cid, name, loss, options, family, expect, note, dev in con.execute(
            f"SELECT id, name, loss, options, family, expect_error, note, {deviation} FROM cases ORDER BY id"):
        t = tensors.get(cid, {})
        inputs = {r: a for r, (io, a, s) in t.items() if io == "in"}
        expected = {r: (a, s) for r, (io, a, s) in t.items() if io == "out"}
        cases.append((name, loss, json.loads(options), family, expect, note or "", inputs, expected, dev))
    return meta, cases


# Tensor arguments each loss takes (mirrors LossKind.arguments) and its option names (LossKind.optionNames).
ARGUMENTS = {
    "l1_loss": ["input", "target", "weight"], "mse_loss": ["input", "target", "weight"],
    "huber_loss": ["input", "target", "weight"], "smooth_l1_loss": ["input", "target"],
    "cross_entropy": ["input", "target", "weight"], "nll_loss": ["input", "target", "weight"],
    "poisson_nll_loss": ["input", "target"], "gaussian_nll_loss": ["input", "target", "var"],
    "kl_div": ["input", "target"], "binary_cross_entropy": ["input", "target", "weight"],
    "binary_cross_entropy_with_logits": ["input", "target", "weight", "pos_weight"],
    "margin_ranking_loss": ["input1", "input2", "target"], "hinge_embedding_loss": ["input", "target"],
    "multilabel_margin_loss": ["input", "target"], "soft_margin_loss": ["input", "target"],
    "multilabel_soft_margin_loss": ["input", "target", "weight"], "cosine_embedding_loss": ["input1", "input2", "target"],
    "multi_margin_loss": ["input", "target", "weight"], "triplet_margin_loss": ["anchor", "positive", "negative"],
    "triplet_margin_with_distance_loss": ["anchor", "positive", "negative"],
    "ctc_loss": ["log_probs", "targets", "input_lengths", "target_lengths"],
}
OPTIONS = {
    "l1_loss": ["reduction"], "mse_loss": ["reduction"], "huber_loss": ["reduction", "delta"],
    "smooth_l1_loss": ["reduction", "beta"], "cross_entropy": ["ignore_index", "reduction", "label_smoothing"],
    "nll_loss": ["ignore_index", "reduction"], "poisson_nll_loss": ["log_input", "full", "eps", "reduction"],
    "gaussian_nll_loss": ["full", "eps", "reduction"], "kl_div": ["reduction", "log_target"],
    "binary_cross_entropy": ["reduction"], "binary_cross_entropy_with_logits": ["reduction"],
    "margin_ranking_loss": ["margin", "reduction"], "hinge_embedding_loss": ["margin", "reduction"],
    "multilabel_margin_loss": ["reduction"], "soft_margin_loss": ["reduction"],
    "multilabel_soft_margin_loss": ["reduction"], "cosine_embedding_loss": ["margin", "reduction"],
    "multi_margin_loss": ["p", "margin", "reduction"], "triplet_margin_loss": ["margin", "p", "eps", "swap", "reduction"],
    "triplet_margin_with_distance_loss": ["distance_function", "margin", "swap", "reduction"],
    "ctc_loss": ["blank", "reduction", "zero_infinity"],
}
INTEGER_ARGUMENTS = {"nll_loss": ["target"], "multi_margin_loss": ["target"], "multilabel_margin_loss": ["target"],
                     "ctc_loss": ["targets", "input_lengths", "target_lengths"], "cross_entropy": ["target"]}
NONFINITE = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf}


def decode_options(options):
    """JSON options → Python values: the golden format writes non-finite numbers as strings."""
    return {k: NONFINITE.get(v, v) if isinstance(v, str) and k not in ("reduction", "distance_function") else v
            for k, v in options.items()}


def contract_error(loss, inputs, options):
    """An invalid input that exists only at LossBench's JSON contract, where a Python call would be
    rejected before the loss runs (a TypeError for an unknown keyword or argument, an unknown
    distance function name). Returns the reason, or None."""
    unknown = [k for k in options if k not in OPTIONS[loss]]
    if unknown:
        return f"unknown option {unknown[0]!r}"
    extra = [r for r in inputs if r != "grad_output" and r not in ARGUMENTS[loss]]
    if extra:
        return f"unknown tensor argument {extra[0]!r}"
    if loss == "triplet_margin_with_distance_loss" and options.get("distance_function") not in (None, "pairwise_distance", "cosine_distance"):
        return f"unknown distance function {options.get('distance_function')!r}"
    return None


def run_torch(loss, options, inputs, dtype):
    """PyTorch outputs {role: ndarray} of the case in `dtype`, or the exception it raised."""
    requires = [r for r in tc.DIFFERENTIABLE[loss] if r in inputs and inputs[r].dtype == np.float64 and r != "grad_output"]
    t = {}
    for role, a in inputs.items():
        if role == "grad_output":
            continue
        x = torch.from_numpy(a.astype(np.float32) if (a.dtype == np.float64 and dtype == torch.float32) else a)
        if role in requires:
            x.requires_grad_(True)
        t[role] = x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = tc.TORCH[loss](t, options)
        result = {"output": out.detach().numpy().astype(np.float64)}
        if "grad_output" in inputs and requires:
            g = torch.from_numpy(inputs["grad_output"].astype(np.float32 if dtype == torch.float32 else np.float64))
            # grad_outputs= (not (out * g).sum()) so a grad_output of the wrong shape is rejected.
            grads = torch.autograd.grad(out, [t[r] for r in requires], grad_outputs=g, allow_unused=True)
            for role, gr in zip(requires, grads):
                result["grad_" + role] = np.zeros(inputs[role].shape) if gr is None else gr.detach().numpy().astype(np.float64)
    return result


def normalized(got, exp, scale, eps, tiny):
    """Elementwise Docs/Tolerance.md normalized error (0 for equal values incl. NaN = NaN; inf for a non-finite mismatch)."""
    got, exp = np.asarray(got, np.float64), np.asarray(exp, np.float64)
    same = (got == exp) | (np.isnan(got) & np.isnan(exp))
    finite = np.isfinite(got) & np.isfinite(exp)
    s = np.zeros_like(exp) if scale is None else np.where(np.isfinite(scale), np.abs(scale), 0)
    den = eps * np.maximum(np.maximum(s, np.abs(exp)), tiny)
    err = np.where(finite, np.abs(got - exp) / den, np.inf)
    return np.where(same, 0.0, err)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="Vectors/golden.sqlite")
    ap.add_argument("--loss", action="append")
    ap.add_argument("--fast-json", help="output of `lossbench check --impl fast --json` for the Fast column")
    ap.add_argument("--out", help="write the Markdown report here")
    ap.add_argument("--max-details", type=int, default=40)
    args = ap.parse_args()
    torch.set_num_threads(1)

    meta, cases = read_db(args.db)
    stats = {}
    details = []
    for name, loss, options, family, expect, note, inputs, expected, dev in cases:
        if args.loss and loss not in args.loss:
            continue
        s = stats.setdefault(loss, {"cases": 0, "agree": 0, "disagree": 0, "deviations": 0, "errors": 0,
                                    "errors_matched": 0, "contract": 0, "max64": 0.0, "f32": []})
        s["cases"] += 1
        options = decode_options(options)
        if dev:
            s["deviations"] += 1
            continue
        if expect:
            s["errors"] += 1
            reason = contract_error(loss, inputs, options)
            if reason:
                # PyTorch's Python layer rejects these before the loss runs (TypeError/KeyError),
                # so the call itself cannot be replayed; the case is LossBench's own contract.
                s["contract"] += 1
                if expect == "invalid_option":
                    s["errors_matched"] += 1
                    s["agree"] += 1
                else:
                    s["disagree"] += 1
                    details.append(f"{name}: {reason} should be invalid_option, the case says {expect}")
                continue
            try:
                run_torch(loss, options, inputs, torch.float64)
                details.append(f"{name}: expected {expect}, PyTorch evaluated it")
                s["disagree"] += 1
            except Exception as e:  # noqa: BLE001
                kinds = tc.torch_error_kinds(e) or set()
                if isinstance(e, TypeError) and "must be" in str(e):
                    kinds = kinds | {"invalid_option"}  # an option of the wrong type
                if expect in kinds:
                    s["errors_matched"] += 1
                    s["agree"] += 1
                else:
                    s["disagree"] += 1
                    details.append(f"{name}: expected {expect}, PyTorch raised {type(e).__name__}: {str(e)[:160]}")
            continue
        try:
            r64 = run_torch(loss, options, inputs, torch.float64)
        except Exception as e:  # noqa: BLE001
            s["disagree"] += 1
            details.append(f"{name}: PyTorch raised {type(e).__name__}: {str(e)[:160]}")
            continue
        worst, problem = 0.0, None
        for role, (exp, scale) in expected.items():
            got = r64.get(role)
            if got is None or got.shape != exp.shape:
                worst, problem = math.inf, f"{role}: PyTorch gives {None if got is None else list(got.shape)}, expected {list(exp.shape)}"
                break
            err = normalized(got, exp, scale, RTOL, TINY64)
            if err.size and err.max() > worst:
                worst = float(err.max())
                i = np.unravel_index(int(err.argmax()), err.shape)
                problem = f"{role}{list(i)}: PyTorch {got[i]!r}, expected {exp[i]!r}"
        s["max64"] = max(s["max64"], worst)
        if worst <= 1:
            s["agree"] += 1
        else:
            s["disagree"] += 1
            details.append(f"{name}: {problem} (|Δ| / max(|expected|, scale) = {worst * RTOL:.3g})")
        try:
            r32 = run_torch(loss, options, inputs, torch.float32)
            for role, (exp, scale) in expected.items():
                if role in r32 and r32[role].shape == exp.shape:
                    s["f32"].extend(normalized(r32[role], exp, scale, EPS32, TINY32).ravel().tolist())
        except Exception:  # noqa: BLE001 — float32 raising where float64 did not is reported by the f32 column as missing
            pass

    fast = {}
    if args.fast_json:
        with open(args.fast_json) as f:
            for row in json.load(f)["losses"]:
                fast[row["loss"]] = row

    lines = [f"# PyTorch replay of {args.db}",
             "",
             f"torch {torch.__version__}; database content_sha256 `{meta.get('content_sha256', '?')}`, "
             f"generator {meta.get('generator_version', '?')}, seed {meta.get('seed', '?')}, semantics {meta.get('semantics', '?')}.",
             "",
             "float64: a case agrees when every element satisfies |torch − expected| ≤ 1e-9·max(|expected|, scale, tiny) "
             "(NaN = NaN, equal infinities); an error case agrees when PyTorch raises the mapped error kind. "
             "float32 columns: PyTorch float32's normalized error against the golden values, "
             "|f32 − expected| / (eps32·max(scale, |expected|, tiny)), over every output element of the valid cases.",
             "",
             "Error cases that exist only at LossBench's JSON contract (unknown option or tensor names, unknown "
             "distance function names: a Python call would fail with a TypeError before any loss code runs) are "
             "counted as matched when LossBench expects invalid_option; the column 'contract' counts them.",
             "",
             "| loss | cases | agree (float64) | disagree | deviations | errors matched | contract | max rel. error float64 | "
             "torch f32 max | torch f32 p99 | fast max | fast p99 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    total = {"cases": 0, "agree": 0, "disagree": 0, "deviations": 0}
    for loss in sorted(stats):
        s = stats[loss]
        f32 = sorted(s["f32"])
        f32max = f32[-1] if f32 else float("nan")
        f32p99 = f32[min(len(f32) - 1, int(len(f32) * 0.99))] if f32 else float("nan")
        fr = fast.get(loss)
        lines.append(f"| {loss} | {s['cases']} | {s['agree']} | {s['disagree']} | {s['deviations']} | "
                     f"{s['errors_matched']}/{s['errors']} | {s['contract']} | {s['max64'] * RTOL:.2g} | {f32max:.3g} | {f32p99:.3g} | "
                     f"{'-' if fr is None else format(fr['max_error'], '.3g')} | {'-' if fr is None else format(fr['p99_error'], '.3g')} |")
        for k in total:
            total[k] += s[k]
    lines += ["", f"Total: {total['cases']} cases, {total['agree']} agree, {total['disagree']} disagree, "
                  f"{total['deviations']} documented deviations (not compared)."]
    if details:
        lines += ["", "## Disagreements", ""] + [f"- {d}" for d in details[:args.max_details]]
        if len(details) > args.max_details:
            lines.append(f"- … and {len(details) - args.max_details} more")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 1 if total["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
