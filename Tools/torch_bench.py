#!/usr/bin/env python3
"""Time PyTorch's CPU float32 losses on LossBench's standard suite (Docs/Benchmarking.md).

The same problems as `lossbench bench` (sizes, reduction 'mean', forward and forward+backward),
in PyTorch float32 with the same thread count, so anyone can compare on their own machine:

    /tmp/torch-venv/bin/python Tools/torch_bench.py --threads 2 --json > torch.jsonl
    .build/release/lossbench bench --impl fast --threads 2 --json > fast.jsonl
    python3 Tools/torch_bench.py --compare fast.jsonl torch.jsonl

Method: warm-up, then samples until both --min-samples and --min-time are reached; medians of
wall-clock time per call. forward = the loss value; backward = loss + backward() of every input
that LossBench's backward pass differentiates (Docs/Semantics.md#differentiability), timed together. Inputs are random with
the same distributions as LossBench's suite (not the same values: timing does not depend on them).
Output: one JSON object per line with the keys of `lossbench bench --json`, or a table.
"""

import argparse
import json
import math
import sys
import time

ELEMENTWISE = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "poisson_nll_loss",
               "gaussian_nll_loss", "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits",
               "margin_ranking_loss", "hinge_embedding_loss"]
ALL = ["l1_loss", "mse_loss", "cross_entropy", "ctc_loss", "nll_loss", "poisson_nll_loss", "gaussian_nll_loss",
       "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits", "margin_ranking_loss",
       "hinge_embedding_loss", "multilabel_margin_loss", "huber_loss", "smooth_l1_loss", "soft_margin_loss",
       "multilabel_soft_margin_loss", "cosine_embedding_loss", "multi_margin_loss", "triplet_margin_loss",
       "triplet_margin_with_distance_loss"]


