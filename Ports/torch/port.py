#!/usr/bin/env python3
"""The PyTorch port (protocol 1, Ports/README.md): torch.nn.functional's own loss functions, on CPU,
in float64 or float32, eager or under torch.compile.

    python Ports/torch/port.py --dtype float64|float32 [--compile]

--compile runs each loss call through torch.compile (TorchInductor, the default backend; it needs a
C++ compiler) with dynamic=True: sizes are symbolic, so a new graph is compiled per loss, rank,
dtype and option set rather than per shape (7x faster over the database than static shapes). The
recompile limit is lifted and hitting it is an error, so no case silently falls back to eager.

Install: python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch numpy
The call per loss, the arguments PyTorch differentiates and the mapping of its exception messages
to LossBench's error kinds are Tools/torch_compare.py's (one table for both).
"""
import argparse, base64, inspect, os, re, sys, warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tools"))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch_compare import DIFFERENTIABLE, TORCH, torch_error_kinds  # noqa: E402
from losses import serve  # noqa: E402  (torch_compare put Ports/ on sys.path)

WIRE = {"float64": np.float64, "float32": np.float32, "int64": np.int64}
TORCH_DTYPE = {"float64": torch.float64, "float32": torch.float32}


def decode(t, dtype):
    a = np.frombuffer(base64.b64decode(t["data"]), dtype=np.dtype(WIRE[t["dtype"]]).newbyteorder("<"))
    a = a.reshape(t["shape"]).copy()
    x = torch.from_numpy(a)
    return x.to(TORCH_DTYPE[dtype]) if t["dtype"] == "float64" else x


def encode(x):
    a = x.detach().cpu().contiguous().numpy()
    name = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32"}[a.dtype]
    return {"dtype": name, "shape": list(a.shape), "data": base64.b64encode(a.astype(a.dtype.newbyteorder("<")).tobytes()).decode()}


def error(exc, inputs):
    kinds = torch_error_kinds(exc)
    message = str(exc)
    # One ATen message for two faults: told apart by the inputs it was about.
    if "Expected non-empty vector or matrix" in message:
        kinds = {"empty_input"} if 0 in inputs["input"].shape else {"shape_mismatch"}
    if "Expected tensor to have size" in message and "'targets'" in message:
        kinds = {"shape_mismatch"} if inputs["targets"].dim() == 2 and "dimension 0" in message else {"invalid_length"}
    if isinstance(exc, (TypeError, KeyError)):  # an option of the wrong type, an unknown distance function
        kinds = {"invalid_option"}
    # Where one message stands for two kinds, the more specific one is reported.
    order = ["invalid_reduction", "invalid_option", "invalid_length", "empty_input", "target_out_of_range",
             "invalid_value", "shape_mismatch"]
    kind = min(kinds, key=order.index) if kinds else "unmapped"
    return {"error": {"kind": kind, "message": f"{type(exc).__name__}: {exc}"[:2000]}}


def unexpected(loss, case):
    """Options and tensors the torch.nn.functional function does not take: Python would raise
    TypeError for them; the lambdas of TORCH pick their keywords by name and would not."""
    params = inspect.signature(getattr(torch.nn.functional, loss)).parameters
    names = [k for k in case["options"] if k not in params] + [r for r in case["inputs"] if r not in params and r != "grad_output"]
    return names


NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}


CALL = TORCH  # loss -> function(inputs, options); replaced by compiled ones under --compile


def compiled_calls():
    import torch._dynamo
    torch._dynamo.config.recompile_limit = 1 << 20
    torch._dynamo.config.accumulated_recompile_limit = 1 << 20
    torch._dynamo.config.fail_on_recompile_limit_hit = True
    return {loss: torch.compile(lambda inputs, options, f=f: f(inputs, options), dynamic=True) for loss, f in TORCH.items()}


