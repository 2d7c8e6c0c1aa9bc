#!/usr/bin/env python3
"""The MLX port (protocol 1, Ports/README.md): mlx.nn.losses' own loss functions, float32, CPU device.

    /tmp/mlx-venv/bin/python Ports/mlx/port.py

Install: python3 -m venv /tmp/mlx-venv && /tmp/mlx-venv/bin/pip install mlx mlx-cpu numpy

Wire names and options are PyTorch's (torch.nn.functional). Each is mapped onto the arguments of
the MLX function where MLX has one (see LOSSES); where MLX lacks an option, an option value or an
input form (class weights, ignore_index, broadcasting, pos_weight, swap, ...) the port says so
(hello `unsupported`, or `{"unsupported": why}` for the case) instead of re-implementing it.
Losses MLX has no function for are composed from mx.* primitives and listed under `composed`;
those compositions carry PyTorch's own argument checks (they are this port's code, not MLX's).
No input validation is added to MLX's own functions: what MLX accepts silently is a finding
(declared in Ports/mlx-f32.json, reported in Reports/ports.md).

Gradients are mx.vjp of the loss with grad_output as cotangent, for the float arguments of
Tools/torch_compare.py's DIFFERENTIABLE table that the case wants. MLX is lazy: every result is
mx.eval'd, inside the timed region for load/run.
"""
import base64, math, os, sys

import numpy as np
import mlx.core as mx
import mlx.nn.losses as L
from mlx.nn.losses import _reduce  # MLX's own reduction (raises on an unknown reduction)

mx.set_default_device(mx.cpu)

# The PyTorch functions' arguments, options and gradients, shared by the Python ports.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from losses import DIFFERENTIABLE, INTEGER_ROLES, PortError, Unsupported, option_problem, serve, wire_options  # noqa: E402



def decode(t):
    raw = base64.b64decode(t["data"])
    if t["dtype"] == "int64":
        a = np.frombuffer(raw, dtype="<i8").reshape(t["shape"])
        return mx.array(a.astype(np.int64))
    a = np.frombuffer(raw, dtype="<f8").reshape(t["shape"]).astype(np.float32)
    return mx.array(a)


