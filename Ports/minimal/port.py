#!/usr/bin/env python3
"""A complete LossBench port in the standard library: l1_loss and mse_loss in float64 (protocol 1)."""
import base64, json, math, struct, sys

def tensor(t):  # wire tensor -> (shape, list of floats)
    n = len(base64.b64decode(t["data"])) // 8
    return t["shape"], list(struct.unpack(f"<{n}d", base64.b64decode(t["data"])))

def wire(shape, xs):
    return {"dtype": "float64", "shape": shape, "data": base64.b64encode(struct.pack(f"<{len(xs)}d", *xs)).decode()}

LOSSES = {"l1_loss": (lambda d: abs(d), lambda d: (d > 0) - (d < 0)),
          "mse_loss": (lambda d: d * d, lambda d: 2 * d)}

def evaluate(case):
    loss, opts, ins = case["loss"], case["options"], case["inputs"]
    if opts.get("reduction") not in ("none", "mean", "sum"):
        return {"error": {"kind": "invalid_reduction", "message": f"bad reduction {opts.get('reduction')!r}"}}
    (xs, x), (ts, t) = tensor(ins["input"]), tensor(ins["target"])
    if xs != ts:  # this port does not broadcast: it says so instead of guessing
        return {"unsupported": "input and target of different shapes (no broadcasting here)"}
    if "weight" in ins:
        return {"unsupported": "the functional weight argument"}
    f, df = LOSSES[loss]
    d = [a - b for a, b in zip(x, t)]
    per = [f(v) for v in d]
    red, n = opts["reduction"], len(d)
    out = per if red == "none" else [math.fsum(per) / n if n else float("nan")] if red == "mean" else [math.fsum(per)]
    result = {"output": wire(xs if red == "none" else [], out)}
    if "grad_output" in ins:
        _, g = tensor(ins["grad_output"])
        gs = g if red == "none" else [g[0] / max(n, 1) if red == "mean" else g[0]] * n
        grad = [gi * df(v) for gi, v in zip(gs, d)]
        result["grad_input"] = wire(xs, grad)
        result["grad_target"] = wire(ts, [-v for v in grad])
    return {"outputs": {k: v for k, v in result.items() if k in case["wanted"]}}

for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "hello":
        reply = {"op": "hello", "protocol": 1, "name": "minimal", "framework": "python " + sys.version.split()[0],
                 "dtype": "float64", "device": "cpu", "losses": list(LOSSES), "gradients": True,
                 "unsupported": [{"option": "reduction", "value": "elementwise_mean", "reason": "deprecated alias"}]}
    elif req["op"] == "evaluate":
        reply = {"op": "evaluate", "id": req["id"], "results": [evaluate(c) for c in req["cases"]]}
    elif req["op"] == "bye":
        break
    else:
        reply = {"op": "error", "id": req.get("id"), "message": f"unknown op {req['op']!r}"}
    print(json.dumps(reply), flush=True)