def unwrap(exc):
    """The framework's own exception behind torch.compile's wrappers (TorchRuntimeError,
    BackendCompilerFailed), so error kinds map as in eager mode. A TorchRuntimeError from tracing
    with fake tensors keeps the original only in its text ("... got RuntimeError('message')"):
    that exception is rebuilt from it."""
    while getattr(exc, "inner_exception", None) is not None or (exc.__cause__ is not None and "torch._dynamo" in type(exc).__module__):
        exc = getattr(exc, "inner_exception", None) or exc.__cause__
    if "torch._dynamo" in type(exc).__module__:
        m = re.search(r"got (RuntimeError|ValueError|IndexError|TypeError)\((['\"])(.*?)\2\)", str(exc), re.S)
        if m:
            return {"RuntimeError": RuntimeError, "ValueError": ValueError, "IndexError": IndexError, "TypeError": TypeError}[m.group(1)](m.group(3))
    return exc


def evaluate(case, dtype):
    loss = case["loss"]
    # The wire spells non-finite option values as strings (JSON has no literal for them).
    options = {k: NON_FINITE.get(v, v) if isinstance(v, str) and k != "reduction" else v
               for k, v in case["options"].items()}
    extra = unexpected(loss, case)
    if extra:
        return {"error": {"kind": "invalid_option", "message": f"TypeError: {loss}() got an unexpected keyword argument {extra[0]!r}"}}
    inputs = {role: decode(t, dtype) for role, t in case["inputs"].items()}
    grad_output = inputs.pop("grad_output", None)
    wanted = [r[5:] for r in case["wanted"] if r.startswith("grad_")]
    requires = [r for r in DIFFERENTIABLE[loss] if r in wanted and r in inputs and inputs[r].is_floating_point()]
    for r in requires:
        inputs[r].requires_grad_(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = CALL[loss](inputs, options)
            outputs = {"output": encode(out)}
            if grad_output is not None and requires:
                # grad_outputs= checks the shape (a product with out would broadcast a wrong one).
                grads = torch.autograd.grad(out, [inputs[r] for r in requires], grad_outputs=grad_output, allow_unused=True)
                for r, g in zip(requires, grads):
                    outputs["grad_" + r] = encode(torch.zeros_like(inputs[r]) if g is None else g)
    except Exception as e:  # noqa: BLE001 - every rejection is reported with its kind
        return error(unwrap(e), inputs)
    return {"outputs": outputs}


def loaded_call(case, dtype):
    """A zero-argument function that runs the case's call (forward, or forward and gradients),
    its tensors built once."""
    loss = case["loss"]
    options = {k: NON_FINITE.get(v, v) if isinstance(v, str) and k != "reduction" else v
               for k, v in case["options"].items()}
    inputs = {role: decode(t, dtype) for role, t in case["inputs"].items()}
    grad_output = inputs.pop("grad_output", None)
    requires = [r for r in DIFFERENTIABLE[loss] if r in inputs and inputs[r].is_floating_point()] if grad_output is not None else []
    for r in requires:
        inputs[r].requires_grad_(True)

    def call():
        out = CALL[loss](inputs, options)
        if requires:
            torch.autograd.grad(out, [inputs[r] for r in requires], grad_outputs=grad_output, allow_unused=True)
        return out
    return call


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--compile", action="store_true", help="run every loss call through torch.compile")
    a = ap.parse_args()
    global CALL
    if a.compile:
        CALL = compiled_calls()
    name = f"torch-{a.dtype}" + ("-compiled" if a.compile else "")
    torch.set_num_threads(int(os.environ.get("LOSSBENCH_PORT_THREADS", "1")))
    # CPU eager and compiled calls return when done: no synchronisation is needed around them.
    serve({"op": "hello", "protocol": 1, "name": name,
           "framework": f"torch {torch.__version__}" + (" torch.compile (inductor)" if a.compile else ""),
           "dtype": a.dtype, "device": "cpu", "losses": sorted(TORCH), "gradients": True, "unsupported": []},
          lambda c: evaluate(c, a.dtype), lambda c: loaded_call(c, a.dtype))


if __name__ == "__main__":
    main()