def encode(x):
    a = np.array(x.astype(mx.float32) if x.dtype != mx.float32 else x, copy=True)
    a = np.asarray(a, dtype="<f4").reshape(x.shape)
    return {"dtype": "float32", "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


def is_float(x):
    return mx.issubdtype(x.dtype, mx.floating)


def broadcastable(*shapes):
    try:
        np.broadcast_shapes(*[tuple(s) for s in shapes])
        return True
    except ValueError:
        return False


def strict_shapes(loss, *arrays):
    """MLX functions that demand equal shapes: a case PyTorch would broadcast is unsupported."""
    shapes = [tuple(a.shape) for a in arrays]
    if len(set(shapes)) > 1 and broadcastable(*shapes):
        raise Unsupported(f"mlx.nn.losses.{loss} requires equal shapes; PyTorch broadcasts {shapes}")


def no_weight(t, loss, what="weight"):
    if what in t:
        raise Unsupported(f"mlx.nn.losses.{loss} has no {what} argument")


# ------------------------------------------------------------------------------------------------
# MLX's own functions. Each entry builds f(t) -> output from the tensors t (mx arrays) and options o.

def l1_loss(t, o):
    no_weight(t, "l1_loss")
    strict_shapes("l1_loss", t["input"], t["target"])
    return lambda t: L.l1_loss(t["input"], t["target"], reduction=o["reduction"])


def mse_loss(t, o):
    no_weight(t, "mse_loss")
    strict_shapes("mse_loss", t["input"], t["target"])
    return lambda t: L.mse_loss(t["input"], t["target"], reduction=o["reduction"])


def huber_loss(t, o):
    no_weight(t, "huber_loss")
    return lambda t: L.huber_loss(t["input"], t["target"], delta=o["delta"], reduction=o["reduction"])


def smooth_l1_loss(t, o):
    strict_shapes("smooth_l1_loss", t["input"], t["target"])
    return lambda t: L.smooth_l1_loss(t["input"], t["target"], beta=o["beta"], reduction=o["reduction"])


def class_axis(x):
    return 1 if x.ndim >= 2 else 0


def index_ignored(t, o, loss):
    y = t["target"]
    if not is_float(y) and y.size and bool(mx.any(y == o["ignore_index"]).item()):
        raise Unsupported(f"mlx.nn.losses.{loss} has no ignore_index (a target equals {o['ignore_index']})")


def cross_entropy(t, o):
    no_weight(t, "cross_entropy", "weight")  # MLX's weights are per target element, not per class
    x, y = t["input"], t["target"]
    if isinstance(o["label_smoothing"], (int, float)) and -math.inf < o["label_smoothing"] < 0:
        raise Unsupported("mlx.nn.losses.cross_entropy takes label_smoothing in [0, 1) (PyTorch accepts a negative one)")
    if y.ndim == x.ndim:  # probability targets (MLX's own rule)
        if o["ignore_index"] >= 0:
            raise Unsupported("mlx.nn.losses.cross_entropy has no ignore_index (PyTorch rejects ignore_index >= 0 with probabilities)")
    else:
        index_ignored(t, o, "cross_entropy")
    return lambda t: L.cross_entropy(t["input"], t["target"], axis=class_axis(t["input"]),
                                     label_smoothing=o["label_smoothing"], reduction=o["reduction"])


def nll_loss(t, o):
    no_weight(t, "nll_loss")
    x, y = t["input"], t["target"]
    index_ignored(t, o, "nll_loss")
    if x.ndim == 1 and y.ndim == 1 and y.shape[0] == 1:
        raise Unsupported("mlx.nn.losses.nll_loss takes the target of an unbatched (C) input as 0-dim, not (1)")
    return lambda t: L.nll_loss(t["input"], t["target"], axis=class_axis(t["input"]), reduction=o["reduction"])


def gaussian_nll_loss(t, o):
    x, y, v = t["input"], t["target"], t["var"]
    if not (x.shape == y.shape == v.shape):
        # MLX demands equal shapes. PyTorch accepts a homoscedastic var (one fewer trailing dim),
        # a var with one size-1 dimension, and a broadcasting target: those cases are unsupported.
        vs = tuple(v.shape)
        ok_var = vs == tuple(x.shape) or vs == tuple(x.shape[:-1]) or (
            len(vs) == x.ndim and sum(1 for a, b in zip(vs, x.shape) if a != b) == 1
            and sum(a for a, b in zip(vs, x.shape) if a != b) == 1)
        vb = vs + (1,) if (vs == tuple(x.shape[:-1]) and vs != tuple(x.shape)) else vs
        if ok_var and broadcastable(x.shape, y.shape, vb):
            raise Unsupported("mlx.nn.losses.gaussian_nll_loss requires input, target and vars of equal shapes")
    return lambda t: L.gaussian_nll_loss(t["input"], t["target"], t["var"], full=o["full"], eps=o["eps"],
                                         reduction=o["reduction"])


def kl_div(t, o):
    if not o["log_target"]:
        raise Unsupported("mlx.nn.losses.kl_div_loss takes log-probability targets only")
    x = t["input"]
    red = o["reduction"]
    # MLX sums exp(t)(t - x) over `axis` before reducing. Summing over no axis gives PyTorch's
    # elementwise loss ('none', 'mean', 'sum'); summing over every axis but the first and taking
    # MLX's 'mean' over the first gives 'batchmean' (sum / input.size(0)).
    if red == "batchmean":
        shape = np.broadcast_shapes(tuple(x.shape), tuple(t["target"].shape))
        if tuple(shape) != tuple(x.shape):
            raise Unsupported("'batchmean' divides by the input's own size(0); MLX's mean is over the broadcast shape")
        if x.ndim == 0:
            return lambda t: L.kl_div_loss(t["input"], t["target"], axis=(), reduction="sum")
        axes = tuple(range(1, x.ndim))
        return lambda t: L.kl_div_loss(t["input"], t["target"], axis=axes, reduction="mean")
    return lambda t: L.kl_div_loss(t["input"], t["target"], axis=(), reduction=red)


def bce_weight(t):
    if "weight" in t and tuple(t["weight"].shape) != tuple(t["input"].shape) and \
            broadcastable(t["weight"].shape, t["input"].shape) and \
            tuple(np.broadcast_shapes(tuple(t["weight"].shape), tuple(t["input"].shape))) == tuple(t["input"].shape):
        raise Unsupported("mlx.nn.losses.binary_cross_entropy needs weights of the loss's shape; PyTorch broadcasts")


def binary_cross_entropy(t, o):
    bce_weight(t)
    return lambda t: L.binary_cross_entropy(t["input"], t["target"], weights=t.get("weight"), with_logits=False,
                                            reduction=o["reduction"])


def binary_cross_entropy_with_logits(t, o):
    no_weight(t, "binary_cross_entropy", "pos_weight")
    bce_weight(t)
    return lambda t: L.binary_cross_entropy(t["input"], t["target"], weights=t.get("weight"), with_logits=True,
                                            reduction=o["reduction"])


def margin_ranking_loss(t, o):
    a, b, y = t["input1"], t["input2"], t["target"]
    if a.ndim == b.ndim == y.ndim:
        strict_shapes("margin_ranking_loss", a, b, y)
    return lambda t: L.margin_ranking_loss(t["input1"], t["input2"], t["target"], margin=o["margin"],
                                           reduction=o["reduction"])


def triplet_margin_loss(t, o):
    # swap is declared unsupported in the hello. MLX's eps is added to the p-sum, not to the difference.
    if t["anchor"].ndim == t["positive"].ndim == t["negative"].ndim == 0:
        # PyTorch reads 0-dim arguments as one-element vectors; MLX needs the axis to exist.
        return lambda t: L.triplet_loss(t["anchor"].reshape(1), t["positive"].reshape(1), t["negative"].reshape(1),
                                        axis=-1, p=o["p"], margin=o["margin"], eps=o["eps"], reduction=o["reduction"])
    return lambda t: L.triplet_loss(t["anchor"], t["positive"], t["negative"], axis=-1, p=o["p"],
                                    margin=o["margin"], eps=o["eps"], reduction=o["reduction"])


# ------------------------------------------------------------------------------------------------
# Composed from mx.* primitives (MLX has no function), with PyTorch's argument checks.

def check_reduction(o, allow_elementwise=False):
    if o["reduction"] not in ("none", "mean", "sum"):
        raise PortError("invalid_reduction", f"{o['reduction']!r} is not a valid value for reduction")


def check_broadcast(*arrays):
    shapes = [tuple(a.shape) for a in arrays]
    if not broadcastable(*shapes):
        raise PortError("shape_mismatch", f"shapes {shapes} do not broadcast")
    return tuple(np.broadcast_shapes(*shapes))


def poisson_nll_loss(t, o):
    check_reduction(o)
    check_broadcast(t["input"], t["target"])

    def f(t):
        x, y = t["input"], t["target"]
        if o["log_input"]:
            l = mx.exp(x) - y * x
        else:
            l = x - y * mx.log(x + o["eps"])
        if o["full"]:
            s = y * mx.log(y) - y + 0.5 * mx.log(2 * math.pi * y)
            l = l + mx.where(y > 1, s, mx.zeros_like(s))
        return _reduce(l, o["reduction"])
    return f


def hinge_embedding_loss(t, o):
    check_reduction(o)
    check_broadcast(t["input"], t["target"])

    def f(t):
        x, y = t["input"], t["target"]
        m = mx.maximum(o["margin"] - x, 0.0)
        zero = mx.zeros_like(x + y)
        l = mx.where(y != 1, m, zero) + mx.where(y != -1, x, zero)
        return _reduce(l, o["reduction"])
    return f


def soft_margin_loss(t, o):
    check_reduction(o)
    s = check_broadcast(t["input"], t["target"])
    if s != tuple(t["input"].shape):
        raise PortError("shape_mismatch", f"target {t['target'].shape} enlarges input {t['input'].shape}")

    def f(t):
        x, y = t["input"], t["target"]
        return _reduce(mx.log1p(mx.exp(-y * x)), o["reduction"])
    return f


def logsigmoid(x):
    # min(x, 0) - log1p(exp(-|x|)), with where() so that x = 0 gets the derivative 1/2
    # (mx.minimum and mx.abs give 0 at the tie).
    zero = mx.zeros_like(x)
    return mx.where(x < 0, x, zero) - mx.log1p(mx.exp(-mx.where(x < 0, -x, x)))


def multilabel_soft_margin_loss(t, o):
    check_reduction(o)
    if t["input"].ndim == 0:
        raise PortError("shape_mismatch", "multilabel_soft_margin_loss needs a class dimension")
    check_broadcast(*[t[r] for r in ("input", "target", "weight") if r in t])
    axis = t["input"].ndim - 1

    def f(t):
        x, y = t["input"], t["target"]
        l = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
        if "weight" in t:
            l = l * t["weight"]
        c = x.shape[-1]
        # the class axis is input.dim() - 1 of the broadcast shape
        return _reduce(mx.sum(l, axis=axis) / c, o["reduction"])
    return f


def cosine_embedding_loss(t, o):
    check_reduction(o)
    a, b, y = t["input1"], t["input2"], t["target"]
    if y.ndim >= 2:
        raise PortError("shape_mismatch", "0D or 1D target tensor expected, multi-target not supported")
    want = y.ndim + 1
    if a.ndim != want or b.ndim != want:
        raise PortError("shape_mismatch", f"{want}D inputs expected for a {y.ndim}D target")
    rows = check_broadcast(a, b)[:-1]
    if not broadcastable(rows, y.shape):
        raise PortError("shape_mismatch", "the rows and the target do not broadcast")
    eps32 = float(np.float32(1e-12))

    def f(t):
        x1, x2, y = t["input1"], t["input2"], t["target"]
        prod = mx.sum(x1 * x2, axis=-1)
        A = mx.sum(x1 * x1, axis=-1) + eps32
        B = mx.sum(x2 * x2, axis=-1) + eps32
        cos = prod / mx.sqrt(A * B)
        zero = mx.zeros_like(cos + y)
        l = mx.where(y == 1, 1 - cos, mx.where(y == -1, mx.maximum(cos - o["margin"], 0.0), zero))
        return _reduce(l, o["reduction"])
    return f


def multi_margin_loss(t, o):
    check_reduction(o)
    p = o["p"]
    if p not in (1, 2):
        raise PortError("invalid_option", "only p == 1 and p == 2 supported")
    x, y = t["input"], t["target"]
    if x.ndim >= 3:
        raise PortError("shape_mismatch", f"Expected non-empty vector or matrix, got {x.shape}")
    c = 1 if x.ndim == 0 else x.shape[-1]
    n = x.shape[0] if x.ndim == 2 else 1
    if x.ndim >= 1 and c == 0:
        raise PortError("empty_input", "Expected non-empty vector or matrix")
    if y.ndim >= 2 or y.size != n:
        raise PortError("shape_mismatch", f"inconsistent target size {y.shape} for input {x.shape}")
    if "weight" in t and (t["weight"].ndim != 1 or t["weight"].shape[0] != c):
        raise PortError("shape_mismatch", f"weight of shape {t['weight'].shape} for {c} classes")
    if y.size and bool(mx.any((y < 0) | (y >= c)).item()):
        raise PortError("target_out_of_range", "target out of range")
    out_shape = tuple(y.shape)

    def f(t):
        X = t["input"].reshape(n, c)
        Y = t["target"].reshape(n, 1)
        xy = mx.take_along_axis(X, Y, 1)
        z = o["margin"] - xy + X
        mask = (mx.arange(c).reshape(1, c) != Y) & (z > 0)
        zz = mx.where(mask, z, mx.zeros_like(z))
        term = zz if p == 1 else zz * zz
        if "weight" in t:
            term = term * mx.take(t["weight"], Y.reshape(n)).reshape(n, 1)
        l = (mx.sum(term, axis=1) / c).reshape(out_shape)
        return _reduce(l, o["reduction"])
    return f


def multilabel_margin_loss(t, o):
    check_reduction(o)
    x, y = t["input"], t["target"]
    if x.ndim >= 3:
        raise PortError("shape_mismatch", f"Expected non-empty vector or matrix, got {x.shape}")
    c = 1 if x.ndim == 0 else x.shape[-1]
    if x.ndim >= 1 and c == 0:
        raise PortError("empty_input", "Expected non-empty vector or matrix")
    if x.ndim <= 1:
        ok = y.ndim <= 1 and y.size == c
        n = 1
    else:
        ok = tuple(y.shape) == tuple(x.shape)
        n = x.shape[0]
    if not ok:
        raise PortError("shape_mismatch", f"inconsistent target size {y.shape} for input {x.shape}")
    if y.size and bool(mx.any((y < -1) | (y >= c)).item()):
        raise PortError("target_out_of_range", "target out of range")
    out_shape = () if x.ndim <= 1 else (n,)

    def f(t):
        X = t["input"].reshape(n, c)
        Y = t["target"].reshape(n, c)
        valid = mx.cumprod((Y >= 0).astype(mx.int32), axis=1) > 0           # before the first -1
        Yc = mx.where(valid, Y, mx.zeros_like(Y))
        classes = mx.arange(c).reshape(1, 1, c)
        is_target = mx.any(valid[:, :, None] & (Yc[:, :, None] == classes), axis=1)   # (n, c)
        xj = mx.take_along_axis(X, Yc, 1)                                     # (n, c_j)
        z = 1 - xj[:, :, None] + X[:, None, :]                                # (n, j, i)
        mask = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
        zz = mx.where(mask, z, mx.zeros_like(z))
        l = (mx.sum(zz, axis=(1, 2)) / c).reshape(out_shape)
        return _reduce(l, o["reduction"])
    return f


def norm2(x, keepdims=False):
    """Euclidean norm over the last axis whose derivative at a zero vector is 0 (as torch's norm)."""
    s = mx.sum(x * x, axis=-1, keepdims=keepdims)
    pos = s != 0  # a NaN sum keeps its NaN
    return mx.where(pos, mx.sqrt(mx.where(pos, s, mx.ones_like(s))), mx.zeros_like(s))


def pairwise_distance(a, b):
    return norm2(a - b + 1e-6)


def cosine_distance(a, b):
    # torch.cosine_similarity: broadcast first, each norm clamped at eps outside autograd.
    eps = 1e-8
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    a, b = mx.broadcast_to(a, shape), mx.broadcast_to(b, shape)
    na, nb = norm2(a, True), norm2(b, True)
    ca = na + mx.stop_gradient(mx.maximum(na, eps) - na)
    cb = nb + mx.stop_gradient(mx.maximum(nb, eps) - nb)
    return 1 - mx.sum((a / ca) * (b / cb), axis=-1)


def triplet_margin_with_distance_loss(t, o):
    if o["distance_function"] not in (None, "pairwise_distance", "cosine_distance"):
        raise PortError("invalid_option", f"unknown distance_function {o['distance_function']!r}")
    check_reduction(o)
    if not o["margin"] > 0 and not math.isnan(o["margin"]):
        raise PortError("invalid_option", "margin must be greater than 0")
    a, p, n = t["anchor"], t["positive"], t["negative"]
    if not a.ndim == p.ndim == n.ndim:
        raise PortError("shape_mismatch", "anchor, positive and negative must have the same number of dimensions")
    scalar = a.ndim == 0
    check_broadcast(a, p)
    check_broadcast(a, n)
    ds = [np.broadcast_shapes(tuple(a.shape), tuple(p.shape))[:-1] if not scalar else (),
          np.broadcast_shapes(tuple(a.shape), tuple(n.shape))[:-1] if not scalar else ()]
    if o["swap"]:
        check_broadcast(p, n)
        ds.append(np.broadcast_shapes(tuple(p.shape), tuple(n.shape))[:-1] if not scalar else ())
    if not broadcastable(*ds):
        raise PortError("shape_mismatch", "distances do not broadcast")
    dist = cosine_distance if o["distance_function"] == "cosine_distance" else pairwise_distance

    def f(t):
        a, p, n = t["anchor"], t["positive"], t["negative"]
        if scalar:
            a, p, n = a.reshape(1), p.reshape(1), n.reshape(1)
        dp, dn = dist(a, p), dist(a, n)
        if o["swap"]:
            ds = dist(p, n)  # torch.minimum's backward splits an exact tie evenly (mx.minimum's does not)
            dn = mx.where(dn < ds, dn, mx.where(ds < dn, ds, 0.5 * (dn + ds)))
        l = mx.maximum(o["margin"] + dp - dn, 0.0)
        return _reduce(l, o["reduction"])
    return f


LOSSES = {
    "l1_loss": l1_loss, "mse_loss": mse_loss, "huber_loss": huber_loss, "smooth_l1_loss": smooth_l1_loss,
    "cross_entropy": cross_entropy, "nll_loss": nll_loss, "gaussian_nll_loss": gaussian_nll_loss,
    "kl_div": kl_div, "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "margin_ranking_loss": margin_ranking_loss, "triplet_margin_loss": triplet_margin_loss,
    # composed
    "poisson_nll_loss": poisson_nll_loss, "hinge_embedding_loss": hinge_embedding_loss,
    "soft_margin_loss": soft_margin_loss, "multilabel_soft_margin_loss": multilabel_soft_margin_loss,
    "cosine_embedding_loss": cosine_embedding_loss, "multi_margin_loss": multi_margin_loss,
    "multilabel_margin_loss": multilabel_margin_loss,
    "triplet_margin_with_distance_loss": triplet_margin_with_distance_loss,
}
COMPOSED = ["poisson_nll_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
            "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
            "triplet_margin_with_distance_loss"]

UNSUPPORTED = [
    {"option": "reduction", "value": "elementwise_mean",
     "reason": "MLX has no deprecated 'elementwise_mean' spelling of 'mean'"},
    {"loss": "kl_div", "option": "log_target", "value": False,
     "reason": "mlx.nn.losses.kl_div_loss takes log-probability targets only (it computes exp(t)*(t - x))"},
    {"loss": "cross_entropy", "option": "label_smoothing", "value": 1.0,
     "reason": "mlx.nn.losses.cross_entropy takes label_smoothing in [0, 1)"},
    {"loss": "triplet_margin_loss", "option": "swap", "value": True,
     "reason": "mlx.nn.losses.triplet_loss has no swap"},
]

# MLX exception messages -> LossBench error kinds (first match wins).
MLX_ERROR_KINDS = [
    ("Invalid reduction", "invalid_reduction"),
    ("Label smoothing must be", "invalid_option"),
    ("Cannot gather with indices type", "invalid_value"),
    ("must be integral", "invalid_value"),
    ("cannot be broadcast", "shape_mismatch"),
    ("does not match", "shape_mismatch"),
    ("do not match", "shape_mismatch"),
    ("is not the same as", "shape_mismatch"),
    ("Invalid axis", "shape_mismatch"),
    ("shape", "shape_mismatch"),
    ("dimension", "shape_mismatch"),
]


def error_reply(exc):
    if isinstance(exc, PortError):
        kind = exc.kind
    else:
        m = str(exc)
        kind = next((k for frag, k in MLX_ERROR_KINDS if frag in m), "unmapped")
    return {"error": {"kind": kind, "message": f"{type(exc).__name__}: {exc}"[:2000]}}


def prepare(case):
    """(f, tensors, grad_output, roles to differentiate) for a case, or raises."""
    loss = case["loss"]
    options = wire_options(case)
    problem = option_problem(loss, options, case["inputs"])
    if problem:
        raise PortError("invalid_option", problem)
    t = {r: decode(v) for r, v in case["inputs"].items()}
    g = t.pop("grad_output", None)
    if loss in COMPOSED:  # the dtype checks of PyTorch for the losses this port composes
        for r, a in t.items():
            if (r in INTEGER_ROLES.get(loss, ())) == is_float(a):
                raise PortError("invalid_value", f"{r} has the wrong element type {a.dtype}")
    f = LOSSES[loss](t, options)
    wanted = [r[5:] for r in case["wanted"] if r.startswith("grad_")]
    diff = [r for r in DIFFERENTIABLE[loss] if r in wanted and r in t and is_float(t[r])] if g is not None else []
    return f, t, g, diff


def compute(f, t, g, diff):
    """Output and gradients (mx arrays, evaluated)."""
    if not diff:
        out = f(t)
        mx.eval(out)
        return out, []

    def fd(*xs):
        return f({**t, **dict(zip(diff, xs))})
    outs, grads = mx.vjp(fd, [t[r] for r in diff], [g])
    mx.eval(outs, grads)
    return outs[0], grads


def evaluate(case):
    try:
        f, t, g, diff = prepare(case)
        if g is not None and diff:
            out0 = f(t)
            if tuple(out0.shape) != tuple(g.shape):
                return {"error": {"kind": "shape_mismatch",
                                  "message": f"grad_output of shape {g.shape} for an output of shape {out0.shape}"}}
        out, grads = compute(f, t, g, diff)
        outputs = {"output": encode(out)}
        for r, gr in zip(diff, grads):
            outputs["grad_" + r] = encode(gr)
        return {"outputs": outputs}
    except Unsupported as e:
        return {"unsupported": str(e)}
    except Exception as e:  # noqa: BLE001 - every rejection is reported with its kind
        return error_reply(e)


def load(case):
    f, t, g, diff = prepare(case)
    if g is not None and not diff:
        g = None
    return lambda: compute(f, t, g, diff)  # compute ends in mx.eval: the call returns when MLX is done


def main():
    serve({"op": "hello", "protocol": 1, "name": "mlx-f32", "framework": f"mlx {mx.__version__}",
           "dtype": "float32", "device": "cpu", "losses": sorted(LOSSES), "gradients": True,
           "unsupported": UNSUPPORTED, "composed": COMPOSED}, evaluate, load)


if __name__ == "__main__":
    main()
