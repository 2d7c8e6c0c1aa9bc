#!/usr/bin/env python3
"""The PaddlePaddle port (protocol 1, Ports/README.md): paddle.nn.functional's own loss functions, on
CPU, in float64 or float32.

    /tmp/paddle-venv/bin/python Ports/paddle/port.py --dtype float64|float32

Install: python3 -m venv /tmp/paddle-venv && /tmp/paddle-venv/bin/pip install paddlepaddle numpy

Wire names and options are PyTorch's (torch.nn.functional). Each is mapped onto the arguments of the
Paddle function (see LOSSES): Paddle has a function for every one of the 21 losses, so nothing is
composed. PyTorch's huber_loss(delta) is Paddle's smooth_l1_loss(delta=delta) (Paddle's op is
huber_loss: 0.5 d^2 for |d| <= delta, else delta (|d| - delta/2)); PyTorch's smooth_l1_loss(beta) is
Paddle's smooth_l1_loss(delta=beta, is_huber=False), the Huber loss divided by delta. cross_entropy's
classes are on Paddle's last axis (axis=-1: its label smoothing and soft-label weights work there), so
PyTorch's class axis 1 of a K-dim input is moved last inside the differentiated call, and the size-1
class axis Paddle keeps in the unreduced soft-label loss is squeezed.
Where Paddle lacks an option, an option value or an input form (the weight of l1/mse/huber,
broadcasting where Paddle demands equal shapes, unbatched inputs where Paddle demands a batch,
CTC's concatenated targets, ...) the port says so (hello `unsupported`, or `{"unsupported": why}` for
the case) instead of re-implementing it. No input validation is added to Paddle's functions: what
Paddle accepts silently is a finding (the expected failures of Ports/paddle-f64.json, -f32.json).

Gradients are paddle.grad of the output with grad_output as the upstream gradient, for the float
arguments of Tools/torch_compare.py's DIFFERENTIABLE table that the case wants; an argument Paddle's
backward graph does not reach (paddle.grad gives None: the targets of its BCE, KL and soft-label
cross-entropy losses, gaussian_nll_loss's var) is reported as zeros. Paddle's CPU eager mode returns
when done, so load/run time the call as it is.

Some inputs crash Paddle (nll_loss's reduced loss with ignored targets, warpctc with bad lengths):
the port does not call Paddle for them and answers an 'unmapped' error saying so (see nll_loss and
ctc_loss below), so one case cannot kill or corrupt the process for the others.
"""
import argparse, base64, os, sys, warnings

# The protocol's own stdout: anything Paddle (Python or C++) prints goes to stderr instead.
PROTOCOL_OUT = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
sys.stdout = sys.stderr

# One thread unless LOSSBENCH_PORT_THREADS says otherwise (as the torch port); set before paddle is imported.
THREADS = os.environ.get("LOSSBENCH_PORT_THREADS", "1")
os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = THREADS
os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import paddle  # noqa: E402
    import paddle.nn.functional as F  # noqa: E402

paddle.set_device("cpu")
if hasattr(paddle.base.core, "set_num_threads"):
    paddle.base.core.set_num_threads(int(THREADS))

# The PyTorch functions' arguments, options and gradients, shared by the Python ports.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from losses import DIFFERENTIABLE, PortError, Unsupported, option_problem, serve, wire_options  # noqa: E402


DTYPE = "float64"  # set by --dtype


def decode(t):
    raw = base64.b64decode(t["data"])
    if t["dtype"] == "int64":
        return np.frombuffer(raw, dtype="<i8").reshape(t["shape"]).astype(np.int64)
    return np.frombuffer(raw, dtype="<f8").reshape(t["shape"]).astype(DTYPE)


def to_paddle(a, requires_grad=False):
    x = paddle.to_tensor(a, dtype=str(a.dtype), place=paddle.CPUPlace())
    x.stop_gradient = not requires_grad
    return x


