#!/usr/bin/env python3
"""Compare LossBench's Swift Reference with PyTorch float64.

For every loss a generator function draws random cases from a seed (shapes, reductions, options,
special values and kinks), PyTorch float64 computes the output and the autograd gradients of
sum(grad_output * output) for every differentiable argument (Docs/Semantics.md#differentiability), and all cases go through
ONE `lossbench eval --lines` process. An element agrees when

    |ref - torch| <= 1e-10 * max(|torch|, scale, tiny)        (NaN == NaN, equal infinities)

with `scale` the Reference's error scale (Docs/Tolerance.md); shapes must be equal. Where PyTorch raises,
the Reference must raise too, with the error kind (Docs/ErrorKinds.md) that PyTorch's exception maps to.
A set of invalid-input cases per loss exercises that path on purpose.

PyTorch defects (Docs/Semantics.md#empty-inputs: MultiMargin/MultiLabelMargin with an empty batch reduced by
'mean'/'sum'; Docs/Losses/ctc_loss.md: CTC labels out of range or equal to blank) are not compared with PyTorch:
they are checked against the result the spec defines instead and listed as documented deviations.

Usage:
    swift build && python3 Tools/torch_compare.py [--loss NAME ...] [--cases N] [--seed S]
        [--lossbench .build/debug/lossbench] [--out report.md] [--failures-dir DIR]

Exit 0 when every case agrees, 1 on any disagreement, 3 when lossbench cannot be run.
Needs only the standard library, numpy and torch.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

RTOL = 1e-10
TINY = sys.float_info.min

REDUCTIONS = ["none", "mean", "sum"]


# ------------------------------------------------------------------------------------------------
# Cases


class Case:
    """One evaluation: options (all explicit, torch names) and input tensors as numpy arrays.

    `expect` is the set of error kinds an invalid-input case must raise (None for a valid case).
    `deviation` marks a PyTorch defect: the case is not run through PyTorch and `spec_result`
    (an error kind, or {role: value}) is what the spec defines instead.
    """

    def __init__(self, loss, options, inputs, note="", expect=None, deviation=None, spec_result=None):
        self.loss = loss
        self.options = options
        self.inputs = inputs
        self.note = note
        self.expect = expect
        self.deviation = deviation
        self.spec_result = spec_result

    def to_json(self, grad_output=None):
        inputs = {role: encode_tensor(a) for role, a in self.inputs.items()}
        if grad_output is not None:
            inputs["grad_output"] = encode_tensor(grad_output)
        return {"loss": self.loss, "options": self.options, "inputs": inputs}


def json_number(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def encode_tensor(a):
    a = np.asarray(a)
    if a.dtype == np.int64:
        return {"dtype": "int64", "shape": list(a.shape), "data": [int(v) for v in a.reshape(-1)]}
    return {"dtype": "float64", "shape": list(a.shape), "data": [json_number(float(v)) for v in a.reshape(-1)]}


def decode_tensor(t):
    data = [float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf")) for v in t["data"]]
    return np.array(data, dtype=np.float64).reshape(t["shape"])


# ------------------------------------------------------------------------------------------------
# Random helpers. Every float input is Float32-representable (Docs/GoldenDatabase.md).


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def normal(rng, shape, scale=1.0):
    return f32(rng.standard_normal(shape) * scale)


def uniform(rng, shape, lo, hi):
    return f32(rng.uniform(lo, hi, shape))


def ints(rng, shape, lo, hi):
    """Integers in [lo, hi)."""
    return rng.integers(lo, hi, size=shape).astype(np.int64)


def pick(rng, choices):
    return choices[int(rng.integers(len(choices)))]


def cycle(i, choices):
    return choices[i % len(choices)]


def chance(rng, p):
    return bool(rng.random() < p)


def sprinkle(rng, a, values, p=0.15):
    """Replaces a fraction p of the elements of a with values drawn from `values`."""
    a = np.array(a, dtype=np.float64)
    if a.size:
        mask = rng.random(a.shape) < p
        a[mask] = [pick(rng, values) for _ in range(int(mask.sum()))]
    return a


def log_softmax(a, axis):
    return f32(torch.log_softmax(torch.from_numpy(np.asarray(a, dtype=np.float64)), dim=axis).numpy())


def rand_scalar(rng, lo, hi):
    return float(np.float32(rng.uniform(lo, hi)))


def reduction_for(i, extra=()):
    """Cycles through every reduction, with occasional deprecated or extra ones."""
    return cycle(i, REDUCTIONS + list(extra))


def pointwise_shapes(rng):
    """(input shape, target shape, label): 0-dim, 1-D, 2-D, 4-D, empty, and broadcasting pairs."""
    return pick(rng, [
        ((), (), "0-dim"),
        ((7,), (7,), "1-D"),
        ((4, 5), (4, 5), "2-D"),
        ((2, 3, 2, 2), (2, 3, 2, 2), "4-D"),
        ((0,), (0,), "empty"),
        ((0, 3), (0, 3), "empty-2D"),
        ((3, 1), (1, 4), "broadcast-both"),
        ((2, 3, 4), (3, 4), "broadcast-target"),
        ((4,), (2, 3, 4), "broadcast-enlarge"),
        ((5,), (), "0-dim-target"),
        ((), (3,), "0-dim-input"),
    ])


def regression_pair(rng, xs, ys, scale=2.0):
    """Input/target with exact ties (d = 0) sprinkled in where the shapes are equal."""
    x = normal(rng, xs, scale)
    y = normal(rng, ys, scale)
    if xs == ys and x.size and chance(rng, 0.4):
        mask = rng.random(xs) < 0.3
        y = np.where(mask, x, y)
    return x, y


def invalid_reduction(loss, inputs, **options):
    return Case(loss, dict(options, reduction="avg"), inputs, "invalid reduction", expect={"invalid_reduction"})


# ------------------------------------------------------------------------------------------------
# Generators: one per loss, `gen_<loss>(rng, i) -> Case`, and `errors_<loss>(rng) -> [Case]`.


def weighted_regression(loss, rng, i, extra_options):
    xs, ys, label = pointwise_shapes(rng)
    x, y = regression_pair(rng, xs, ys)
    inputs = {"input": x, "target": y}
    reduction = reduction_for(i, ["elementwise_mean"] if i % 17 == 0 else [])
    if chance(rng, 0.4):
        w = uniform(rng, xs, 0, 2)
        if chance(rng, 0.2):
            w = sprinkle(rng, w, [0.0, -1.0])
        inputs["weight"] = w
        label += "/weight"
    return Case(loss, dict(reduction=reduction, **extra_options), inputs, label)


def gen_l1_loss(rng, i):
    return weighted_regression("l1_loss", rng, i, {})


def gen_mse_loss(rng, i):
    return weighted_regression("mse_loss", rng, i, {})


def gen_huber_loss(rng, i):
    delta = pick(rng, [1.0, 0.5, 2.0, rand_scalar(rng, 1e-3, 9)])
    c = weighted_regression("huber_loss", rng, i, {"delta": delta})
    if c.inputs["input"].shape == c.inputs["target"].shape and c.inputs["input"].size and chance(rng, 0.3):
        # |d| exactly delta: the forward takes the linear branch (Docs/Semantics.md#kinks).
        x = c.inputs["input"]
        c.inputs["target"] = np.where(rng.random(x.shape) < 0.5, f32(x - delta), c.inputs["target"])
        c.note += "/kink"
    return c


def gen_smooth_l1_loss(rng, i):
    beta = pick(rng, [1.0, 0.0, 0.5, 100.0, rand_scalar(rng, 1e-3, 5)])
    xs, ys, label = pointwise_shapes(rng)
    x, y = regression_pair(rng, xs, ys)
    if xs == ys and x.size and beta > 0 and chance(rng, 0.3):
        y = np.where(rng.random(xs) < 0.5, f32(x + beta), y)
        label += "/kink"
    return Case("smooth_l1_loss", {"reduction": reduction_for(i), "beta": beta}, {"input": x, "target": y},
                f"{label}/beta={beta}")


def errors_regression(loss, rng, extra):
    x = normal(rng, (3, 4))
    out = [
        invalid_reduction(loss, {"input": x, "target": x}, **extra),
        Case(loss, dict(reduction="mean", **extra), {"input": x, "target": normal(rng, (3, 5))},
             "non-broadcastable", expect={"shape_mismatch"}),
    ]
    if loss != "smooth_l1_loss":
        out.append(Case(loss, dict(reduction="sum", **extra),
                        {"input": x, "target": x, "weight": uniform(rng, (4,), 0, 1)},
                        "weight size != input size", expect={"shape_mismatch"}))
        out.append(Case(loss, dict(reduction="elementwise_mean", **extra),
                        {"input": x, "target": x, "weight": uniform(rng, (3, 4), 0, 1)},
                        "weighted path rejects elementwise_mean", expect={"invalid_reduction"}))
    return out


def errors_l1_loss(rng):
    return errors_regression("l1_loss", rng, {})


def errors_mse_loss(rng):
    return errors_regression("mse_loss", rng, {})


def errors_huber_loss(rng):
    x = normal(rng, (3,))
    return errors_regression("huber_loss", rng, {"delta": 1.0}) + [
        Case("huber_loss", {"reduction": "mean", "delta": d}, {"input": x, "target": x},
             f"delta={d}", expect={"invalid_option"}) for d in (0.0, -1.0)]


def errors_smooth_l1_loss(rng):
    x = normal(rng, (3,))
    return errors_regression("smooth_l1_loss", rng, {"beta": 1.0}) + [
        Case("smooth_l1_loss", {"reduction": "mean", "beta": -0.5}, {"input": x, "target": x},
             "beta<0", expect={"invalid_option"})]


def class_shapes(rng):
    """(input shape, index-target shape, label) for NLL/CE: (C), (N,C), K-dim, empty batch."""
    c = int(rng.integers(1, 6))
    n = int(rng.integers(1, 5))
    return pick(rng, [
        ((c,), (), "unbatched"),
        ((n, c), (n,), "batched"),
        ((n, c), (n,), "batched"),
        ((n, c, 3), (n, 3), "K=1"),
        ((n, c, 2, 3), (n, 2, 3), "K=2"),
        ((2, c, 2, 1, 2), (2, 2, 1, 2), "K=3"),
        ((0, c), (0,), "empty"),
    ])


def index_targets(rng, target_shape, c, ignore_index, all_ignored):
    y = ints(rng, target_shape, 0, c)
    if all_ignored:
        return np.full(target_shape, ignore_index, dtype=np.int64)
    if y.size and chance(rng, 0.5):
        y = np.where(rng.random(target_shape) < 0.3, ignore_index, y).astype(np.int64)
    return y


def class_weight(rng, c, allow_negative):
    w = uniform(rng, (c,), -1 if allow_negative else 0, 2)
    return sprinkle(rng, w, [0.0], 0.1)


def gen_nll_loss(rng, i):
    xs, ts, label = class_shapes(rng)
    c = xs[1] if len(xs) > 1 else xs[0]
    ignore_index = pick(rng, [-100, -1, 0, c - 1, c + 3])
    all_ignored = chance(rng, 0.08)
    y = index_targets(rng, ts, c, ignore_index, all_ignored)
    if ts == () and chance(rng, 0.2):
        y = y.reshape(1)  # a (1) target with a 1-D input is accepted too
        label += "/target(1)"
    x = normal(rng, xs, 2)
    inputs = {"input": x, "target": y}
    if chance(rng, 0.5):
        inputs["weight"] = class_weight(rng, c, allow_negative=True)
        label += "/weight"
    return Case("nll_loss", {"ignore_index": ignore_index, "reduction": reduction_for(i)}, inputs,
                f"{label}/ignore={ignore_index}{'/all-ignored' if all_ignored else ''}")


def gen_cross_entropy(rng, i):
    xs, ts, label = class_shapes(rng)
    c = xs[1] if len(xs) > 1 else xs[0]
    smoothing = pick(rng, [0.0, 0.0, 0.15, rand_scalar(rng, 0, 1), 1.0, -0.3])
    x = normal(rng, xs, 3)
    if x.size and chance(rng, 0.05):
        x = sprinkle(rng, x, [-math.inf, 100.0, -100.0], 0.1)
        label += "/extreme-logits"
    inputs = {"input": x}
    if chance(rng, 0.35):
        # Probability targets: same shape as the input (not necessarily normalised).
        ignore_index = pick(rng, [-100, -1])
        y = f32(torch.softmax(torch.from_numpy(normal(rng, xs, 2)), dim=1 if len(xs) > 1 else 0).numpy()) \
            if chance(rng, 0.6) else uniform(rng, xs, 0, 1)
        inputs["target"] = y
        label += "/prob"
    else:
        ignore_index = pick(rng, [-100, -1, 0, c - 1, c + 3])
        all_ignored = chance(rng, 0.08)
        inputs["target"] = index_targets(rng, ts, c, ignore_index, all_ignored)
        label += f"/index/ignore={ignore_index}{'/all-ignored' if all_ignored else ''}"
    if chance(rng, 0.4):
        inputs["weight"] = class_weight(rng, c, allow_negative=chance(rng, 0.2))
        label += "/weight"
    options = {"ignore_index": ignore_index, "reduction": reduction_for(i), "label_smoothing": smoothing}
    return Case("cross_entropy", options, inputs, f"{label}/ls={smoothing}")


def errors_class_index(loss, rng, extra):
    x = normal(rng, (3, 4))
    y = ints(rng, (3,), 0, 4)
    base = dict(ignore_index=-100, reduction="mean", **extra)
    return [
        invalid_reduction(loss, {"input": x, "target": y}, **dict(base, reduction="x")),
        # cross_entropy reads an equal-shaped target as probabilities and rejects its dtype first.
        Case(loss, base, {"input": np.float64(1.0).reshape(()), "target": np.int64(0).reshape(())},
             "0-dim input", expect={"shape_mismatch", "invalid_value"}),
        Case(loss, base, {"input": x, "target": ints(rng, (2,), 0, 4)}, "batch mismatch",
             expect={"shape_mismatch"}),
        Case(loss, base, {"input": normal(rng, (2, 4, 3)), "target": ints(rng, (2, 4), 0, 4)},
             "spatial mismatch", expect={"shape_mismatch"}),
        Case(loss, base, {"input": x, "target": np.array([0, 4, 1], dtype=np.int64)}, "target = C",
             expect={"target_out_of_range"}),
        Case(loss, base, {"input": x, "target": np.array([0, -2, 1], dtype=np.int64)}, "target = -2",
             expect={"target_out_of_range"}),
        Case(loss, base, {"input": x, "target": y, "weight": uniform(rng, (3,), 0, 1)}, "weight length",
             expect={"shape_mismatch"}),
        Case(loss, base, {"input": x, "target": f32(y)}, "float index target (2-D input, 1-D target)",
             expect={"invalid_value"}),
    ]


def errors_nll_loss(rng):
    return errors_class_index("nll_loss", rng, {})


def errors_cross_entropy(rng):
    x = normal(rng, (3, 4))
    y = ints(rng, (3,), 0, 4)
    p = uniform(rng, (3, 4), 0, 1)
    base = {"ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0}
    return errors_class_index("cross_entropy", rng, {"label_smoothing": 0.0}) + [
        Case("cross_entropy", dict(base, label_smoothing=1.5), {"input": x, "target": y}, "label_smoothing>1",
             expect={"invalid_option"}),
        Case("cross_entropy", dict(base, ignore_index=0), {"input": x, "target": p}, "prob target + ignore_index>=0",
             expect={"invalid_option"}),
        Case("cross_entropy", base, {"input": x, "target": ints(rng, (3, 4), 0, 4)}, "int64 prob-shaped target",
             expect={"invalid_value"}),
    ]


def gen_poisson_nll_loss(rng, i):
    xs, ys, label = pointwise_shapes(rng)
    log_input = cycle(i // 3, [True, False])
    full = cycle(i // 6, [False, True])
    eps = pick(rng, [1e-8, 1e-3, 0.5])
    x = normal(rng, xs, 2) if log_input else uniform(rng, xs, 0, 5)
    y = f32(np.floor(uniform(rng, ys, 0, 6)))
    if chance(rng, 0.5):
        y = uniform(rng, ys, 0, 4)
    y = sprinkle(rng, y, [0.0, 1.0], 0.2)
    options = {"log_input": log_input, "full": full, "eps": eps, "reduction": reduction_for(i)}
    return Case("poisson_nll_loss", options, {"input": x, "target": y}, f"{label}/log={log_input}/full={full}")


def errors_poisson_nll_loss(rng):
    x = normal(rng, (3, 4))
    o = {"log_input": True, "full": False, "eps": 1e-8, "reduction": "mean"}
    return [invalid_reduction("poisson_nll_loss", {"input": x, "target": x}, **o),
            Case("poisson_nll_loss", o, {"input": x, "target": normal(rng, (2, 4))}, "non-broadcastable",
                 expect={"shape_mismatch"})]


def gen_gaussian_nll_loss(rng, i):
    shape = pick(rng, [(5,), (4, 3), (2, 3, 4), (0, 3)])
    label = f"{shape}"
    x = normal(rng, shape, 2)
    y = normal(rng, shape, 2)
    var_kind = pick(rng, ["full", "full", "homoscedastic", "singleton-dim", "target-singleton"])
    var_shape = shape
    if var_kind == "homoscedastic":
        var_shape = shape[:-1]
    elif var_kind == "singleton-dim":
        var_shape = shape[:-1] + (1,)
    elif var_kind == "target-singleton" and len(shape) >= 2:
        y = normal(rng, (1,) + shape[1:], 2)  # the target broadcasts freely
    var = uniform(rng, var_shape, 0.01, 3)
    eps = pick(rng, [1e-6, 1e-2, 0.5])
    if var.size and chance(rng, 0.3):
        var = sprinkle(rng, var, [0.0, 1e-7, eps], 0.3)  # clamped entries (Docs/Losses/gaussian_nll_loss.md: gradient at var_c)
        label += "/clamped"
    options = {"full": cycle(i // 3, [False, True]), "eps": eps, "reduction": reduction_for(i)}
    return Case("gaussian_nll_loss", options, {"input": x, "target": y, "var": var}, f"{label}/var={var_kind}")


def errors_gaussian_nll_loss(rng):
    x = normal(rng, (3, 2))
    o = {"full": False, "eps": 1e-6, "reduction": "mean"}
    v = uniform(rng, (3, 2), 0.1, 1)
    return [
        Case("gaussian_nll_loss", dict(o, reduction="avg"), {"input": x, "target": x, "var": v},
             "invalid reduction", expect={"invalid_reduction"}),
        Case("gaussian_nll_loss", o, {"input": x, "target": x, "var": f32(-v)}, "negative var",
             expect={"invalid_value"}),
        Case("gaussian_nll_loss", o, {"input": x, "target": x, "var": uniform(rng, (2,), 0.1, 1)},
             "var (2,) for input (3,2)", expect={"shape_mismatch"}),
        Case("gaussian_nll_loss", o, {"input": x, "target": x, "var": np.float64(1.0).reshape(())},
             "0-dim var with 2-D input", expect={"shape_mismatch"}),
    ]


def gen_kl_div(rng, i):
    xs, ys, label = pointwise_shapes(rng)
    log_target = cycle(i // 4, [False, True])
    axis = 1 if len(xs) > 1 else 0
    x = log_softmax(normal(rng, xs, 2), axis) if len(xs) and xs[axis] else normal(rng, xs)
    if log_target:
        y = normal(rng, ys, 2) - 1.0
    else:
        y = sprinkle(rng, uniform(rng, ys, 0, 1), [0.0], 0.2)
        if y.size and chance(rng, 0.05):
            y = sprinkle(rng, y, [-0.25], 0.2)
            label += "/negative-target"
    options = {"reduction": reduction_for(i, ["batchmean"]), "log_target": log_target}
    return Case("kl_div", options, {"input": x, "target": y}, f"{label}/log_target={log_target}")


def errors_kl_div(rng):
    x = normal(rng, (3, 4))
    o = {"reduction": "mean", "log_target": False}
    return [invalid_reduction("kl_div", {"input": x, "target": x}, log_target=False),
            Case("kl_div", o, {"input": x, "target": normal(rng, (3, 5))}, "non-broadcastable",
                 expect={"shape_mismatch"})]


def bce_weight(rng, shape):
    """A weight that broadcasts to the input without enlarging it: same, trailing, (1), 0-dim."""
    if not shape:
        return uniform(rng, (), 0, 2)
    choices = [shape, (1,), (), shape[-1:]]
    if len(shape) >= 2:
        choices.append((1,) + shape[1:])
    return uniform(rng, pick(rng, choices), 0, 2)


def bce_shape(rng):
    return pick(rng, [(), (6,), (3, 4), (2, 3, 2), (0,), (0, 4)])


def gen_binary_cross_entropy(rng, i):
    shape = bce_shape(rng)
    x = uniform(rng, shape, 0, 1)
    y = uniform(rng, shape, 0, 1) if chance(rng, 0.5) else f32(rng.random(shape) < 0.5)
    label = f"{shape}"
    if x.size and chance(rng, 0.3):
        x = sprinkle(rng, x, [0.0, 1.0, 1e-30, f32(1 - 2**-24)], 0.3)  # clamps at −100 and EPS32
        label += "/extremes"
    inputs = {"input": x, "target": y}
    if chance(rng, 0.4):
        inputs["weight"] = bce_weight(rng, shape)
        label += f"/weight{inputs['weight'].shape}"
    return Case("binary_cross_entropy", {"reduction": reduction_for(i)}, inputs, label)


def errors_binary_cross_entropy(rng):
    x = uniform(rng, (3, 4), 0.1, 0.9)
    o = {"reduction": "mean"}
    return [
        invalid_reduction("binary_cross_entropy", {"input": x, "target": x}),
        Case("binary_cross_entropy", o, {"input": x, "target": uniform(rng, (4,), 0, 1)}, "target size",
             expect={"shape_mismatch"}),
        Case("binary_cross_entropy", o, {"input": f32(x + 1), "target": x}, "input > 1", expect={"invalid_value"}),
        Case("binary_cross_entropy", o, {"input": sprinkle(rng, x, [math.nan], 0.5), "target": x}, "NaN input",
             expect={"invalid_value"}),
        Case("binary_cross_entropy", o, {"input": x, "target": f32(-x)}, "target < 0", expect={"invalid_value"}),
        Case("binary_cross_entropy", o, {"input": x, "target": x, "weight": uniform(rng, (2, 3, 4), 0, 1)},
             "weight enlarges the output", expect={"shape_mismatch"}),
    ]


def gen_binary_cross_entropy_with_logits(rng, i):
    shape = bce_shape(rng)
    x = normal(rng, shape, 3)
    label = f"{shape}"
    if x.size and chance(rng, 0.2):
        x = sprinkle(rng, x, [100.0, -100.0, 800.0, -800.0], 0.3)
        label += "/extreme-logits"
    y = uniform(rng, shape, 0, 1) if chance(rng, 0.8) else uniform(rng, shape, -1, 2)
    inputs = {"input": x, "target": y}
    if chance(rng, 0.4):
        inputs["weight"] = bce_weight(rng, shape)
        label += f"/weight{inputs['weight'].shape}"
    if chance(rng, 0.5):
        inputs["pos_weight"] = uniform(rng, pick(rng, [shape[-1:], shape, (1,)]) if shape else (), 0, 3)
        label += f"/pos_weight{inputs['pos_weight'].shape}"
    return Case("binary_cross_entropy_with_logits", {"reduction": reduction_for(i)}, inputs, label)


def errors_binary_cross_entropy_with_logits(rng):
    x = normal(rng, (3, 4))
    o = {"reduction": "mean"}
    loss = "binary_cross_entropy_with_logits"
    return [
        invalid_reduction(loss, {"input": x, "target": x}),
        Case(loss, o, {"input": x, "target": normal(rng, (4,))}, "target size", expect={"shape_mismatch"}),
        Case(loss, o, {"input": x, "target": x, "pos_weight": uniform(rng, (3,), 0, 1)}, "pos_weight (3,)",
             expect={"shape_mismatch"}),
        Case(loss, o, {"input": x, "target": x, "weight": uniform(rng, (2, 3, 4), 0, 1)},
             "weight enlarges the output", expect={"shape_mismatch"}),
    ]


def same_ndim_shapes(rng, n=3):
    """n shapes of equal rank that broadcast together (spec: MarginRanking, Triplet)."""
    base = pick(rng, [(), (6,), (5, 2), (2, 3, 4), (0,), (0, 3)])
    shapes = []
    for _ in range(n):
        s = list(base)
        if s and chance(rng, 0.3):
            s[int(rng.integers(len(s)))] = 1
        shapes.append(tuple(s))
    return shapes


def gen_margin_ranking_loss(rng, i):
    s1, s2, s3 = same_ndim_shapes(rng)
    x1, x2 = normal(rng, s1), normal(rng, s2)
    y = f32(np.where(rng.random(s3) < 0.5, 1.0, -1.0))
    if y.size and chance(rng, 0.2):
        y = sprinkle(rng, y, [0.0, 2.0, -0.5], 0.3)
    margin = pick(rng, [0.0, 0.5, -3.140000104904175, rand_scalar(rng, -1, 1)])
    label = f"{s1},{s2},{s3}/margin={margin}"
    if s1 == s2 and x1.size and chance(rng, 0.2):
        x2 = np.where(rng.random(s1) < 0.5, x1, x2)  # hinge exactly 0 when margin = 0
        label += "/ties"
    return Case("margin_ranking_loss", {"margin": margin, "reduction": reduction_for(i)},
                {"input1": x1, "input2": x2, "target": y}, label)


def errors_margin_ranking_loss(rng):
    x = normal(rng, (3, 4))
    o = {"margin": 0.0, "reduction": "mean"}
    return [invalid_reduction("margin_ranking_loss", {"input1": x, "input2": x, "target": x}, margin=0.0),
            Case("margin_ranking_loss", o, {"input1": x, "input2": x, "target": normal(rng, (4,))}, "ndim",
                 expect={"shape_mismatch"}),
            Case("margin_ranking_loss", o, {"input1": x, "input2": normal(rng, (3, 5)), "target": x},
                 "non-broadcastable", expect={"shape_mismatch"})]


def gen_hinge_embedding_loss(rng, i):
    xs, ys, label = pick(rng, [((), (), "0-dim"), ((6,), (6,), "1-D"), ((4, 5), (4, 5), "2-D"),
                               ((5, 5), (1, 5), "broadcast-target"), ((1, 5), (5, 5), "target-enlarges"),
                               ((0, 3), (0, 3), "empty")])
    margin = pick(rng, [1.0, 0.0, -1.0, 0.5, rand_scalar(rng, -2, 2)])
    x = normal(rng, xs, 2)
    y = f32(np.where(rng.random(ys) < 0.5, 1.0, -1.0))
    if y.size and chance(rng, 0.3):
        y = sprinkle(rng, y, [0.0, 2.0], 0.3)
    if x.size and chance(rng, 0.2):
        x = sprinkle(rng, x, [margin], 0.3)  # exactly at the hinge
        label += "/kink"
    return Case("hinge_embedding_loss", {"margin": margin, "reduction": reduction_for(i)},
                {"input": x, "target": y}, f"{label}/margin={margin}")


def errors_hinge_embedding_loss(rng):
    x = normal(rng, (3, 4))
    return [invalid_reduction("hinge_embedding_loss", {"input": x, "target": x}, margin=1.0),
            Case("hinge_embedding_loss", {"margin": 1.0, "reduction": "mean"}, {"input": x, "target": normal(rng, (3, 5))},
                 "non-broadcastable", expect={"shape_mismatch"})]


def multilabel_row(rng, c):
    """A target row: a prefix of labels (maybe repeated), −1, then anything in [−1, C)."""
    k = int(rng.integers(0, c + 1))
    prefix = list(rng.integers(0, c, size=k))
    if prefix and chance(rng, 0.3):
        prefix.append(prefix[0])  # duplicates: counted once in the set, summed per occurrence
    row = prefix[:c]
    if len(row) < c:
        row.append(-1)
    while len(row) < c:
        row.append(int(rng.integers(-1, c)))
    return row


def gen_multilabel_margin_loss(rng, i):
    reduction = reduction_for(i)
    c = int(rng.integers(1, 7))
    n = int(rng.integers(1, 5))
    xs = pick(rng, [(), (c,), (n, c), (n, c)] + ([(0, c)] if reduction == "none" else []))
    cc = 1 if xs == () else xs[-1]
    rows = [multilabel_row(rng, cc) for _ in range(1 if len(xs) < 2 else xs[0])]
    y = np.array(rows, dtype=np.int64).reshape(xs)
    x = normal(rng, xs)
    if x.size and chance(rng, 0.2):
        x = f32(np.round(x * 2) / 2)  # z = 1 − x_j + x_i hits 0 exactly
    return Case("multilabel_margin_loss", {"reduction": reduction}, {"input": x, "target": y}, f"{xs}")


def errors_multilabel_margin_loss(rng):
    x = normal(rng, (2, 3))
    o = {"reduction": "mean"}
    loss = "multilabel_margin_loss"
    return [
        invalid_reduction(loss, {"input": x, "target": np.zeros((2, 3), np.int64)}),
        Case(loss, o, {"input": x, "target": np.zeros((2, 2), np.int64)}, "target size", expect={"shape_mismatch"}),
        Case(loss, o, {"input": x, "target": np.array([[0, -1, -2], [1, 2, -1]], np.int64)}, "-2 after terminator",
             expect={"target_out_of_range"}),
        Case(loss, o, {"input": x, "target": np.array([[3, -1, 0], [1, 2, -1]], np.int64)}, "label = C",
             expect={"target_out_of_range"}),
        Case(loss, o, {"input": normal(rng, (2, 0)), "target": np.zeros((2, 0), np.int64)}, "C = 0",
             expect={"empty_input", "shape_mismatch"}),
        Case(loss, o, {"input": normal(rng, (2, 3, 2)), "target": np.zeros((2, 3, 2), np.int64)}, "3-D",
             expect={"shape_mismatch"}),
    ]


def deviations_multilabel_margin_loss(rng):
    x = normal(rng, (0, 3))
    y = np.zeros((0, 3), np.int64)
    return [Case("multilabel_margin_loss", {"reduction": r}, {"input": x, "target": y}, f"empty batch, {r}",
                 deviation="Docs/Semantics.md#empty-inputs: PyTorch returns uninitialised memory for an empty batch",
                 spec_result={"output": v}) for r, v in (("sum", 0.0), ("mean", math.nan))]


def gen_soft_margin_loss(rng, i):
    xs, ys, label = pick(rng, [((), (), "0-dim"), ((6,), (6,), "1-D"), ((4, 5), (4, 5), "2-D"),
                               ((4, 5), (1, 5), "broadcast-target"), ((0, 2), (0, 2), "empty")])
    x = normal(rng, xs, 3)
    if x.size and chance(rng, 0.15):
        x = sprinkle(rng, x, [800.0, -800.0, 100.0], 0.3)  # literal log1p(exp(·)) overflows to inf
        label += "/overflow"
    y = f32(np.where(rng.random(ys) < 0.5, 1.0, -1.0))
    if y.size and chance(rng, 0.2):
        y = sprinkle(rng, y, [0.0, 0.5, 2.0], 0.3)
    return Case("soft_margin_loss", {"reduction": reduction_for(i)}, {"input": x, "target": y}, label)


def errors_soft_margin_loss(rng):
    x = normal(rng, (3, 4))
    o = {"reduction": "mean"}
    return [invalid_reduction("soft_margin_loss", {"input": x, "target": x}),
            Case("soft_margin_loss", o, {"input": x, "target": normal(rng, (3, 5))}, "non-broadcastable",
                 expect={"shape_mismatch"}),
            Case("soft_margin_loss", o, {"input": normal(rng, (1, 4)), "target": x}, "target enlarges",
                 expect={"shape_mismatch"})]


def gen_multilabel_soft_margin_loss(rng, i):
    c = int(rng.integers(1, 6))
    n = int(rng.integers(1, 4))
    xs = pick(rng, [(c,), (n, c), (n, c), (n, 2, c), (0, c)])
    x = normal(rng, xs, 2)
    y = uniform(rng, xs, 0, 1) if chance(rng, 0.5) else f32(rng.random(xs) < 0.5)
    inputs = {"input": x, "target": y}
    label = f"{xs}"
    if chance(rng, 0.5):
        ws = pick(rng, [(c,), xs, (xs[0], 1) if len(xs) == 2 else (c,)])
        inputs["weight"] = uniform(rng, ws, 0, 2)
        label += f"/weight{ws}"
    return Case("multilabel_soft_margin_loss", {"reduction": reduction_for(i)}, inputs, label)


def errors_multilabel_soft_margin_loss(rng):
    x = normal(rng, (3, 4))
    o = {"reduction": "mean"}
    loss = "multilabel_soft_margin_loss"
    return [invalid_reduction(loss, {"input": x, "target": x}),
            Case(loss, dict(o, reduction="elementwise_mean"), {"input": x, "target": x}, "elementwise_mean rejected",
                 expect={"invalid_reduction"}),
            Case(loss, o, {"input": x, "target": normal(rng, (3, 5))}, "non-broadcastable target",
                 expect={"shape_mismatch"}),
            Case(loss, o, {"input": x, "target": x, "weight": normal(rng, (3,))}, "non-broadcastable weight",
                 expect={"shape_mismatch"})]


def gen_cosine_embedding_loss(rng, i):
    d = int(rng.integers(1, 6))
    n = int(rng.integers(1, 5))
    s1, s2, ts, label = pick(rng, [((d,), (d,), (), "unbatched"), ((n, d), (n, d), (n,), "batched"),
                                   ((n, d), (n, d), (n,), "batched"), ((n, d), (1, d), (n,), "broadcast-input2"),
                                   ((n, d), (n, d), (1,), "broadcast-target"), ((0, d), (0, d), (0,), "empty")])
    x1, x2 = normal(rng, s1), normal(rng, s2)
    if len(s1) == 2 and x1.size and chance(rng, 0.1):
        x1[0] = 0.0  # zero vector: cos = 0 via EPS32
        label += "/zero-vector"
    y = f32(np.where(rng.random(ts) < 0.5, 1.0, -1.0))
    if y.size and chance(rng, 0.15):
        y = sprinkle(rng, y, [0.0, 2.0], 0.4)
    margin = pick(rng, [0.0, 0.5, -0.5, rand_scalar(rng, -1, 1)])
    return Case("cosine_embedding_loss", {"margin": margin, "reduction": reduction_for(i)},
                {"input1": x1, "input2": x2, "target": y}, f"{label}/margin={margin}")


def errors_cosine_embedding_loss(rng):
    x = normal(rng, (3, 4))
    y = np.ones(3)
    o = {"margin": 0.0, "reduction": "mean"}
    loss = "cosine_embedding_loss"
    return [invalid_reduction(loss, {"input1": x, "input2": x, "target": y}, margin=0.0),
            Case(loss, o, {"input1": normal(rng, (4,)), "input2": normal(rng, (4,)), "target": y},
                 "1-D target with 1-D inputs", expect={"shape_mismatch"}),
            Case(loss, o, {"input1": x, "input2": x, "target": np.ones((3, 1))}, "2-D target",
                 expect={"shape_mismatch"}),
            Case(loss, o, {"input1": x, "input2": normal(rng, (3, 5)), "target": y}, "feature mismatch",
                 expect={"shape_mismatch"})]


def gen_multi_margin_loss(rng, i):
    reduction = reduction_for(i)
    c = int(rng.integers(1, 6))
    n = int(rng.integers(1, 5))
    shapes = [((), (), "0-dim"), ((c,), (), "unbatched"), ((c,), (1,), "unbatched/target(1)"),
              ((n, c), (n,), "batched"), ((n, c), (n,), "batched")]
    if reduction == "none":
        shapes.append(((0, c), (0,), "empty"))
    xs, ts, label = pick(rng, shapes)
    cc = 1 if xs == () else xs[-1]
    x = normal(rng, xs)
    if x.size and chance(rng, 0.2):
        x = f32(np.round(x * 2) / 2)  # z = margin − x_y + x_i hits 0 exactly for margin ∈ {0, 0.5, 1}
        label += "/kinks"
    p = cycle(i // 3, [1, 2])
    margin = pick(rng, [1.0, 0.0, 0.5, -3.140000104904175, rand_scalar(rng, -9, 9)])
    inputs = {"input": x, "target": ints(rng, ts, 0, cc)}
    if chance(rng, 0.4):
        inputs["weight"] = uniform(rng, (cc,), -10, 10)
        label += "/weight"
    return Case("multi_margin_loss", {"p": p, "margin": margin, "reduction": reduction}, inputs,
                f"{label}/p={p}/margin={margin}")


def errors_multi_margin_loss(rng):
    x = normal(rng, (3, 4))
    y = ints(rng, (3,), 0, 4)
    o = {"p": 1, "margin": 1.0, "reduction": "mean"}
    loss = "multi_margin_loss"
    return [invalid_reduction(loss, {"input": x, "target": y}, p=1, margin=1.0),
            Case(loss, dict(o, p=3), {"input": x, "target": y}, "p=3", expect={"invalid_option"}),
            Case(loss, o, {"input": x, "target": np.array([0, 4, 1], np.int64)}, "target = C",
                 expect={"target_out_of_range"}),
            Case(loss, o, {"input": x, "target": np.array([0, -1, 1], np.int64)}, "target = -1",
                 expect={"target_out_of_range"}),
            Case(loss, o, {"input": x, "target": ints(rng, (2,), 0, 4)}, "target size", expect={"shape_mismatch"}),
            Case(loss, o, {"input": x, "target": y, "weight": uniform(rng, (3,), 0, 1)}, "weight length",
                 expect={"shape_mismatch"}),
            Case(loss, o, {"input": x, "target": y, "weight": uniform(rng, (2, 2), 0, 1)}, "2-D weight",
                 expect={"shape_mismatch"}),
            Case(loss, o, {"input": normal(rng, (3, 0)), "target": np.zeros(3, np.int64)}, "C = 0",
                 expect={"empty_input", "shape_mismatch"}),
            Case(loss, o, {"input": normal(rng, (2, 3, 2)), "target": np.zeros(2, np.int64)}, "3-D",
                 expect={"shape_mismatch"})]


def deviations_multi_margin_loss(rng):
    x = normal(rng, (0, 3))
    y = np.zeros((0,), np.int64)
    return [Case("multi_margin_loss", {"p": 1, "margin": 1.0, "reduction": r}, {"input": x, "target": y},
                 f"empty batch, {r}", deviation="Docs/Semantics.md#empty-inputs: PyTorch returns uninitialised memory for an empty batch",
                 spec_result={"output": v}) for r, v in (("sum", 0.0), ("mean", math.nan))]


def triplet_inputs(rng):
    sa, sp, sn = same_ndim_shapes(rng)
    if sa == ():  # the distance needs a last dimension
        sa = sp = sn = (4,)
    a, p, n = normal(rng, sa), normal(rng, sp), normal(rng, sn)
    label = f"{sa},{sp},{sn}"
    if sa == sn and a.size and chance(rng, 0.15):
        n = a.copy()  # dist(a, n) = eps·D^{1/p}; swap ties when positive == negative too
        label += "/n=a"
    if sp == sn and a.size and chance(rng, 0.15):
        n = p.copy()
        label += "/n=p"
    return {"anchor": a, "positive": p, "negative": n}, label


def gen_triplet_margin_loss(rng, i):
    inputs, label = triplet_inputs(rng)
    options = {"margin": pick(rng, [1.0, 1e-6, 10.0, 0.5]), "p": pick(rng, [2.0, 1.0, 3.0, 1.5]),
               "eps": pick(rng, [1e-6, 0.0, 0.1]), "swap": cycle(i // 3, [False, True]), "reduction": reduction_for(i)}
    return Case("triplet_margin_loss", options, inputs, label)


def errors_triplet_margin_loss(rng):
    x = normal(rng, (3, 4))
    o = {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False, "reduction": "mean"}
    loss = "triplet_margin_loss"
    return [invalid_reduction(loss, {"anchor": x, "positive": x, "negative": x}, **{k: v for k, v in o.items() if k != "reduction"}),
            Case(loss, dict(o, margin=0.0), {"anchor": x, "positive": x, "negative": x}, "margin 0",
                 expect={"invalid_option"}),
            Case(loss, dict(o, margin=-1.0), {"anchor": x, "positive": x, "negative": x}, "margin < 0",
                 expect={"invalid_option"}),
            Case(loss, o, {"anchor": x, "positive": normal(rng, (4,)), "negative": x}, "ndim",
                 expect={"shape_mismatch"}),
            Case(loss, o, {"anchor": x, "positive": normal(rng, (3, 5)), "negative": x}, "non-broadcastable",
                 expect={"shape_mismatch"})]


def gen_triplet_margin_with_distance_loss(rng, i):
    inputs, label = triplet_inputs(rng)
    options = {"distance_function": cycle(i // 3, [None, "pairwise_distance", "cosine_distance"]),
               "margin": pick(rng, [1.0, 1e-6, 10.0, 0.5]), "swap": cycle(i // 9, [False, True]),
               "reduction": reduction_for(i)}
    return Case("triplet_margin_with_distance_loss", options, inputs, label)


def errors_triplet_margin_with_distance_loss(rng):
    x = normal(rng, (3, 4))
    o = {"distance_function": None, "margin": 1.0, "swap": False, "reduction": "mean"}
    loss = "triplet_margin_with_distance_loss"
    t = {"anchor": x, "positive": x, "negative": x}
    return [Case(loss, dict(o, reduction="avg"), t, "invalid reduction", expect={"invalid_reduction"}),
            Case(loss, dict(o, reduction="elementwise_mean"), t, "elementwise_mean rejected",
                 expect={"invalid_reduction"}),
            Case(loss, dict(o, margin=0.0), t, "margin 0", expect={"invalid_option"}),
            Case(loss, o, {"anchor": x, "positive": normal(rng, (4,)), "negative": x}, "ndim",
                 expect={"shape_mismatch"})]


def ctc_labels(rng, length, c, blank, repeats):
    labels = [l for l in range(c) if l != blank]
    out = []
    for _ in range(length):
        if out and repeats and chance(rng, 0.4):
            out.append(out[-1])  # a repeated label needs a blank between: infeasibility, skip rule
        else:
            out.append(pick(rng, labels))
    return out


def gen_ctc_loss(rng, i):
    t = int(rng.integers(1, 9))
    n = int(rng.integers(1, 4))
    c = int(rng.integers(2, 6))
    blank = pick(rng, [0, 0, c - 1, int(rng.integers(0, c))])
    unbatched = chance(rng, 0.2)
    if unbatched:
        n = 1
    input_lengths = [t if chance(rng, 0.6) else int(rng.integers(0, t + 1)) for _ in range(n)]
    target_lengths = [int(rng.integers(0, min(t, 5) + 2)) for _ in range(n)]  # may exceed feasibility
    seqs = [ctc_labels(rng, L, c, blank, chance(rng, 0.5)) for L in target_lengths]
    concatenated = chance(rng, 0.4)
    if concatenated:
        targets = np.array([l for s in seqs for l in s], dtype=np.int64)
    else:
        s = max(target_lengths) + int(rng.integers(0, 2))
        targets = np.array([q + [int(rng.integers(0, c))] * (s - len(q)) for q in seqs], dtype=np.int64).reshape(n, s)
    lp_shape = (t, c) if unbatched else (t, n, c)
    log_probs = log_softmax(normal(rng, lp_shape, 2), -1)
    label = f"T={t},N={n},C={c},blank={blank}"
    if unbatched:
        label += "/unbatched"
        il = np.array(input_lengths[0], dtype=np.int64).reshape(pick(rng, [(), (1,)]))
        tl = np.array(target_lengths[0], dtype=np.int64).reshape(il.shape)
        if not concatenated and chance(rng, 0.5):
            targets = targets.reshape(1, -1)  # the padded unbatched form is (1, S)
        else:
            targets = np.array(seqs[0], dtype=np.int64)
            concatenated = True
    else:
        il = np.array(input_lengths, dtype=np.int64)
        tl = np.array(target_lengths, dtype=np.int64)
    label += "/concatenated" if concatenated else "/padded"
    options = {"blank": blank, "reduction": reduction_for(i), "zero_infinity": cycle(i // 3, [False, True])}
    return Case("ctc_loss", options,
                {"log_probs": log_probs, "targets": targets, "input_lengths": il, "target_lengths": tl}, label)


def errors_ctc_loss(rng):
    lp = log_softmax(normal(rng, (5, 2, 4)), -1)
    tg = np.array([[1, 2], [3, 3]], np.int64)
    il = np.array([5, 4], np.int64)
    tl = np.array([2, 1], np.int64)
    o = {"blank": 0, "reduction": "mean", "zero_infinity": False}

    def case(note, expect, options=o, **over):
        inputs = dict({"log_probs": lp, "targets": tg, "input_lengths": il, "target_lengths": tl}, **over)
        return Case("ctc_loss", options, inputs, note, expect=expect)

    return [
        case("invalid reduction", {"invalid_reduction"}, dict(o, reduction="avg")),
        case("blank = C", {"invalid_option"}, dict(o, blank=4)),
        case("blank < 0", {"invalid_option"}, dict(o, blank=-1)),
        case("input length > T", {"invalid_length"}, input_lengths=np.array([6, 4], np.int64)),
        case("input length < 0", {"invalid_length"}, input_lengths=np.array([-1, 4], np.int64)),
        case("target length < 0", {"invalid_length"}, target_lengths=np.array([-1, 1], np.int64)),
        case("padded S < max length", {"invalid_length", "shape_mismatch"}, target_lengths=np.array([3, 1], np.int64)),
        case("concatenated numel != sum", {"invalid_length", "shape_mismatch"}, targets=np.array([1, 2], np.int64)),
        case("lengths size != N", {"invalid_length", "shape_mismatch"}, input_lengths=np.array([5], np.int64)),
        case("T = 0", {"empty_input"}, log_probs=normal(rng, (0, 2, 4)), input_lengths=np.array([0, 0], np.int64)),
        case("N = 0", {"empty_input"}, log_probs=normal(rng, (5, 0, 4)), targets=np.zeros((0, 2), np.int64),
             input_lengths=np.zeros(0, np.int64), target_lengths=np.zeros(0, np.int64)),
        case("3-D targets", {"shape_mismatch"}, targets=np.ones((2, 2, 1), np.int64)),
    ]


def deviations_ctc_loss(rng):
    lp = log_softmax(normal(rng, (5, 2, 4)), -1)
    il = np.array([5, 5], np.int64)
    tl = np.array([2, 1], np.int64)
    o = {"blank": 0, "reduction": "sum", "zero_infinity": False}
    note = "Docs/Losses/ctc_loss.md: PyTorch does not validate CTC labels (reads arbitrary memory / uses blank literally)"
    return [Case("ctc_loss", o, {"log_probs": lp, "targets": tg, "input_lengths": il, "target_lengths": tl}, what,
                 deviation=note, spec_result="target_out_of_range")
            for what, tg in (("label = C", np.array([[1, 4], [2, 0]], np.int64)),
                             ("label < 0", np.array([[1, -1], [2, 0]], np.int64)),
                             ("label = blank", np.array([[0, 1], [2, 0]], np.int64)))]


# ------------------------------------------------------------------------------------------------
# PyTorch: the call per loss, the differentiable arguments, and the error kinds of its exceptions.


def cosine_distance(a, b):
    return 1 - F.cosine_similarity(a, b, dim=-1, eps=1e-8)


def torch_triplet_with_distance(t, o):
    fn = {None: None, "pairwise_distance": F.pairwise_distance, "cosine_distance": cosine_distance}[o["distance_function"]]
    return F.triplet_margin_with_distance_loss(t["anchor"], t["positive"], t["negative"], distance_function=fn,
                                               margin=o["margin"], swap=o["swap"], reduction=o["reduction"])


TORCH = {
    "l1_loss": lambda t, o: F.l1_loss(t["input"], t["target"], reduction=o["reduction"], weight=t.get("weight")),
    "mse_loss": lambda t, o: F.mse_loss(t["input"], t["target"], reduction=o["reduction"], weight=t.get("weight")),
    "huber_loss": lambda t, o: F.huber_loss(t["input"], t["target"], reduction=o["reduction"], delta=o["delta"],
                                            weight=t.get("weight")),
    "smooth_l1_loss": lambda t, o: F.smooth_l1_loss(t["input"], t["target"], reduction=o["reduction"], beta=o["beta"]),
    "cross_entropy": lambda t, o: F.cross_entropy(t["input"], t["target"], weight=t.get("weight"),
                                                  ignore_index=o["ignore_index"], reduction=o["reduction"],
                                                  label_smoothing=o["label_smoothing"]),
    "nll_loss": lambda t, o: F.nll_loss(t["input"], t["target"], weight=t.get("weight"),
                                        ignore_index=o["ignore_index"], reduction=o["reduction"]),
    "poisson_nll_loss": lambda t, o: F.poisson_nll_loss(t["input"], t["target"], log_input=o["log_input"],
                                                        full=o["full"], eps=o["eps"], reduction=o["reduction"]),
    "gaussian_nll_loss": lambda t, o: F.gaussian_nll_loss(t["input"], t["target"], t["var"], full=o["full"],
                                                          eps=o["eps"], reduction=o["reduction"]),
    "kl_div": lambda t, o: F.kl_div(t["input"], t["target"], reduction=o["reduction"], log_target=o["log_target"]),
    "binary_cross_entropy": lambda t, o: F.binary_cross_entropy(t["input"], t["target"], weight=t.get("weight"),
                                                                reduction=o["reduction"]),
    "binary_cross_entropy_with_logits": lambda t, o: F.binary_cross_entropy_with_logits(
        t["input"], t["target"], weight=t.get("weight"), pos_weight=t.get("pos_weight"), reduction=o["reduction"]),
    "margin_ranking_loss": lambda t, o: F.margin_ranking_loss(t["input1"], t["input2"], t["target"],
                                                              margin=o["margin"], reduction=o["reduction"]),
    "hinge_embedding_loss": lambda t, o: F.hinge_embedding_loss(t["input"], t["target"], margin=o["margin"],
                                                                reduction=o["reduction"]),
    "multilabel_margin_loss": lambda t, o: F.multilabel_margin_loss(t["input"], t["target"], reduction=o["reduction"]),
    "soft_margin_loss": lambda t, o: F.soft_margin_loss(t["input"], t["target"], reduction=o["reduction"]),
    "multilabel_soft_margin_loss": lambda t, o: F.multilabel_soft_margin_loss(
        t["input"], t["target"], weight=t.get("weight"), reduction=o["reduction"]),
    "cosine_embedding_loss": lambda t, o: F.cosine_embedding_loss(t["input1"], t["input2"], t["target"],
                                                                  margin=o["margin"], reduction=o["reduction"]),
    "multi_margin_loss": lambda t, o: F.multi_margin_loss(t["input"], t["target"], p=o["p"], margin=o["margin"],
                                                          weight=t.get("weight"), reduction=o["reduction"]),
    "triplet_margin_loss": lambda t, o: F.triplet_margin_loss(t["anchor"], t["positive"], t["negative"],
                                                              margin=o["margin"], p=o["p"], eps=o["eps"],
                                                              swap=o["swap"], reduction=o["reduction"]),
    "triplet_margin_with_distance_loss": torch_triplet_with_distance,
    "ctc_loss": lambda t, o: F.ctc_loss(t["log_probs"], t["targets"], t["input_lengths"], t["target_lengths"],
                                        blank=o["blank"], reduction=o["reduction"], zero_infinity=o["zero_infinity"]),
}

# Arguments PyTorch differentiates (Docs/Semantics.md#differentiability; mirrors LossKind.arguments). A float cross_entropy
# target (class probabilities) is differentiable; an index target is not (it is int64). The table is
# shared with the ports (Ports/losses.py, standard library only, so a port for another framework needs no torch).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Ports"))
from losses import DIFFERENTIABLE  # noqa: E402

# PyTorch exception message fragments → error kinds (Docs/ErrorKinds.md), first match wins. Where the
# design admits two readings (a CTC lengths tensor of the wrong size) both kinds are accepted.
TORCH_ERROR_KINDS = [
    ("not a valid value for reduction", {"invalid_reduction"}),
    ("is not valid", {"invalid_reduction"}),
    ("Invalid reduction mode", {"invalid_reduction"}),
    ("label_smoothing must be", {"invalid_option"}),
    ("only p == 1 and p == 2", {"invalid_option"}),
    ("non-positive values for delta", {"invalid_option"}),
    ("negative values for beta", {"invalid_option"}),
    ("margin must be greater than 0", {"invalid_option"}),
    ("ignore_index is not supported", {"invalid_option"}),
    ("blank must be in label range", {"invalid_option"}),
    ("out of bounds", {"target_out_of_range"}),
    ("out of range", {"target_out_of_range"}),
    ("between 0 and 1", {"invalid_value"}),
    ("negative entry", {"invalid_value"}),
    ("expected target dtype", {"invalid_value"}),
    ("Expected floating point type", {"invalid_value"}),
    ("expected scalar type", {"invalid_value"}),
    ("Expected dtype int32/int64 for index", {"invalid_value"}),  # the same dtype checks, as torch.compile's fake tensors word them
    ("could not infer output dtype", {"invalid_value"}),
    ("Integral inputs not supported", {"invalid_value"}),
    ("Found dtype", {"invalid_value"}),
    ("not implemented for 'Long'", {"invalid_value"}),
    ("does not have an identity", {"empty_input"}),
    ("Mismatch in shape", {"shape_mismatch"}),
    ("can't be cast to the desired output type", {"invalid_value"}),
    ("must not be empty", {"empty_input"}),
    ("Expected non-empty vector", {"empty_input", "shape_mismatch"}),
    ("input_lengths must be of size", {"invalid_length", "shape_mismatch"}),
    ("target_lengths must be of size", {"invalid_length", "shape_mismatch"}),
    ("input_lengths to have value", {"invalid_length"}),
    ("target_lengths to have value", {"invalid_length"}),
    ("Expected tensor to have size", {"invalid_length", "shape_mismatch"}),
    ("must be integral", {"invalid_length"}),
]
SHAPE_FRAGMENTS = ["size", "dimension", "shape", "multi-target", "target tensor", "doesn't match",
                   "one-dimensional", "expects", "1D", "0D"]


def torch_error_kinds(exc):
    """The Docs/ErrorKinds.md kinds a PyTorch exception stands for, or None when it is not recognised."""
    message = str(exc)
    for fragment, kinds in TORCH_ERROR_KINDS:
        if fragment in message:
            return kinds
    if any(f in message for f in SHAPE_FRAGMENTS):
        return {"shape_mismatch"}
    return None


class TorchResult:
    """PyTorch's outputs by role, or the exception its forward raised. `backward_error` is set when
    the forward succeeded but autograd raised (then only the output is compared)."""

    def __init__(self, outputs=None, error=None, grad_output=None, backward_error=None):
        self.outputs = outputs or {}
        self.error = error
        self.grad_output = grad_output
        self.backward_error = backward_error


def torch_evaluate(case, rng):
    """Output and gradients of sum(grad_output * output) in float64, or the exception raised."""
    o = case.options
    requires = [r for r in DIFFERENTIABLE[case.loss]
                if r in case.inputs and case.inputs[r].dtype == np.float64]
    tensors = {}
    for role, a in case.inputs.items():
        t = torch.from_numpy(np.array(a))
        if role in requires:
            t.requires_grad_(True)
        tensors[role] = t
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = TORCH[case.loss](tensors, o)
    except Exception as e:  # noqa: BLE001 — any PyTorch rejection is a data point
        return TorchResult(error=e)
    grad_output = normal(rng, tuple(out.shape), 1)
    outputs = {"output": out.detach().numpy().copy()}
    if requires:
        try:
            total = (out * torch.from_numpy(grad_output)).sum()
            grads = torch.autograd.grad(total, [tensors[r] for r in requires], allow_unused=True)
        except Exception as e:  # noqa: BLE001 — e.g. nll_loss's backward rejects a (1) target
            return TorchResult(outputs, grad_output=grad_output, backward_error=e)
        for role, g in zip(requires, grads):
            outputs["grad_" + role] = np.zeros(case.inputs[role].shape) if g is None else g.detach().numpy().copy()
    return TorchResult(outputs, grad_output=grad_output)


# ------------------------------------------------------------------------------------------------
# Running the Reference


def run_reference(lossbench, lines):
    """All cases through one `lossbench eval --lines` process; one parsed result per case."""
    text = "".join(json.dumps(line, allow_nan=False) + "\n" for line in lines)
    try:
        proc = subprocess.run([lossbench, "eval", "--lines"], input=text, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"error: cannot run {lossbench}: {e}")
    if proc.returncode != 0:
        sys.exit(f"error: {lossbench} eval --lines exited {proc.returncode}: {proc.stderr.strip()}")
    results = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(results) != len(lines):
        sys.exit(f"error: {lossbench} returned {len(results)} results for {len(lines)} cases")
    return results


# ------------------------------------------------------------------------------------------------
# Comparison


def compare_tensor(role, expected, got, scale):
    """(max normalised error, first mismatch message or None)."""
    if got.shape != expected.shape:
        return math.inf, f"{role}: shape {list(got.shape)}, expected {list(expected.shape)}"
    if scale is None or scale.shape != expected.shape:
        return math.inf, f"{role}: missing or misshapen scale"
    worst, problem = 0.0, None
    for idx in np.ndindex(expected.shape):
        e, g, s = float(expected[idx]), float(got[idx]), float(scale[idx])
        if math.isnan(e) or math.isnan(g) or math.isinf(e) or math.isinf(g):
            ok = (math.isnan(e) and math.isnan(g)) or e == g
            err = 0.0 if ok else math.inf
        else:
            err = abs(g - e) / max(abs(e), abs(s) if not math.isnan(s) else 0.0, TINY)
            ok = err <= RTOL
        worst = max(worst, err)
        if not ok and problem is None:
            problem = f"{role}{list(idx)}: got {g!r}, expected {e!r} (scale {s!r}, normalised error {err:.3g})"
    return worst, problem


def judge(case, torch_result, ref):
    """('agree'|'disagree'|'not_implemented', max normalised error, messages, error_matched)."""
    ref_error = ref.get("error")
    if ref_error and "not implemented" in ref_error.get("message", ""):
        return "not_implemented", 0.0, [ref_error["message"]], None
    if case.deviation is not None:
        return judge_against_spec(case, ref)
    if torch_result.error is not None:
        kinds = case.expect or torch_error_kinds(torch_result.error)
        te = f"torch {type(torch_result.error).__name__}: {str(torch_result.error).splitlines()[0][:200]}"
        if not ref_error:
            return "disagree", math.inf, [f"{te}; the Reference returned a result"], False
        if kinds is not None and ref_error["kind"] not in kinds:
            return "disagree", 0.0, [f"{te} (kind {'/'.join(sorted(kinds))}); the Reference raised "
                                     f"{ref_error['kind']} on {ref_error['argument']}: {ref_error['message']}"], False
        return "agree", 0.0, [], True
    if case.expect:
        # The generator meant this as an error case, but PyTorch accepted it: compare values anyway.
        note = [f"note: PyTorch accepted an intended error case ({case.note})"]
    else:
        note = []
    if ref_error:
        return "disagree", math.inf, note + [f"the Reference raised {ref_error['kind']} on {ref_error['argument']}: "
                                             f"{ref_error['message']}"], None
    outputs, scales = ref.get("outputs", {}), ref.get("scales", {})
    worst, problems = 0.0, []
    for role, expected in torch_result.outputs.items():
        if role not in outputs:
            problems.append(f"{role}: missing from the Reference's result")
            worst = math.inf
            continue
        scale = decode_tensor(scales[role]) if role in scales else None
        err, problem = compare_tensor(role, expected, decode_tensor(outputs[role]), scale)
        worst = max(worst, err)
        if problem:
            problems.append(problem)
    if torch_result.backward_error is not None:
        note.append(f"note: PyTorch's backward raised ({torch_result.backward_error}); only the output was compared")
    for role in sorted(set(outputs) - set(torch_result.outputs)):
        if torch_result.backward_error is not None and role.startswith("grad_"):
            continue
        problems.append(f"{role}: returned by the Reference but PyTorch has no such gradient")
        worst = math.inf
    return ("disagree" if problems else "agree"), worst, note + problems, None


def judge_against_spec(case, ref):
    ref_error = ref.get("error")
    if isinstance(case.spec_result, str):
        if ref_error and ref_error["kind"] == case.spec_result:
            return "agree", 0.0, [], True
        got = f"{ref_error['kind']}" if ref_error else "a result"
        return "disagree", math.inf, [f"spec result: raise {case.spec_result}; the Reference gave {got}"], False
    if ref_error:
        return "disagree", math.inf, [f"the Reference raised {ref_error['kind']}: {ref_error['message']}"], None
    problems = []
    for role, value in case.spec_result.items():
        got = decode_tensor(ref["outputs"][role]) if role in ref.get("outputs", {}) else None
        ok = got is not None and got.shape == () and (
            (math.isnan(value) and math.isnan(float(got))) or float(got) == value)
        if not ok:
            problems.append(f"{role}: spec result {value!r}, the Reference gave "
                            f"{None if got is None else got.tolist()!r}")
    return ("disagree" if problems else "agree"), 0.0, problems, None


# ------------------------------------------------------------------------------------------------
# Driver


LOSSES = list(TORCH)


def build_cases(loss, n, seed):
    """The random, error and deviation cases of one loss; each loss has its own seeded stream."""
    rng = np.random.default_rng([seed, LOSSES.index(loss)])
    generator = globals()["gen_" + loss]
    cases = [generator(rng, i) for i in range(n)]
    cases += globals()["errors_" + loss](rng)
    deviations = globals().get("deviations_" + loss)
    if deviations:
        cases += deviations(rng)
    return cases, rng


class Tally:
    def __init__(self):
        self.cases = self.agree = self.disagree = self.not_implemented = 0
        self.max_error = 0.0
        self.errors_total = self.errors_matched = 0
        self.deviations = []
        self.backward_defects = []
        self.failures = []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loss", action="append", choices=LOSSES, help="only this loss (repeatable)")
    parser.add_argument("--cases", type=int, default=100, help="random cases per loss (default 100)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the case streams")
    parser.add_argument("--lossbench", default=".build/debug/lossbench", help="the lossbench executable")
    parser.add_argument("--out", help="write the Markdown report here (default: standard output)")
    parser.add_argument("--failures-dir", default="torch_compare_failures",
                        help="directory for the JSON of each disagreeing case")
    args = parser.parse_args(argv)
    torch.set_default_dtype(torch.float64)

    losses = args.loss or LOSSES
    cases, torch_results, lines = [], [], []
    for loss in losses:
        loss_cases, rng = build_cases(loss, args.cases, args.seed)
        for case in loss_cases:
            result = TorchResult() if case.deviation else torch_evaluate(case, rng)
            cases.append(case)
            torch_results.append(result)
            lines.append(case.to_json(result.grad_output))
    refs = run_reference(args.lossbench, lines)

    tallies = {loss: Tally() for loss in losses}
    for k, (case, tr, ref, line) in enumerate(zip(cases, torch_results, refs, lines)):
        t = tallies[case.loss]
        t.cases += 1
        verdict, err, messages, matched = judge(case, tr, ref)
        if verdict == "agree":
            t.agree += 1
        elif verdict == "disagree":
            t.disagree += 1
        else:
            t.not_implemented += 1
        if verdict != "not_implemented":
            if math.isfinite(err):
                t.max_error = max(t.max_error, err)
            if tr.error is not None or (case.deviation and isinstance(case.spec_result, str)):
                t.errors_total += 1
                t.errors_matched += bool(matched)
        if case.deviation:
            t.deviations.append((case, verdict, messages))
        if tr.backward_error is not None:
            t.backward_defects.append((k, case, tr.backward_error))
        if verdict == "disagree":
            t.failures.append((k, case, tr, line, messages))

    report = render(args, losses, tallies)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)
        print(report.split("\n## Disagreements")[0])
    else:
        print(report)
    return 1 if any(t.disagree for t in tallies.values()) else 0


def source_revision():
    """The git commit of the working directory (where lossbench was built), for the report."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return rev.stdout.strip() + (" (modified)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"


