"""What every Python port shares about the PyTorch functions it mirrors (port protocol 1,
Ports/README.md): their tensor arguments, options and option types, which arguments have
gradients, and how the wire spells non-finite option values. Standard library only, so a port
imports it without pulling in another framework (`sys.path` gets this folder; see the ports).
It also holds the protocol's message loop, `serve`, which every port runs with its own parts.
"""
import json
import sys
import time

# The arguments PyTorch differentiates (Docs/Semantics.md#differentiability; mirrors LossKind.arguments);
# only floating-point ones get a gradient (a cross_entropy target of class indices does not).
DIFFERENTIABLE = {
    "l1_loss": ["input", "target", "weight"], "mse_loss": ["input", "target", "weight"],
    "huber_loss": ["input", "target", "weight"], "smooth_l1_loss": ["input", "target"],
    "cross_entropy": ["input", "target"], "nll_loss": ["input"],
    "poisson_nll_loss": ["input", "target"], "gaussian_nll_loss": ["input", "target", "var"],
    "kl_div": ["input", "target"], "binary_cross_entropy": ["input", "target"],
    "binary_cross_entropy_with_logits": ["input", "target"],
    "margin_ranking_loss": ["input1", "input2", "target"], "hinge_embedding_loss": ["input"],
    "multilabel_margin_loss": ["input"], "soft_margin_loss": ["input"],
    "multilabel_soft_margin_loss": ["input", "target", "weight"], "cosine_embedding_loss": ["input1", "input2"],
    "multi_margin_loss": ["input"], "triplet_margin_loss": ["anchor", "positive", "negative"],
    "triplet_margin_with_distance_loss": ["anchor", "positive", "negative"], "ctc_loss": ["log_probs"],
}

# Tensor arguments and options of each PyTorch function (unknown names are invalid_option).
SIGNATURE = {
    "l1_loss": (["input", "target", "weight"], ["reduction"]),
    "mse_loss": (["input", "target", "weight"], ["reduction"]),
    "huber_loss": (["input", "target", "weight"], ["reduction", "delta"]),
    "smooth_l1_loss": (["input", "target"], ["reduction", "beta"]),
    "cross_entropy": (["input", "target", "weight"], ["ignore_index", "reduction", "label_smoothing"]),
    "nll_loss": (["input", "target", "weight"], ["ignore_index", "reduction"]),
    "poisson_nll_loss": (["input", "target"], ["log_input", "full", "eps", "reduction"]),
    "gaussian_nll_loss": (["input", "target", "var"], ["full", "eps", "reduction"]),
    "kl_div": (["input", "target"], ["reduction", "log_target"]),
    "binary_cross_entropy": (["input", "target", "weight"], ["reduction"]),
    "binary_cross_entropy_with_logits": (["input", "target", "weight", "pos_weight"], ["reduction"]),
    "margin_ranking_loss": (["input1", "input2", "target"], ["margin", "reduction"]),
    "hinge_embedding_loss": (["input", "target"], ["margin", "reduction"]),
    "multilabel_margin_loss": (["input", "target"], ["reduction"]),
    "soft_margin_loss": (["input", "target"], ["reduction"]),
    "multilabel_soft_margin_loss": (["input", "target", "weight"], ["reduction"]),
    "cosine_embedding_loss": (["input1", "input2", "target"], ["margin", "reduction"]),
    "multi_margin_loss": (["input", "target", "weight"], ["p", "margin", "reduction"]),
    "triplet_margin_loss": (["anchor", "positive", "negative"], ["margin", "p", "eps", "swap", "reduction"]),
    "triplet_margin_with_distance_loss": (["anchor", "positive", "negative"],
                                          ["distance_function", "margin", "swap", "reduction"]),
    "ctc_loss": (["log_probs", "targets", "input_lengths", "target_lengths"], ["blank", "reduction", "zero_infinity"]),
}

# The Python type of every option (a value of another JSON type is a TypeError in PyTorch).
OPTION_TYPES = {"reduction": "str", "ignore_index": "int", "label_smoothing": "number", "delta": "number",
                "beta": "number", "eps": "number", "margin": "number", "p": "number", "log_input": "bool",
                "full": "bool", "log_target": "bool", "swap": "bool", "distance_function": "distance",
                "blank": "int", "zero_infinity": "bool"}

NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}

# Tensors that hold integers (class indices); every other tensor must be floating point.
INTEGER_ROLES = {"nll_loss": {"target"}, "multi_margin_loss": {"target"}, "multilabel_margin_loss": {"target"}}


def wire_options(case, verbatim=("reduction", "distance_function")):
    """The case's options with the wire's "nan"/"inf"/"-inf" strings read as floats (JSON has no
    literal for them); string options in `verbatim` stay strings."""
    return {k: NON_FINITE.get(v, v) if isinstance(v, str) and k not in verbatim else v for k, v in case["options"].items()}


def option_problem(loss, options, inputs):
    """The TypeError PyTorch would raise for an option or tensor its function does not take, or an
    option value of the wrong Python type; None when all are acceptable."""
    roles, names = SIGNATURE[loss]
    for k in sorted(options):
        if k not in names:
            return f"{loss}() got an unexpected keyword argument {k!r}"
        v, kind = options[k], OPTION_TYPES[k]
        ok = {"str": isinstance(v, str), "bool": isinstance(v, bool),
              "int": isinstance(v, int) and not isinstance(v, bool),
              "number": isinstance(v, (int, float)) and not isinstance(v, bool),
              "distance": v is None or isinstance(v, str)}[kind]
        if not ok:
            return f"{loss}(): option {k} must be of type {kind}, got {v!r}"
    for r in inputs:
        if r not in roles and r != "grad_output":
            return f"{loss}() got an unexpected keyword argument {r!r}"
    return None


class Unsupported(Exception):
    """The framework lacks what a case needs (an option, an input form): the reply is `unsupported`."""


class PortError(Exception):
    """A check the port makes itself, with the LossBench error kind it stands for."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def serve(hello, evaluate, load, out=None):
    """The protocol's message loop (Ports/README.md) over standard input, replies on `out`
    (standard output unless the port moved it). `hello` is the handshake reply; `evaluate(case)`
    gives one case's result; `load(case)` gives a call without arguments that runs the case's
    work and returns when it is done (with the framework's own synchronisation). A load that
    raises is answered with an error, and `bench` skips that problem with a warning."""
    out = out or sys.stdout
    loaded, next_handle = {}, 1
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op")
        if op == "hello":
            reply = hello
        elif op == "evaluate":
            reply = {"op": "evaluate", "id": req["id"], "results": [evaluate(c) for c in req["cases"]]}
        elif op == "load":
            try:
                call = load(req["case"])
                t0 = time.perf_counter_ns(); call(); t1 = time.perf_counter_ns()
                loaded[next_handle] = call
                reply = {"op": "load", "id": req["id"], "handle": next_handle, "first_call_ns": t1 - t0}
                next_handle += 1
            except Exception as e:  # noqa: BLE001 - any failure to build or run the problem
                reply = {"op": "error", "id": req["id"], "message": f"{type(e).__name__}: {e}"}
        elif op == "run":
            call, ns = loaded[req["handle"]], []
            for _ in range(req.get("calls", 1)):
                t0 = time.perf_counter_ns(); call(); ns.append(time.perf_counter_ns() - t0)
            reply = {"op": "run", "id": req["id"], "ns": ns}
        elif op == "unload":
            loaded.pop(req["handle"], None)
            reply = {"op": "unload", "id": req["id"]}
        elif op == "bye":
            return
        else:
            reply = {"op": "error", "id": req.get("id"), "message": f"unknown op {op!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()