def encode(x):
    a = np.asarray(x.numpy())
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    name = "float32" if a.dtype == np.float32 else "float64"
    a = a.astype("<f4" if name == "float32" else "<f8")  # (np.ascontiguousarray would make a 0-dim array 1-D)
    return {"dtype": name, "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


def is_float(a):
    return np.issubdtype(a.dtype, np.floating)


def broadcastable(*shapes):
    try:
        np.broadcast_shapes(*[tuple(s) for s in shapes])
        return True
    except ValueError:
        return False


def strict_shapes(fn, *arrays):
    """Paddle functions that demand equal shapes: a case PyTorch would broadcast is unsupported
    (shapes that do not broadcast go to Paddle, which rejects them)."""
    shapes = [tuple(a.shape) for a in arrays]
    if len(set(shapes)) > 1 and broadcastable(*shapes):
        raise Unsupported(f"paddle.nn.functional.{fn} requires equal shapes; PyTorch broadcasts {shapes}")


def no_arg(a, loss, fn, what="weight"):
    if what in a:
        raise Unsupported(f"paddle.nn.functional.{fn} has no {what} argument (torch {loss} has)")


# ------------------------------------------------------------------------------------------------
# The Paddle call per loss. Each entry looks at the numpy arrays `a` and options `o` (to declare a
# case unsupported) and returns f(t) -> output, t the paddle tensors by role.

def l1_loss(a, o):
    no_arg(a, "l1_loss", "l1_loss")
    return lambda t: F.l1_loss(t["input"], t["target"], reduction=o["reduction"])


def mse_loss(a, o):
    no_arg(a, "mse_loss", "mse_loss")
    return lambda t: F.mse_loss(t["input"], t["target"], reduction=o["reduction"])


def huber_loss(a, o):
    # Paddle's smooth_l1_loss is the Huber loss (its op is huber_loss); is_huber=True keeps it undivided.
    no_arg(a, "huber_loss", "smooth_l1_loss")
    strict_shapes("smooth_l1_loss", a["input"], a["target"])
    return lambda t: F.smooth_l1_loss(t["input"], t["target"], reduction=o["reduction"], delta=o["delta"],
                                      is_huber=True)


def smooth_l1_loss(a, o):
    # PyTorch's smooth_l1_loss(beta) is the Huber loss with delta = beta, divided by beta: is_huber=False.
    strict_shapes("smooth_l1_loss", a["input"], a["target"])
    return lambda t: F.smooth_l1_loss(t["input"], t["target"], reduction=o["reduction"], delta=o["beta"],
                                      is_huber=False)


def cross_entropy(a, o):
    x, y = a["input"], a["target"]
    soft = is_float(y) and y.ndim == x.ndim  # probability targets (PyTorch's rule: a float target of input's shape)
    # Paddle's classes are on the last axis (its label smoothing one-hot encodes along the last axis and
    # its soft-label weights are a matmul over it, whatever `axis` says): PyTorch's class axis 1 is
    # moved last (a transpose inside the differentiated function) and Paddle is called with axis=-1.
    move = x.ndim > 2

    def f(t):
        inp, tgt = t["input"], t["target"]
        if move:
            inp = paddle.moveaxis(inp, 1, -1)
            if soft:
                tgt = paddle.moveaxis(tgt, 1, -1)
        out = F.cross_entropy(inp, tgt, weight=t.get("weight"), ignore_index=o["ignore_index"],
                              reduction=o["reduction"], soft_label=soft, axis=-1,
                              label_smoothing=o["label_smoothing"])
        if o["reduction"] == "none" and out.ndim == x.ndim and out.ndim >= 1 and out.shape[-1] == 1:
            # Soft labels (and label smoothing, which makes them): Paddle keeps the class axis, of size 1.
            out = paddle.squeeze(out, axis=-1)
        return out
    return f


def nll_loss(a, o):
    x, y = a["input"], a["target"]
    if x.ndim == 1 and y.ndim == 0:
        raise Unsupported("paddle.nn.functional.nll_loss takes (N, C, ...) inputs only, no unbatched (C) input")
    if o["reduction"] in ("mean", "sum") and y.dtype == np.int64 and y.ndim >= 1 and \
            isinstance(o["ignore_index"], int) and bool(np.any(y.reshape(-1)[1:] == o["ignore_index"])):
        # Paddle's CPU nll_loss kernel (phi/kernels/cpu/nll_loss_kernel.cc) writes out_data[i] = 0 for an
        # ignored label even when the output is the one-element reduced loss: a heap overflow that
        # corrupts or kills the process. Not called; the case fails (a Paddle defect, in the manifests).
        raise PortError("unmapped", "not run: paddle's CPU nll_loss writes past its one-element output for an "
                        "ignored target at position >= 1 with reduction 'mean'/'sum' (heap corruption)")
    return lambda t: F.nll_loss(t["input"], t["target"], weight=t.get("weight"), ignore_index=o["ignore_index"],
                                reduction=o["reduction"])


def poisson_nll_loss(a, o):
    strict_shapes("poisson_nll_loss", a["input"], a["target"])
    if isinstance(o["eps"], (int, float)) and not o["eps"] > 0:
        raise Unsupported("paddle.nn.functional.poisson_nll_loss takes epsilon > 0 only (it raises for "
                          f"{o['eps']!r}); PyTorch accepts any eps")
    return lambda t: F.poisson_nll_loss(t["input"], t["target"], log_input=o["log_input"], full=o["full"],
                                        epsilon=o["eps"], reduction=o["reduction"])


def gaussian_nll_loss(a, o):
    return lambda t: F.gaussian_nll_loss(t["input"], t["target"], t["var"], full=o["full"], epsilon=o["eps"],
                                         reduction=o["reduction"])


def kl_div(a, o):
    strict_shapes("kl_div", a["input"], a["target"])
    return lambda t: F.kl_div(t["input"], t["target"], reduction=o["reduction"], log_target=o["log_target"])


def binary_cross_entropy(a, o):
    return lambda t: F.binary_cross_entropy(t["input"], t["target"], weight=t.get("weight"),
                                            reduction=o["reduction"])


def binary_cross_entropy_with_logits(a, o):
    return lambda t: F.binary_cross_entropy_with_logits(t["input"], t["target"], weight=t.get("weight"),
                                                        reduction=o["reduction"], pos_weight=t.get("pos_weight"))


def margin_ranking_loss(a, o):
    return lambda t: F.margin_ranking_loss(t["input1"], t["input2"], t["target"], margin=o["margin"],
                                           reduction=o["reduction"])


def hinge_embedding_loss(a, o):
    return lambda t: F.hinge_embedding_loss(t["input"], t["target"], margin=o["margin"], reduction=o["reduction"])


def multilabel_margin_loss(a, o):
    x, y = a["input"], a["target"]
    c = 1 if x.ndim == 0 else x.shape[-1]
    if x.ndim <= 1 and y.ndim <= 1 and y.size == c and c > 0:
        raise Unsupported("paddle.nn.functional.multi_label_margin_loss takes (N, C) inputs only, no unbatched input")
    return lambda t: F.multi_label_margin_loss(t["input"], t["target"], reduction=o["reduction"])


def soft_margin_loss(a, o):
    strict_shapes("soft_margin_loss", a["input"], a["target"])
    return lambda t: F.soft_margin_loss(t["input"], t["target"], reduction=o["reduction"])


def multilabel_soft_margin_loss(a, o):
    strict_shapes("multi_label_soft_margin_loss", a["input"], a["target"])
    return lambda t: F.multi_label_soft_margin_loss(t["input"], t["target"], weight=t.get("weight"),
                                                    reduction=o["reduction"])


def cosine_embedding_loss(a, o):
    x1, x2, y = a["input1"], a["input2"], a["target"]
    if y.ndim == 0 and x1.ndim == 1 and x2.ndim == 1 and broadcastable(x1.shape, x2.shape):
        raise Unsupported("paddle.nn.functional.cosine_embedding_loss takes a 1-D label only, no unbatched input")
    if y.ndim == 1 and x1.ndim == 2 and x2.ndim == 2:
        strict_shapes("cosine_embedding_loss", x1, x2)
    return lambda t: F.cosine_embedding_loss(t["input1"], t["input2"], t["target"], margin=o["margin"],
                                             reduction=o["reduction"])


def multi_margin_loss(a, o):
    x, y = a["input"], a["target"]
    if (x.ndim == 1 and y.ndim <= 1 and y.size == 1) or (x.ndim == 0 and y.size == 1):
        raise Unsupported("paddle.nn.functional.multi_margin_loss takes (N, C) inputs only, no unbatched input")
    if x.ndim == 2 and x.shape[0] == 1 and y.ndim == 0:
        raise Unsupported("paddle.nn.functional.multi_margin_loss takes an (N,) label, not a 0-dim one for N = 1")
    return lambda t: F.multi_margin_loss(t["input"], t["target"], p=o["p"], margin=o["margin"],
                                         weight=t.get("weight"), reduction=o["reduction"])


def triplet_margin_loss(a, o):
    if a["anchor"].ndim == a["positive"].ndim == a["negative"].ndim:
        strict_shapes("triplet_margin_loss", a["anchor"], a["positive"], a["negative"])
    return lambda t: F.triplet_margin_loss(t["anchor"], t["positive"], t["negative"], margin=o["margin"], p=o["p"],
                                           epsilon=o["eps"], swap=o["swap"], reduction=o["reduction"])


def cosine_distance(x, y):
    # The torch port's distance: 1 - cosine_similarity over the last dimension, eps 1e-8.
    return 1 - F.cosine_similarity(x, y, axis=-1, eps=1e-8)


DISTANCES = {None: None, "pairwise_distance": F.pairwise_distance, "cosine_distance": cosine_distance}


def triplet_margin_with_distance_loss(a, o):
    if o["distance_function"] not in DISTANCES:
        raise PortError("invalid_option", f"unknown distance_function {o['distance_function']!r}")
    if a["anchor"].ndim == a["positive"].ndim == a["negative"].ndim:
        strict_shapes("triplet_margin_with_distance_loss", a["anchor"], a["positive"], a["negative"])
    if o["distance_function"] == "cosine_distance" and a["anchor"].ndim == 0:
        raise Unsupported("paddle.nn.functional.cosine_similarity needs a feature axis (0-dim arguments)")
    fn = DISTANCES[o["distance_function"]]
    return lambda t: F.triplet_margin_with_distance_loss(t["anchor"], t["positive"], t["negative"],
                                                         distance_function=fn, margin=o["margin"], swap=o["swap"],
                                                         reduction=o["reduction"])


def ctc_loss(a, o):
    lp, tg = a["log_probs"], a["targets"]
    if lp.ndim == 2:
        raise Unsupported("paddle.nn.functional.ctc_loss takes batched (T, N, C) log_probs only")
    if tg.ndim == 1 and lp.ndim == 3:
        raise Unsupported("paddle.nn.functional.ctc_loss takes padded (N, S) labels only, not concatenated ones")
    il, tl = a["input_lengths"], a["target_lengths"]
    if lp.ndim == 3 and lp.size and il.dtype == np.int64 and tl.dtype == np.int64:  # (T = 0 is rejected before the kernel)
        # Lengths that crash Paddle's warpctc (SIGSEGV, SIGFPE, heap corruption; it checks none of them):
        # not called, the case fails (a Paddle defect, in the manifests).
        T = lp.shape[0]
        N = lp.shape[1]
        crash = ("length tensors with fewer than N values (it reads past their end)" if il.size < N or tl.size < N
                 else "an input length outside [0, T] (SIGSEGV or heap corruption)" if il.size and (il.min() < 0 or il.max() > T)
                 else "a negative target length (SIGSEGV)" if tl.size and tl.min() < 0
                 else "target lengths that are all 0 (SIGFPE)" if tl.size and tl.max() == 0
                 else "an input length of 0 (heap corruption, or a wrong 0/inf)" if il.size and il.min() == 0
                 else None)
        if crash:
            raise PortError("unmapped", f"not run: paddle's warpctc crashes on {crash}")

    def f(t):
        labels = t["targets"]
        if labels.dtype == paddle.int64:
            labels = labels.astype("int32")  # Paddle's warpctc labels are int32
        return F.ctc_loss(t["log_probs"], labels, t["input_lengths"], t["target_lengths"], blank=o["blank"],
                          reduction=o["reduction"], norm_by_times=False, zero_infinity=o["zero_infinity"])
    return f


LOSSES = {
    "l1_loss": l1_loss, "mse_loss": mse_loss, "huber_loss": huber_loss, "smooth_l1_loss": smooth_l1_loss,
    "cross_entropy": cross_entropy, "nll_loss": nll_loss, "poisson_nll_loss": poisson_nll_loss,
    "gaussian_nll_loss": gaussian_nll_loss, "kl_div": kl_div, "binary_cross_entropy": binary_cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "margin_ranking_loss": margin_ranking_loss, "hinge_embedding_loss": hinge_embedding_loss,
    "multilabel_margin_loss": multilabel_margin_loss, "soft_margin_loss": soft_margin_loss,
    "multilabel_soft_margin_loss": multilabel_soft_margin_loss, "cosine_embedding_loss": cosine_embedding_loss,
    "multi_margin_loss": multi_margin_loss, "triplet_margin_loss": triplet_margin_loss,
    "triplet_margin_with_distance_loss": triplet_margin_with_distance_loss, "ctc_loss": ctc_loss,
}

UNSUPPORTED = [
    {"option": "reduction", "value": "elementwise_mean",
     "reason": "Paddle has no deprecated 'elementwise_mean' spelling of 'mean'"},
]

# Paddle exception messages -> LossBench error kinds (first match wins).
PADDLE_ERROR_KINDS = [
    ("'reduction'", "invalid_reduction"),
    (" is not valid", "invalid_reduction"),
    ("value of 'ignore_index'", "invalid_option"),
    ("Attr(blank)", "invalid_option"),
    ("value of epsilon must be between 0 and 1", "invalid_option"),  # label_smooth, for label_smoothing
    ("margin between positive samples and negative samples should be greater than 0", "invalid_option"),
    ("`epsilon` in poisson_nll_loss should be positive", "invalid_option"),
    ("The input size can not be zero", "empty_input"),  # warpctc, for log_probs with T = 0
    ("padded sequence length can not be less than its original length", "invalid_length"),  # warpctc
    ("(OutOfRange)", "target_out_of_range"),
    ("out of bounds", "target_out_of_range"),
    ("label values should be", "target_out_of_range"),
    ("of OP(index_sample) expected >= 0", "target_out_of_range"),
    ("Illegal input", "invalid_value"),
    ("holds the wrong type", "invalid_value"),
    ("negative entry", "invalid_value"),
    ("data type", "invalid_value"),
    ("is not registered", "invalid_value"),
    ("dtype", "invalid_value"),
    ("Expected 2D", "shape_mismatch"),
    ("target tensor expected", "shape_mismatch"),
    ("list index out of range", "shape_mismatch"),  # IndexError from Paddle's Python code reading x.shape[i] of a 0-dim tensor
    ("shape", "shape_mismatch"),
    ("dimension", "shape_mismatch"),
    ("dims", "shape_mismatch"),
    ("Dims", "shape_mismatch"),
    ("size", "shape_mismatch"),
]


def error_reply(exc, loss=None):
    if isinstance(exc, PortError):
        kind = exc.kind
    elif isinstance(exc, AssertionError) and loss == "ctc_loss" and not str(exc):
        kind = "invalid_reduction"  # paddle's ctc_loss: `assert reduction in ['mean', 'sum', 'none']`, its only assert
    else:
        m = str(exc)
        kind = next((k for frag, k in PADDLE_ERROR_KINDS if frag in m), "unmapped")
    return {"error": {"kind": kind, "message": f"{type(exc).__name__}: {exc}"[:2000]}}


def prepare(case):
    """(f, tensors, grad_output, roles to differentiate) for a case, or raises."""
    loss = case["loss"]
    options = wire_options(case)
    problem = option_problem(loss, options, case["inputs"])
    if problem:
        raise PortError("invalid_option", problem)
    arrays = {r: decode(v) for r, v in case["inputs"].items()}
    g = arrays.pop("grad_output", None)
    f = LOSSES[loss](arrays, options)
    wanted = [r[5:] for r in case.get("wanted", []) if r.startswith("grad_")]
    diff = [r for r in DIFFERENTIABLE[loss] if r in wanted and r in arrays and is_float(arrays[r])] if g is not None else []
    t = {r: to_paddle(v, r in diff) for r, v in arrays.items()}
    return f, t, (to_paddle(g) if g is not None else None), diff


def compute(f, t, g, diff):
    """Output and gradients (paddle tensors)."""
    out = f(t)
    if out is None:  # e.g. cosine_embedding_loss with an unknown reduction returns None, raising nothing
        raise PortError("unmapped", "paddle returned None instead of a tensor (it does not check this reduction)")
    if not diff:
        return out, []
    if tuple(out.shape) != tuple(g.shape):
        raise PortError("shape_mismatch", f"grad_output of shape {list(g.shape)} for an output of shape {list(out.shape)}")
    if out.stop_gradient:
        return out, [paddle.zeros_like(t[r]) for r in diff]
    grads = paddle.grad([out], [t[r] for r in diff], grad_outputs=[g], allow_unused=True)
    return out, [paddle.zeros_like(t[r]) if gr is None else gr for r, gr in zip(diff, grads)]


def evaluate(case):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, t, g, diff = prepare(case)
            out, grads = compute(f, t, g, diff)
            outputs = {"output": encode(out)}
            for r, gr in zip(diff, grads):
                outputs["grad_" + r] = encode(gr)
        return {"outputs": outputs}
    except Unsupported as e:
        return {"unsupported": str(e)}
    except Exception as e:  # noqa: BLE001 - every rejection is reported with its kind
        return error_reply(e, case.get("loss"))


def load(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = dict(case)
        # time the gradients of every differentiable argument, as the torch port does
        case["wanted"] = ["output"] + ["grad_" + r for r in DIFFERENTIABLE[case["loss"]]]
        f, t, g, diff = prepare(case)

    def call():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compute(f, t, g, diff)
    return call


def main():
    global DTYPE
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    DTYPE = ap.parse_args().dtype
    name = "paddle-f64" if DTYPE == "float64" else "paddle-f32"
    serve({"op": "hello", "protocol": 1, "name": name, "framework": f"paddlepaddle {paddle.__version__}",
           "dtype": DTYPE, "device": "cpu", "losses": sorted(LOSSES), "gradients": True,
           "unsupported": UNSUPPORTED, "composed": []}, evaluate, load, out=PROTOCOL_OUT)


if __name__ == "__main__":
    main()