def render(args, losses, tallies):
    out = ["# PyTorch float64 vs LossBench Reference", "",
           f"torch {torch.__version__}, lossbench at {source_revision()}, seed {args.seed}, {args.cases} random cases per loss plus invalid-input "
           f"and deviation cases. Agreement: |ref − torch| ≤ {RTOL:g}·max(|torch|, scale, tiny) per element, "
           "NaN = NaN, equal infinities, equal shapes; where PyTorch raises, the Reference must raise the "
           "mapped error kind. Max error is |ref − torch| / max(|torch|, scale, tiny).", "",
           "| loss | cases | agree | disagree | not implemented | max error | errors matched |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for loss in losses:
        t = tallies[loss]
        out.append(f"| {loss} | {t.cases} | {t.agree} | {t.disagree} | {t.not_implemented} | "
                   f"{t.max_error:.3g} | {t.errors_matched}/{t.errors_total} |")
    total = Tally()
    for t in tallies.values():
        total.cases += t.cases
        total.agree += t.agree
        total.disagree += t.disagree
        total.not_implemented += t.not_implemented
    out += ["", f"Total: {total.cases} cases, {total.agree} agree, {total.disagree} disagree, "
                f"{total.not_implemented} not implemented.", ""]

    deviations = [(loss, d) for loss in losses for d in tallies[loss].deviations]
    if deviations:
        out += ["## Documented deviations from PyTorch (checked against the spec's result, not PyTorch)", ""]
        for loss, (case, verdict, messages) in deviations:
            out.append(f"- {loss} — {case.note}: {case.deviation}; expected "
                       f"{case.spec_result!r}: **{verdict}**{(' — ' + '; '.join(messages)) if messages else ''}")
        out.append("")

    backward = [(loss, d) for loss in losses for d in tallies[loss].backward_defects]
    if backward:
        out += ["## PyTorch forward accepted, backward raised (only the output compared)", ""]
        shown = backward[:10]
        out += [f"- {loss} case {k} ({case.note}): {str(e).splitlines()[0]}" for loss, (k, case, e) in shown]
        if len(backward) > len(shown):
            out.append(f"- … and {len(backward) - len(shown)} more")
        out.append("")

    failures = [(loss, f) for loss in losses for f in tallies[loss].failures]
    if failures:
        os.makedirs(args.failures_dir, exist_ok=True)
        out += ["## Disagreements", ""]
        for loss, (k, case, tr, line, messages) in failures:
            path = os.path.join(args.failures_dir, f"{loss}-{k:05d}.json")
            with open(path, "w") as f:
                detail = {"case": line, "note": case.note,
                          "torch": ({"error": f"{type(tr.error).__name__}: {tr.error}"} if tr.error is not None
                                    else {role: encode_tensor(v) for role, v in tr.outputs.items()})}
                json.dump(detail, f, allow_nan=False)
                f.write("\n")
            out.append(f"- **{loss}** case {k} ({case.note}; options {json.dumps(case.options)}) → `{path}`")
            out += [f"  - {m}" for m in messages[:6]]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
