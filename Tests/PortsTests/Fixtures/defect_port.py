#!/usr/bin/env python3
"""A port with planted defects, for PortsTests: standard library only. It implements mse_loss
correctly (float64, same shapes only) except on cases whose target's first element is one of
the trigger values below, and declares l1_loss unsupported for reduction 'sum' and composed (it is
not: the declaration is what is tested)."""
import base64, json, math, os, struct, sys, time

def floats(t):
    b = base64.b64decode(t["data"]); return list(struct.unpack(f"<{len(b) // 8}d", b))

def wire(shape, xs):
    return {"dtype": "float64", "shape": shape, "data": base64.b64encode(struct.pack(f"<{len(xs)}d", *xs)).decode()}

def evaluate(c):
    x, t = floats(c["inputs"]["input"]), floats(c["inputs"]["target"])
    red = c["options"]["reduction"]
    if red not in ("none", "mean", "sum"):
        return {"error": {"kind": "shape_mismatch" if t and t[0] == 7 else "invalid_reduction", "message": "bad reduction"}}
    trigger = t[0] if t else None
    if trigger == 1: os._exit(9)                     # crash on this case
    if trigger == 2: time.sleep(3600)                # hang on this case
    if trigger == 3: print("this is not json", flush=True); return None
    per = [(a - b) ** 2 for a, b in zip(x, t)]
    out = per if red == "none" else [math.fsum(per) / len(per) if per else math.nan] if red == "mean" else [math.fsum(per)]
    if trigger == 4: out = [v + 1 for v in out]      # a wrong value
    if trigger == 5: out = [v * (1 + 2e-14) for v in out]  # off by about 180 units of float64 roundoff
    return {"outputs": {"output": wire(c["inputs"]["input"]["shape"] if red == "none" else [], out)}}

for line in sys.stdin:
    r = json.loads(line)
    if r["op"] == "hello":
        print(json.dumps({"op": "hello", "protocol": 1, "name": "defects", "framework": "none", "dtype": "float64",
                          "device": "cpu", "losses": ["mse_loss", "l1_loss"], "gradients": False,
                          "unsupported": [{"loss": "l1_loss", "option": "reduction", "value": "sum", "reason": "planted"}],
                          "composed": ["l1_loss"]}), flush=True)
    elif r["op"] == "evaluate":
        results = [evaluate(c) for c in r["cases"]]
        if None in results: continue                 # the malformed line was the reply
        print(json.dumps({"op": "evaluate", "id": r["id"], "results": results}), flush=True)
