"""Measure the gain of the optimisations proposed in PROFILE.md before anyone implements them.

    .venv/bin/python benchmarks/experiments.py [--tree DIR] [--net 10-30-20-1] [--reps 5]

Nothing here changes derive/: each experiment times the current code path and a
stand-in for the proposed one, side by side, in this process or in fresh
interpreters, and prints a Markdown table.

1. *Imports*: fresh interpreters (median): the floor, ``import derive.cli``, and
   the lazy imports a run triggers later (the first ``Add``, ``sp.simplify``).
2. *Templates*: moved to ``templates.py`` (compiled every run, compiled at build time,
   or a bytecode cache).
3. *Forward pass* (the finite differences' inner loop): ``numeric.forward``
   (walks SymPy trees with mpmath) against a closure over per-layer lists with
   mpmath numbers, and the same closure with float64.
4. *Finite-difference schedules* for the network: loss evaluations needed by
   today's check, with the unperturbed loss hoisted, and with a few random
   directional derivatives instead of one difference per parameter.
5. *Evaluating the printed structures* (δ equations, δ-form gradients) through
   ``numeric.evaluate``, which rebuilds a SymPy Mul/Add for every ChainProduct
   and ChainSum, against multiplying and adding their factors' values.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def fresh(code: str, reps: int, env: dict | None = None) -> float:
    """Median CPU time (user + sys) of ``python -c code`` in a fresh interpreter."""
    times = []
    for _ in range(reps):
        proc = subprocess.Popen([sys.executable, "-c", code], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"experiments.py: {code!r} failed")
        times.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times)


def in_process(code: str, setup: str, reps: int, env: dict | None = None) -> float:
    """Median CPU time of ``code`` after ``setup`` in fresh interpreters (timed inside)."""
    prog = (f"import time\n{setup}\nt = time.process_time()\n{code}\n"
            f"print(time.process_time() - t)")
    out = []
    for _ in range(reps):
        res = subprocess.run([sys.executable, "-c", prog], check=True, env=env,
                             capture_output=True, text=True)
        out.append(float(res.stdout.strip().splitlines()[-1]))
    return statistics.median(out)


def imports(reps: int, env: dict) -> list[tuple[str, float]]:
    interleaved = {"python -c pass": "pass",
                   "floor: import sympy, jinja2": "import sympy, jinja2",
                   "import sympy, jinja2, yaml, click, mpmath":
                       "import sympy, jinja2, yaml, click, mpmath",
                   "import derive.cli": "import derive.cli"}
    samples: dict[str, list[float]] = {name: [] for name in interleaved}
    for _ in range(reps):   # round-robin, so a change of load hits every row alike
        for name, code in interleaved.items():
            samples[name].append(fresh(code, 1, env))
    rows = [(name, statistics.median(v)) for name, v in samples.items()]
    rows += [
        ("first sympy Add after import sympy (lazy sympy.tensor.tensor import)",
         in_process("sp.Add(sp.Symbol('a'), sp.Symbol('b'))", "import sympy as sp", reps, env)),
        ("import sympy.physics.units (done lazily by the first sp.simplify)",
         in_process("import sympy.physics.units",
                    "import sympy as sp\nsp.Add(sp.Symbol('a'), sp.Symbol('b'))", reps, env)),
        ("first sp.simplify(sin(a)**2 + cos(a)**2 - 1) (includes that import)",
         in_process("sp.simplify(sp.sin(a) ** 2 + sp.cos(a) ** 2 - 1)",
                    "import sympy as sp\na = sp.Symbol('a')\nsp.Add(a, 1)", reps, env)),
    ]
    return rows


def unlimited():  # type: ignore[no-untyped-def]
    """Limits high enough for any generated network (what ``--no-limits`` passes)."""
    from derive.spec import Limits  # noqa: PLC0415
    return Limits(**{k: 10**9 for k in Limits.__dataclass_fields__})


# --------------------------------------------------------------------------- forward pass


def forward_experiment(shape: str, reps: int) -> tuple[list[tuple[str, float]], int, int]:
    import mpmath  # noqa: PLC0415
    import sympy as sp  # noqa: PLC0415

    sys.path.insert(0, str(HERE))
    from run import Net  # noqa: PLC0415

    numeric = importlib.import_module("derive.numbers.evaluate")   # the module, not its function
    from derive.calculus.network import build_network  # noqa: PLC0415
    from derive.spec.loader import load  # noqa: PLC0415

    sizes = [int(s) for s in shape.split("-")]
    net = Net(shape, sizes[0], tuple(sizes[1:-1]), outputs=sizes[-1])
    spec = load(net.yaml(), "gen.yaml", limits=unlimited())
    network = build_network(spec)
    rng = random.Random(0)
    params = tuple(mpmath.mpf(rng.uniform(-1, 1)) for _ in network.parameters)
    x = tuple(rng.uniform(-2, 2) for _ in network.x)
    y = tuple(rng.uniform(-1, 1) for _ in network.y)

    def timeit(fn, n: int) -> float:  # type: ignore[no-untyped-def]
        """Median CPU seconds per call."""
        best = []
        for _ in range(reps):
            start = time.process_time()
            for _ in range(n):
                fn()
            best.append((time.process_time() - start) / n)
        return statistics.median(best)

    env = numeric.parameter_env(network, params)
    current = numeric.forward(network, env, x, y).loss

    # a closure over per-layer lists: what a compiled evaluator would do
    def numeric_of(layer, mp: bool):  # type: ignore[no-untyped-def]
        a = layer.a_expr[0]
        if isinstance(a, sp.Symbol):
            return lambda v: v
        fn = getattr(type(a), "numeric", None)
        if fn is not None and mp:
            return fn
        if type(a).__name__ == "sigmoid":
            return lambda v: 1.0 / (1.0 + math.exp(-v))
        if a.func is sp.tanh:
            return mpmath.tanh if mp else math.tanh
        raise SystemExit(f"experiments.py: no stand-in for {type(a).__name__}")

    def compile_forward(mp: bool):  # type: ignore[no-untyped-def]
        conv = (lambda v: v) if mp else float
        index = {p: i for i, p in enumerate(network.parameters)}
        plan = []
        for layer in network.layers:
            W = [[index[w] for w in row] for row in layer.W]
            b = [index[s] for s in layer.b]
            plan.append((W, b, numeric_of(layer, mp)))
        fsum = mpmath.fsum if mp else math.fsum
        xs = [numeric.decimal(v) if mp else float(v) for v in x]
        ys = [numeric.decimal(v) if mp else float(v) for v in y]

        def run(theta):  # type: ignore[no-untyped-def]
            th = [conv(t) for t in theta] if not mp else theta
            a = xs
            for W, b, g in plan:
                z = [fsum([th[w] * v for w, v in zip(row, a)]) + (th[b[j]] if b else 0)
                     for j, row in enumerate(W)]
                a = [g(v) for v in z]
            return fsum([(t - v) ** 2 for t, v in zip(ys, a)])
        return run

    mp_closure = compile_forward(True)
    fl_closure = compile_forward(False)
    fl_params = [float(p) for p in params]
    assert abs(mp_closure(params) - current) < mpmath.mpf("1e-30"), "closure disagrees"
    assert abs(fl_closure(fl_params) - float(current)) < 1e-9 * max(1, abs(float(current)))

    t_current = timeit(lambda: numeric.forward(network, env, x, y), 3)
    t_mp = timeit(lambda: mp_closure(params), 10)
    t_fl = timeit(lambda: fl_closure(fl_params), 50)
    rows = [("numeric.forward (SymPy tree walk, mpmath 50 digits)", t_current),
            ("closure over per-layer lists, mpmath 50 digits", t_mp),
            ("closure over per-layer lists, float64", t_fl)]
    return rows, len(network.parameters), len(spec.example.x) if spec.example else 1


def structural_experiment(shape: str, reps: int) -> tuple[list[tuple[str, float]], int]:
    """Evaluate every δ and every ∂L/∂θ at one point: through ``numeric.evaluate`` (which turns
    each ChainProduct/ChainSum into a SymPy Mul/Add first) and structurally (multiply and add
    the evaluated factors, SymPy only at the leaves)."""
    import mpmath  # noqa: PLC0415

    sys.path.insert(0, str(HERE))
    from run import Net  # noqa: PLC0415

    numeric = importlib.import_module("derive.numbers.evaluate")   # the module, not its function
    from derive.calculus.derivation import derive  # noqa: PLC0415
    from derive.calculus.expressions import ChainProduct, ChainSum  # noqa: PLC0415
    from derive.calculus.network import build_network  # noqa: PLC0415
    from derive.spec.loader import load  # noqa: PLC0415

    sizes = [int(v) for v in shape.split("-")]
    net = Net(shape, sizes[0], tuple(sizes[1:-1]), outputs=sizes[-1])
    derivation = derive(build_network(load(net.yaml(), "gen.yaml", limits=unlimited())))
    network = derivation.network
    rng = random.Random(0)
    params = tuple(mpmath.mpf(rng.uniform(-1, 1)) for _ in network.parameters)
    x = tuple(rng.uniform(-2, 2) for _ in network.x)
    y = tuple(rng.uniform(-1, 1) for _ in network.y)
    env0 = numeric.forward(network, numeric.parameter_env(network, params), x, y).env

    def structural(expr, env):  # type: ignore[no-untyped-def]
        if isinstance(expr, ChainProduct):
            out = mpmath.mpf(1)
            for f in expr.factors:
                out *= structural(f, env)
            return out
        if isinstance(expr, ChainSum):
            return mpmath.fsum(structural(t, env) for t in expr.terms)
        return numeric.evaluate(expr, env)

    def run(ev):  # type: ignore[no-untyped-def]
        env = dict(env0)
        for layer in reversed(derivation.deltas):
            for eq in layer:
                env[eq.symbol] = ev(eq.value, env)
        return [ev(g.delta_form, env) for g in derivation.gradients]

    a, b = run(numeric.evaluate), run(structural)
    assert all(abs(u - v) <= mpmath.mpf("1e-40") * max(1, abs(u)) for u, v in zip(a, b))
    rows = []
    for name, ev in (("numeric.evaluate (as_expr builds a SymPy Mul/Add per structure)",
                      numeric.evaluate),
                     ("structural: multiply/add the factors' values", structural)):
        times = []
        for _ in range(reps):
            start = time.process_time()
            run(ev)
            times.append(time.process_time() - start)
        rows.append((name, statistics.median(times)))
    return rows, len(network.parameters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default=str(HERE.parent))
    parser.add_argument("--net", default="10-30-20-1")
    parser.add_argument("--struct-net", default="20-100-80-1")
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    tree = str(Path(args.tree).resolve())
    sys.path.insert(0, tree)
    env = dict(os.environ, PYTHONPATH=tree)
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    say(f"## Experiments (derive from {tree}; medians of {args.reps})")
    say()
    say("| what | CPU seconds |")
    say("|---|---:|")
    rows = imports(args.reps, env)
    for name, t in rows:
        say(f"| {name} | {t:.3f} |")
    say()

    rows, params, _ = forward_experiment(args.net, args.reps)
    say(f"Forward pass of the {args.net} network ({params} parameters), one sample:")
    say()
    say("| evaluator | CPU ms per pass | speed-up |")
    say("|---|---:|---:|")
    base = rows[0][1]
    for name, t in rows:
        say(f"| {name} | {1e3 * t:.2f} | {base / t:.1f}× |")
    say()
    points, directions = 3, 8
    schedules = [
        ("today: here, up, down per parameter", 3 * params),
        ("unperturbed loss hoisted out of the loop: up, down", 2 * params + 1),
        (f"{directions} random directions (central difference of θ + h·v, compared "
         f"with g·v)", 2 * directions + 1),
    ]
    say(f"Finite-difference schedules per check point ({points} points per run), and the "
        f"estimated check time with each evaluator:")
    say()
    say("| schedule | loss evaluations per point | check CPU s, numeric.forward | "
        "check CPU s, mpmath closure | check CPU s, float64 closure |")
    say("|---|---:|" + "---:|" * len(rows))
    for name, n in schedules:
        say(f"| {name} | {n} | " + " | ".join(f"{points * n * t:.2f}" for _, t in rows) + " |")
    say()
    rows, params = structural_experiment(args.struct_net, 3)
    say(f"Every δ and every δ-form gradient at one point, {args.struct_net} network "
        f"({params} parameters; what work_example and the check's symbolic side do per "
        f"sample and point):")
    say()
    say("| evaluator | CPU s | speed-up |")
    say("|---|---:|---:|")
    for name, t in rows:
        say(f"| {name} | {t:.3f} | {rows[0][1] / t:.1f}× |")
    say()
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
