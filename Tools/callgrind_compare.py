#!/usr/bin/env python3
"""Instruction counts of two lossbench builds on the golden database, loss by loss.

Runs `lossbench check --impl reference,fast --loss L` under valgrind's callgrind for every loss and
both binaries, collecting only inside `Fast.evaluate` and `Reference.evaluate`, and prints a
Markdown table: instructions before and after, and their ratio, per loss and implementation.
Callgrind simulates the CPU, so the counts do not move with the machine's load: two builds can be
compared on a shared machine where two wall-clock runs of the same binary differ by 20%.

    Tools/callgrind_compare.py OLD_BINARY NEW_BINARY [--db Vectors/golden.sqlite] [--loss a,b]

Needs valgrind (Debian: valgrind) and binutils' strip. valgrind 3.19 cannot read clang 21's DWARF 5
debug info, so the binaries are copied and stripped of it first; the symbol table, to which the
counts are attributed, stays. Standard library only.
"""
import argparse, concurrent.futures, math, os, re, shutil, subprocess, tempfile

SYMBOLS = {
    "fast": "$s4FastAAO8evaluate_7threads8LossSpec0D6ResultVAE0D4CaseV_SitKFZ",
    "reference": "$s9ReferenceAAO8evaluatey8LossSpec0C6ResultVAD0C4CaseVKFZ",
}


def losses(binary):
    text = subprocess.run([binary, "bench", "--help"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    return re.search(r"values:(l1_loss[^)]*)", flat).group(1).split(",")


def count(binary, loss, db, out):
    args = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    args += [f"--toggle-collect={s}" for s in SYMBOLS.values()]
    args += [binary, "check", "--impl", "reference,fast", "--db", db, "--loss", loss]
    subprocess.run(args, capture_output=True, check=False)
    report = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                            capture_output=True, text=True).stdout
    result = {}
    for line in report.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+\S*:(\$s\S+)", line)
        if m:
            for impl, symbol in SYMBOLS.items():
                if m.group(2) == symbol:
                    result[impl] = int(m.group(1).replace(",", ""))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old"); ap.add_argument("new")
    ap.add_argument("--db", default="Vectors/golden.sqlite")
    ap.add_argument("--loss", help="only these losses, comma-separated (all when not given)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="callgrind-")
    binaries = {}
    for label, path in (("before", a.old), ("after", a.new)):
        binaries[label] = os.path.join(work, f"lossbench-{label}")
        shutil.copy(path, binaries[label])
        subprocess.run(["strip", "-g", binaries[label]], check=True)
    names = a.loss.split(",") if a.loss else losses(binaries["after"])
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for loss in names:
            for label, binary in binaries.items():
                jobs[(loss, label)] = pool.submit(count, binary, loss, a.db, os.path.join(work, f"{label}-{loss}.out"))
    print("| loss | Fast before | Fast after | ratio | Reference before | Reference after | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    logs = {"fast": [], "reference": []}
    for loss in names:
        b, n = jobs[(loss, "before")].result(), jobs[(loss, "after")].result()
        cells = [loss]
        for impl in ("fast", "reference"):
            ratio = n[impl] / b[impl]
            logs[impl].append(math.log(ratio))
            cells += [f"{b[impl]:,}", f"{n[impl]:,}", f"{ratio:.3f}"]
        print("| " + " | ".join(cells) + " |")
    gm = {k: math.exp(sum(v) / len(v)) for k, v in logs.items()}
    print(f"| geometric mean | | | {gm['fast']:.3f} | | | {gm['reference']:.3f} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