def problem(torch, name):
    """Returns (shape text, inputs dict, differentiable names, call(inputs) -> loss)."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(1234)
    randn = lambda *s: torch.randn(*s, generator=g)
    rand = lambda *s: torch.rand(*s, generator=g)
    signs = lambda *s: torch.where(rand(*s) < 0.5, -1.0, 1.0)
    if name in ELEMENTWISE:
        n = 1 << 22
        shape = f"[{n}]"
        if name == "binary_cross_entropy":
            t = {"input": rand(n) * 0.98 + 0.01, "target": rand(n)}
        elif name == "binary_cross_entropy_with_logits":
            t = {"input": randn(n) * 3, "target": rand(n)}
        elif name in ("soft_margin_loss", "hinge_embedding_loss"):
            t = {"input": randn(n), "target": signs(n)}
        elif name == "margin_ranking_loss":
            t = {"input1": randn(n), "input2": randn(n), "target": signs(n)}
        elif name == "poisson_nll_loss":
            t = {"input": randn(n), "target": torch.randint(0, 7, (n,), generator=g).float()}
        elif name == "gaussian_nll_loss":
            t = {"input": randn(n), "target": randn(n), "var": rand(n) * 1.9 + 0.1}
        elif name == "kl_div":
            t = {"input": -6 * rand(n), "target": rand(n)}
        else:
            t = {"input": randn(n) * 2, "target": randn(n) * 2}
        diff = {"l1_loss": ["input", "target"], "mse_loss": ["input", "target"], "smooth_l1_loss": ["input", "target"],
                "huber_loss": ["input", "target"], "soft_margin_loss": ["input"], "poisson_nll_loss": ["input", "target"],
                "gaussian_nll_loss": ["input", "target", "var"], "kl_div": ["input", "target"],
                "binary_cross_entropy": ["input", "target"], "binary_cross_entropy_with_logits": ["input", "target"],
                "margin_ranking_loss": ["input1", "input2", "target"], "hinge_embedding_loss": ["input"]}[name]
        if name == "margin_ranking_loss":
            call = lambda a: F.margin_ranking_loss(a["input1"], a["input2"], a["target"])
        elif name == "gaussian_nll_loss":
            call = lambda a: F.gaussian_nll_loss(a["input"], a["target"], a["var"])
        else:
            fn = getattr(F, name)
            call = lambda a: fn(a["input"], a["target"])
        return shape, t, diff, call
    if name in ("cross_entropy", "nll_loss", "multi_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss"):
        c = 256 if name == "multilabel_margin_loss" else 1000
        n = 1024 if name == "multilabel_margin_loss" else 4096
        x = randn(n, c) * 2
        if name == "multilabel_soft_margin_loss":
            y = (rand(n, c) < 0.1).float()
        elif name == "multilabel_margin_loss":
            y = torch.full((n, c), -1, dtype=torch.long)
            for row in range(n):
                k = int(torch.randint(1, 9, (1,), generator=g))
                y[row, :k] = torch.randint(0, c, (k,), generator=g)
        else:
            y = torch.randint(0, c, (n,), generator=g)
        fn = getattr(F, name)
        return f"[{n}, {c}]", {"input": x, "target": y}, ["input"] + (["target"] if name == "multilabel_soft_margin_loss" else []), \
            lambda a: fn(a["input"], a["target"])
    if name in ("cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss"):
        n, d = 65536, 64
        if name == "cosine_embedding_loss":
            t = {"input1": randn(n, d), "input2": randn(n, d), "target": signs(n)}
            return f"[{n}, {d}]", t, ["input1", "input2"], lambda a: F.cosine_embedding_loss(a["input1"], a["input2"], a["target"])
        t = {"anchor": randn(n, d), "positive": randn(n, d), "negative": randn(n, d)}
        fn = getattr(F, name)
        return f"[{n}, {d}]", t, ["anchor", "positive", "negative"], lambda a: fn(a["anchor"], a["positive"], a["negative"])
    if name == "ctc_loss":
        T, N, C, L = 128, 32, 64, 40
        lp = torch.log_softmax(randn(T, N, C), dim=2)
        t = {"log_probs": lp, "targets": torch.randint(1, C, (N, L), generator=g),
             "input_lengths": torch.full((N,), T, dtype=torch.long), "target_lengths": torch.full((N,), L, dtype=torch.long)}
        return f"[{T}, {N}, {C}]", t, ["log_probs"], \
            lambda a: F.ctc_loss(a["log_probs"], a["targets"], a["input_lengths"], a["target_lengths"])
    raise ValueError(name)


def sample(fn, min_samples, max_samples, min_time):
    fn()  # warm-up
    samples = []
    spent = 0.0
    while len(samples) < max_samples and (len(samples) < min_samples or spent < min_time):
        t0 = time.perf_counter_ns()
        fn()
        t1 = time.perf_counter_ns()
        samples.append(t1 - t0)
        spent += (t1 - t0) / 1e9
    return samples


def quantile(xs, q):
    s = sorted(xs)
    pos = q * (len(s) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def measure(args):
    import torch
    torch.set_num_threads(args.threads)
    for name in args.loss or ALL:
        shape, inputs, diff, call = problem(torch, name)
        for p in args.passes.split(","):
            if p == "forward":
                def run():
                    with torch.no_grad():
                        call(inputs)
            else:
                leaves = {k: (v.clone().requires_grad_(True) if k in diff else v) for k, v in inputs.items()}

                def run():
                    for k in diff:
                        leaves[k].grad = None
                    call(leaves).backward()
            s = sample(run, args.min_samples, args.max_samples, args.min_time)
            row = {"loss": name, "impl": "torch", "pass": p, "shape": shape, "threads": args.threads,
                   "median_ns": round(quantile(s, 0.5)), "min_ns": min(s), "p25_ns": round(quantile(s, 0.25)),
                   "p75_ns": round(quantile(s, 0.75)), "samples": len(s), "torch_version": torch.__version__,
                   "raw_ns": s}
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{name:34} {p:9} {shape:16} median {row['median_ns'] / 1e6:10.3f} ms  min {row['min_ns'] / 1e6:10.3f} ms  ({len(s)} samples)", flush=True)


def compare(fast_path, torch_path):
    """Table of Fast vs torch medians from two JSON-lines files; geometric means per pass."""
    def load(path, impl):
        rows = {}
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    if r.get("impl") == impl:
                        rows[(r["loss"], r["pass"], r["shape"])] = r
        return rows
    fast, ref = load(fast_path, "fast"), load(torch_path, "torch")
    by_pass = {}
    print(f"| loss | pass | shape | fast ms | torch ms | speedup |\n|---|---|---|---:|---:|---:|")
    for key in sorted(ref):
        if key not in fast:
            continue
        f, t = fast[key]["median_ns"], ref[key]["median_ns"]
        by_pass.setdefault(key[1], []).append(t / f)
        print(f"| {key[0]} | {key[1]} | {key[2]} | {f / 1e6:.3f} | {t / 1e6:.3f} | {t / f:.2f}× |")
    for p, s in sorted(by_pass.items()):
        geo = math.exp(sum(math.log(x) for x in s) / len(s))
        print(f"\n{p}: geometric-mean speedup {geo:.2f}× over {len(s)} losses; slowest {min(s):.2f}×")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loss", action="append", choices=ALL, help="only this loss (repeatable)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--passes", default="forward,backward")
    ap.add_argument("--min-samples", type=int, default=5)
    ap.add_argument("--max-samples", type=int, default=100)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    ap.add_argument("--compare", nargs=2, metavar=("FAST_JSONL", "TORCH_JSONL"),
                    help="print a Markdown table comparing two JSON-lines files and exit")
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare)
        return 0
    measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
