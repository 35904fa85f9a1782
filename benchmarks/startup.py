"""What the installed command's process set-up (``derive.process``) pays, piece by piece.

    .venv/bin/python benchmarks/startup.py [--reps 21] [--spec examples/X.yaml]

Timed inside fresh interpreters (``time.process_time``), interleaved, medians, so the
shared machine's load hits every row alike:

1. importing the command (``derive.cli``) with the garbage collector on, and off (what
   ``console_main`` does: SymPy's import makes many objects and hardly any garbage);
2. ``sympy.tensor.tensor``, which SymPy's ``Add.flatten`` imports on the first sum of a
   run (and with it ``sympy.combinatorics``): what the removed placeholder module saved;
3. a whole run of ``--format all`` as child CPU (user + sys): ``cli.main`` alone, with the
   heap frozen after the imports and at exit, and ``console_main`` (collector off while
   importing, then frozen).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMPORT = """
import gc, time
{setup}
t = time.process_time()
import derive.cli
print(time.process_time() - t)
"""
TENSOR = """
import time
import derive.cli
t = time.process_time()
import sympy.tensor.tensor
print(time.process_time() - t)
"""
RUNS = {
    "cli.main, collector untouched": "from derive.cli import main\nmain()",
    "heap frozen after imports and at exit":
        "import gc\nfrom derive.cli import main\ngc.freeze()\ntry:\n    main()\n"
        "finally:\n    gc.freeze()",
    "console_main: collector off while importing, then frozen":
        "from derive.process import console_main\nconsole_main()",
}


def inside(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def child_cpu(code: str, argv: list[str]) -> float:
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"startup.py: {code!r} failed")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--spec", default="examples/softmax-cross-entropy-3-classes.yaml")
    args = parser.parse_args()
    rows: dict[str, list[float]] = {
        "import derive.cli, collector on": [], "import derive.cli, collector off": [],
        "import sympy.tensor.tensor (first sum of a run)": [],
        **{f"run: {name}": [] for name in RUNS}, "floor: import sympy, jinja2": []}
    with tempfile.TemporaryDirectory() as out:
        argv = [args.spec, "-o", out, "--format", "all"]
        for _ in range(args.reps):
            rows["import derive.cli, collector on"].append(inside(IMPORT.format(setup="")))
            rows["import derive.cli, collector off"].append(
                inside(IMPORT.format(setup="gc.disable()")))
            rows["import sympy.tensor.tensor (first sum of a run)"].append(inside(TENSOR))
            for name, code in RUNS.items():
                rows[f"run: {name}"].append(child_cpu(
                    f"import sys\nsys.argv = ['derive-backprop', *sys.argv[1:]]\n{code}", argv))
            rows["floor: import sympy, jinja2"].append(child_cpu("import sympy, jinja2", []))
    print(f"| {args.spec} | CPU ms (median of {args.reps}) |\n|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values) * 1000:.0f} |")


if __name__ == "__main__":
    main()
