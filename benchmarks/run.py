"""Benchmark derive-backprop against the floor (a bare ``import sympy, jinja2``) and a naive baseline.

    .venv/bin/python benchmarks/run.py [--quick] [--out benchmarks/RESULTS.md]

Everything is a subprocess measured from outside: wall time (perf_counter around
the child), CPU time (user + sys) and peak RSS of that one child (``os.wait4``
returns the child's own rusage), each with a time cap; a child still running at
its cap is killed and reported as "timeout". The machine is shared, so every
row is reported as a ratio to floor runs measured next to it (one floor run
before each repetition), and repeated rows report medians.

Sections (``--sections``, comma separated; default all):

- ``examples``  ``derive-backprop examples/X.yaml --format all``
- ``generated`` generated networks of ~150, ~1 000 and ~10 000 parameters
- ``naive``     benchmarks/naive.py on the same networks (full expansion, diff, simplify)
- ``scaling``   width varied at fixed depth, depth varied at fixed width; log-log slopes
- ``imports``   which heavy modules a default run imports, and the slowest imports

Writes the Markdown report (``--out``), the raw numbers next to it
(``results.json``) and the scaling plot (``--svg``, default next to ``--out``).
Not a test: pytest never collects this folder.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("derive-backprop"))
NAIVE = str(Path(__file__).resolve().with_name("naive.py"))

DEFAULT_LIMITS = {"parameters": 20_000, "layers": 16, "units": 1_000}   # README's, if unreadable
_LIMITS: dict[str, float] = {}


def tool_limits() -> dict[str, float]:
    """The measured tree's default size limits (``derive.spec.Limits``), read once."""
    if not _LIMITS:
        code = ("import dataclasses, json; from derive.spec import Limits; "
                "print(json.dumps(dataclasses.asdict(Limits())))")
        out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                             env=CHILD_ENV)
        try:
            _LIMITS.update(json.loads(out.stdout))
        except ValueError:
            _LIMITS.update(DEFAULT_LIMITS)
    return _LIMITS
HEAVY = ("torch", "matplotlib", "mkdocs", "numpy")


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One child process: how it ended and what it cost."""

    status: str          # ok, timeout, error (exit code N)
    wall: float
    cpu: float
    rss_mib: float
    stdout: str = ""
    stderr: str = ""


CHILD_ENV = dict(os.environ)


def install_tree(tree: Path, target: Path) -> None:
    """Install ``tree`` into ``target`` as a user gets it, and measure that.

    ``pip install --target`` builds the tree's wheel (its build hook compiles the Jinja
    templates into it), installs it byte-compiled, and writes its ``derive-backprop`` script
    into ``target/bin``; children get ``target`` first on PYTHONPATH. A tree on PYTHONPATH
    would compile its sources and templates on every run instead (about 40 + 45 ms), and the
    venv's own script may not match the tree's entry point (``--snapshot`` of another commit).
    """
    global CLI
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                    str(tree)], check=True, stdout=subprocess.DEVNULL)
    CLI = str(target / "bin" / "derive-backprop")
    old = os.environ.get("PYTHONPATH")
    CHILD_ENV["PYTHONPATH"] = str(target) + (os.pathsep + old if old else "")


def run_child(cmd: list[str], cap: float, cwd: Path | None = None) -> Run:
    """Run ``cmd`` with a time cap; wall, user+sys CPU and peak RSS of this child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=CHILD_ENV,
                                start_new_session=True)
        result: dict[str, object] = {}

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            result["end"] = time.perf_counter()
            result["status"], result["usage"] = status, usage

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        waiter.join(cap)
        timed_out = waiter.is_alive()
        if timed_out:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            waiter.join()
        status = int(result["status"])  # type: ignore[call-overload]
        usage = result["usage"]
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = float(result["end"]) - start  # type: ignore[arg-type]
        out.seek(0)
        err.seek(0)
        code = proc.returncode
        state = "timeout" if timed_out else ("ok" if code == 0 else f"error (exit {code})")
        return Run(status=state, wall=wall,
                   cpu=usage.ru_utime + usage.ru_stime,  # type: ignore[attr-defined]
                   rss_mib=usage.ru_maxrss / 1024,  # type: ignore[attr-defined]
                   stdout=out.read().decode(errors="replace"),
                   stderr=err.read().decode(errors="replace"))


FLOOR_CMD = [PYTHON, "-c", "import sympy, jinja2"]


@dataclass
class Row:
    """A repeated measurement plus the floor runs taken next to it."""

    name: str
    params: int | None
    detail: str
    runs: list[Run] = field(default_factory=list)
    floors: list[Run] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        bad = [r.status for r in self.runs if r.status != "ok"]
        return bad[0] if bad else "ok"

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def floor(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.floors)

    def ratio(self, attr: str) -> float:
        return self.median(attr) / self.floor(attr)

    def as_dict(self) -> dict:
        d = {"name": self.name, "params": self.params, "detail": self.detail,
             "status": self.status, "extra": self.extra,
             "runs": [{k: v for k, v in asdict(r).items() if k not in ("stdout", "stderr")}
                      for r in self.runs],
             "floors": [{k: v for k, v in asdict(r).items() if k not in ("stdout", "stderr")}
                        for r in self.floors]}
        return d


def measure(name: str, cmd: list[str], *, params: int | None, detail: str, cap: float,
            reps: int, long_run: float, cwd: Path | None = None, log: bool = True) -> Row:
    """Up to ``reps`` runs of ``cmd``, each after one floor run; stop repeating once a run
    takes longer than ``long_run`` seconds or does not succeed."""
    row = Row(name, params, detail)
    for _ in range(max(1, reps)):
        row.floors.append(run_child(FLOOR_CMD, 60))
        run = run_child(cmd, cap, cwd)
        row.runs.append(run)
        if run.status != "ok" or run.wall > long_run:
            break
    if log:
        r = row.runs[-1]
        tail = "" if r.status == "ok" else f"  [{r.status}] {r.stderr.strip()[-300:]}"
        print(f"  {name:<44} {row.status:<8} wall {row.median('wall'):8.2f}s "
              f"x{row.ratio('wall'):7.2f}  rss {row.median('rss_mib'):7.1f} MiB "
              f"(n={len(row.runs)}){tail}", flush=True)
    return row


# --------------------------------------------------------------------------- networks


@dataclass(frozen=True)
class Net:
    name: str
    inputs: int
    hidden: tuple[int, ...]
    activation: str = "sigmoid"
    outputs: int = 1
    loss: str = "squared_error"

    @property
    def units(self) -> tuple[int, ...]:
        return (*self.hidden, self.outputs)

    @property
    def params(self) -> int:
        fans = (self.inputs, *self.units)
        return sum(fans[i + 1] * fans[i] + fans[i + 1] for i in range(len(self.units)))

    @property
    def shape(self) -> str:
        return "-".join(map(str, (self.inputs, *self.units)))

    def needs_no_limits(self) -> bool:
        limits = tool_limits()
        return (self.params > limits.get("parameters", math.inf)
                or len(self.units) > limits.get("layers", math.inf)
                or max(self.inputs, *self.units) > limits.get("units", math.inf))

    def yaml(self) -> str:
        x = [round(math.sin(k + 1) * 0.9, 3) for k in range(self.inputs)]
        y = [round(0.5 * math.cos(j + 1), 3) for j in range(self.outputs)]
        layers = "".join(f"  - {{units: {u}, activation: {self.activation}}}\n"
                         for u in self.hidden)
        layers += f"  - {{units: {self.outputs}, activation: linear}}\n"
        return (f"title: Generated {self.shape} network ({self.params} parameters)\n"
                f"inputs: {self.inputs}\n"
                f"layers:\n{layers}"
                f"loss: {self.loss}\n"
                f"example:\n"
                f"  x: {json.dumps(x)}\n"
                f"  y: {json.dumps(y)}\n"
                f"  init: {{seed: 0, scheme: uniform}}\n"
                f"  learning_rate: 0.1\n"
                f"  steps: 1\n")

    def arch(self) -> str:
        layers = [[u, self.activation, True] for u in self.hidden] + [[self.outputs, "linear", True]]
        return json.dumps({"inputs": self.inputs, "layers": layers, "loss": self.loss})


def example_arch(path: Path) -> str | None:
    """The naive baseline's architecture for a spec in examples/ (read with PyYAML, a
    dependency of the tool and so present in its venv)."""
    import yaml  # the tool's own dependency, present in the venv

    spec = yaml.safe_load(path.read_text())
    inputs = spec["inputs"]
    n = inputs if isinstance(inputs, int) else len(inputs)
    layers = [[layer["units"], layer.get("activation", "linear"), layer.get("bias", True)]
              for layer in spec["layers"]]
    return json.dumps({"inputs": n, "layers": layers, "loss": spec["loss"]})


def example_kind(path: Path) -> str:
    """network (layers:), circuit (graph:) or typed (typed layers over shaped inputs)."""
    import yaml  # the tool's own dependency, present in the venv

    spec = yaml.safe_load(path.read_text())
    if "graph" in spec:
        return "circuit"
    typed = isinstance(spec.get("inputs"), dict) or any(
        isinstance(layer, dict) and "type" in layer for layer in spec.get("layers", []))
    return "typed" if typed else "network"


def example_params(path: Path) -> int:
    """Parameters of a network example; 0 for a circuit or typed-layer spec (not counted)."""
    if example_kind(path) != "network":
        return 0
    arch = json.loads(example_arch(path) or "{}")
    fan, total = arch["inputs"], 0
    for units, _, bias in arch["layers"]:
        total += units * fan + (units if bias else 0)
        fan = units
    return total


def tool_cmd(spec: Path, out: Path, fmt: str, no_limits: bool = False) -> list[str]:
    return [CLI, str(spec), "-o", str(out), "--format", fmt, *(["--no-limits"] if no_limits else [])]


# --------------------------------------------------------------------------- naive baseline


def naive_row(name: str, arch: str, params: int, cap: float) -> Row:
    row = measure(f"naive {name}", [PYTHON, NAIVE, arch], params=params, detail="naive",
                  cap=cap, reps=1, long_run=0)
    run = row.runs[0]
    if run.status == "error (exit 3)":   # naive.py does not model this activation or loss
        run.status = "unsupported"
    done = [line.split() for line in run.stdout.splitlines() if line.startswith("done ")]
    built = [line.split() for line in run.stdout.splitlines() if line.startswith("built ")]
    row.extra["done"] = int(done[-1][1]) if done else 0
    row.extra["built"] = float(built[0][1]) if built else None
    if run.status == "ok":
        row.extra["estimate"] = run.wall
    elif done:
        # time per parameter so far, times all parameters (a lower estimate: the first
        # parameters are the deepest ones, but later ones are not cheaper by much)
        row.extra["estimate"] = float(done[-1][2]) / int(done[-1][1]) * params
    else:
        row.extra["estimate"] = None   # not one derivative within the cap
    return row


# --------------------------------------------------------------------------- imports


IMPORT_PROBE = r"""
import sys
code = None
sys.argv = ["derive-backprop", *sys.argv[1:]]
try:
    from derive.cli import main
    main()
except SystemExit as exc:
    code = exc.code
except BaseException as exc:
    code = repr(exc)[:200]
    raise
finally:
    heavy = {name: any(m == name or m.startswith(name + ".") for m in sys.modules)
             for name in %r}
    sys.stderr.write("PROBE " + repr((code, heavy, len(sys.modules))) + "\n")
""" % (HEAVY,)


def import_probe(spec: Path, out: Path) -> dict:
    """Run the CLI in-process under ``-X importtime``; report heavy modules and slowest imports."""
    run = run_child([PYTHON, "-X", "importtime", "-c", IMPORT_PROBE, str(spec), "-o", str(out),
                     "--format", "all"], 120)
    probe = [line for line in run.stderr.splitlines() if line.startswith("PROBE ")]
    code, heavy, count = ast.literal_eval(probe[-1][6:]) if probe else (None, {}, 0)
    if not probe:
        print(f"  import probe failed ({run.status}): {run.stderr[-500:]}", flush=True)
    top = []
    for line in run.stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or "cumulative" in line:
            continue
        name = parts[2]
        if name.startswith("  "):   # nested import: counted in its parent's cumulative time
            continue
        top.append((int(parts[1]), name.strip()))
    top.sort(reverse=True)
    return {"exit": code, "heavy": heavy, "modules": count,
            "top": [(name, us / 1e6) for us, name in top[:8]], "status": run.status}


# --------------------------------------------------------------------------- fitting and plot


def loglog_slope(xs: list[float], ys: list[float]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(p[0] for p in pts)
    my = statistics.fmean(p[1] for p in pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def _ticks(lo: float, hi: float) -> list[float]:
    """Decades (and 2, 5 between them when the range is narrow) within [lo, hi]."""
    out = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in ((1,) if math.log10(hi / lo) > 2.5 else (1, 2, 5)):
            v = m * 10 ** e
            if lo <= v <= hi:
                out.append(v)
    return out


def _fmt_tick(v: float) -> str:
    return f"{v:g}" if v < 1e4 else f"1e{round(math.log10(v))}" if v == 10 ** round(
        math.log10(v)) else f"{v:.0e}"


def _panel(x0: float, y0: float, w: float, h: float, title: str, xlabel: str, ylabel: str,
           series: list[tuple[str, str, list[tuple[float, float]]]], fit: bool) -> str:
    """One log-log panel: points joined by lines, an optional fitted line, decade ticks."""
    pts = [p for _, _, s in series for p in s if p[0] > 0 and p[1] > 0]
    if len(pts) < 2:
        return ""
    xlo, xhi = min(p[0] for p in pts) / 1.3, max(p[0] for p in pts) * 1.3
    ylo, yhi = min(p[1] for p in pts) / 1.5, max(p[1] for p in pts) * 1.5

    def px(x: float) -> float:
        return x0 + w * (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo))

    def py(y: float) -> float:
        return y0 + h - h * (math.log(y) - math.log(ylo)) / (math.log(yhi) - math.log(ylo))

    parts = [f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#444"/>',
             f'<text x="{x0 + w / 2}" y="{y0 - 10}" text-anchor="middle" font-weight="bold">'
             f'{title}</text>',
             f'<text x="{x0 + w / 2}" y="{y0 + h + 36}" text-anchor="middle">{xlabel}</text>',
             f'<text x="{x0 - 48}" y="{y0 + h / 2}" text-anchor="middle" '
             f'transform="rotate(-90 {x0 - 48} {y0 + h / 2})">{ylabel}</text>']
    for t in _ticks(xlo, xhi):
        parts.append(f'<line x1="{px(t):.1f}" y1="{y0}" x2="{px(t):.1f}" y2="{y0 + h}" '
                     f'stroke="#ddd"/><text x="{px(t):.1f}" y="{y0 + h + 16}" '
                     f'text-anchor="middle" font-size="11">{_fmt_tick(t)}</text>')
    for t in _ticks(ylo, yhi):
        parts.append(f'<line x1="{x0}" y1="{py(t):.1f}" x2="{x0 + w}" y2="{py(t):.1f}" '
                     f'stroke="#ddd"/><text x="{x0 - 6}" y="{py(t) + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{_fmt_tick(t)}</text>')
    for i, (label, color, s) in enumerate(series):
        s = [p for p in s if p[0] > 0 and p[1] > 0]
        if not s:
            continue
        path = " ".join(f"{'M' if k == 0 else 'L'}{px(x):.1f},{py(y):.1f}"
                        for k, (x, y) in enumerate(s))
        parts.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        parts += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{color}"/>'
                  for x, y in s]
        slope = loglog_slope([p[0] for p in s], [p[1] for p in s])
        if fit and slope is not None and len(s) >= 2:
            lx = [math.log(p[0]) for p in s]
            ly = [math.log(p[1]) for p in s]
            b = statistics.fmean(ly) - slope * statistics.fmean(lx)
            a1, a2 = s[0][0], s[-1][0]
            parts.append(f'<line x1="{px(a1):.1f}" y1="{py(math.exp(b) * a1 ** slope):.1f}" '
                         f'x2="{px(a2):.1f}" y2="{py(math.exp(b) * a2 ** slope):.1f}" '
                         f'stroke="{color}" stroke-dasharray="5,4" stroke-width="1"/>')
        legend = label + (f" (slope {slope:.2f})" if slope is not None else "")
        parts.append(f'<text x="{x0 + w - 8}" y="{y0 + h - 10 - 15 * (len(series) - 1 - i)}" '
                     f'font-size="12" text-anchor="end" fill="{color}">{legend}</text>')
    return "\n".join(parts)


def scaling_svg(width_rows: list[Row], depth_rows: list[Row], subtitle: str) -> str:
    def series(rows: list[Row], key: str, attr: str, above: bool) -> list[tuple[float, float]]:
        out = []
        for r in rows:
            if r.status != "ok":
                continue
            y = r.median(attr) - (r.floor(attr) if above else 0)
            out.append((float(r.extra[key]), y))
        return out

    pw, ph = 360, 250
    panels = [
        _panel(80, 60, pw, ph, "Time vs parameters (depth fixed)", "parameters", "seconds",
               [("wall", "#1f77b4", series(width_rows, "params", "wall", False)),
                ("wall - floor", "#d62728", series(width_rows, "params", "wall", True)),
                ("CPU - floor", "#ff7f0e", series(width_rows, "params", "cpu", True))], True),
        _panel(560, 60, pw, ph, "Peak RSS vs parameters (depth fixed)", "parameters", "MiB",
               [("peak RSS", "#2ca02c", series(width_rows, "params", "rss_mib", False)),
                ("RSS - floor", "#9467bd", series(width_rows, "params", "rss_mib", True))],
               True),
        _panel(80, 390, pw, ph, "Time vs depth (width fixed)", "hidden layers", "seconds",
               [("wall", "#1f77b4", series(depth_rows, "depth", "wall", False)),
                ("wall - floor", "#d62728", series(depth_rows, "depth", "wall", True)),
                ("CPU - floor", "#ff7f0e", series(depth_rows, "depth", "cpu", True))], True),
        _panel(560, 390, pw, ph, "Peak RSS vs depth (width fixed)", "hidden layers", "MiB",
               [("peak RSS", "#2ca02c", series(depth_rows, "depth", "rss_mib", False)),
                ("RSS - floor", "#9467bd", series(depth_rows, "depth", "rss_mib", True))],
               True),
    ]
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="960" height="700" '
            'font-family="sans-serif" font-size="13">\n'
            '<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="480" y="24" text-anchor="middle" font-size="15">derive-backprop scaling '
            f'(log-log; dashed: least-squares fit) {subtitle}</text>\n'
            + "\n".join(panels) + "\n</svg>\n")


# --------------------------------------------------------------------------- report


def _load() -> list[str]:
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return []


def machine(tree: Path, snapshot: str | None) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    sympy_version = subprocess.run([PYTHON, "-c", "import sympy; print(sympy.__version__)"],
                                   capture_output=True, text=True).stdout.strip()
    mpmath_version = subprocess.run([PYTHON, "-c", "import mpmath; print(mpmath.__version__)"],
                                    capture_output=True, text=True).stdout.strip()
    load = _load()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", snapshot or "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "derive",
                            "templates"], capture_output=True, text=True).stdout.strip()
    if snapshot:
        where = f"`git archive {snapshot}` = {commit}"
    elif tree != ROOT:
        where = f"tree {tree}"
    else:
        where = f"the working tree at {commit}" + (
            " (derive/ or templates/ modified)" if dirty else "")
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "sympy": sympy_version, "mpmath": mpmath_version, "load": load,
            "platform": platform.platform(), "commit": where,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def _s(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def _x(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}×" if v < 100 else f"{v:.0f}×"


def _yes(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def table(rows: list[Row], targets: dict[str, tuple[float, float | None]]) -> list[str]:
    head = ["| run | params | n | status | wall s | ×floor (wall) | CPU s | ×floor (CPU) "
            "| peak RSS MiB | ×floor (RSS) | target | meets |",
            "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in rows:
        t = targets.get(r.name)
        if r.status == "ok":
            wr, cr = r.ratio("wall"), r.ratio("cpu")
            meets = None
            if t is not None:
                meets = wr <= t[0] and (t[1] is None or r.median("rss_mib") <= t[1])
            cells = [_s(r.median("wall")), _x(wr), _s(r.median("cpu")), _x(cr),
                     f"{r.median('rss_mib'):.0f}", _x(r.ratio("rss_mib"))]
        elif r.status == "timeout":
            meets = False if t is not None else None
            cells = [f"> {r.runs[-1].wall:.0f}", f"> {r.runs[-1].wall / r.floor('wall'):.0f}×",
                     _s(r.runs[-1].cpu), "–", f"{r.runs[-1].rss_mib:.0f}", "–"]
        else:
            meets = False if t is not None else None
            cells = ["–"] * 6
        target = "–" if t is None else f"≤ {t[0]:g}×" + (f", ≤ {t[1]:.0f} MiB" if t[1] else "")
        head.append(f"| {r.name} | {r.params if r.params is not None else '–'} | {len(r.runs)} "
                    f"| {r.status} | " + " | ".join(cells) + f" | {target} | {_yes(meets)} |")
    return head


def write_report(path: Path, svg_path: Path, info: dict, floor: Row, sections: dict,
                 quick: bool, elapsed: float) -> None:
    lines = ["# derive-backprop benchmark results", "",
             f"Generated by `benchmarks/run.py{' --quick' if quick else ''}` on "
             f"{info['date']} on {info['commit']} ({elapsed / 60:.1f} min).", "",
             f"**Machine.** {info['nproc']} CPU(s) (`nproc`), {info['cpu']} "
             f"(/proc/cpuinfo), {info['platform']}; Python {info['python']}, SymPy "
             f"{info['sympy']}, mpmath {info['mpmath']}. The machine is shared with other "
             f"jobs (load average at start: {' '.join(info['load'])}, at the end: "
             f"{' '.join(info.get('load_end', [])) or 'not recorded'}), so absolute seconds "
             f"are noisy: each row is compared with floor runs taken right next to it (one "
             f"before every repetition) and repeated rows report medians. Wall time and peak "
             f"RSS are per child process (`os.wait4`); CPU = user + sys of the child. "
             f"The measured tree is installed first (`pip install --target`: its wheel, with "
             f"the templates its build hook compiles, byte-compiled) and its own "
             f"`derive-backprop` script is run. Where the time goes and what to change: `PROFILE.md`.", "",
             f"**Floor** (`python -c \"import sympy, jinja2\"`, median of {len(floor.runs)}): "
             f"wall {floor.median('wall'):.3f} s, CPU {floor.median('cpu'):.3f} s, peak RSS "
             f"{floor.median('rss_mib'):.1f} MiB.", ""]
    targets = sections.get("targets", {})
    if "examples" in sections or "generated" in sections:
        lines += ["## End to end", "",
                  "`derive-backprop SPEC -o TMP --format all` (JSON only for the largest "
                  "network); generated specs use sigmoid hidden layers, a linear output, "
                  "squared error, one sample, `init: {seed: 0, scheme: uniform}`, 1 step. "
                  "A timed-out row shows its cap as a lower bound.", ""]
        lines += table(sections.get("examples", []) + sections.get("generated", []), targets)
        lines.append("")
    if "naive" in sections:
        lines += ["## Naive baseline", "",
                  "`benchmarks/naive.py`: the loss with every layer substituted in (one "
                  "expression), then `sympy.simplify(sympy.diff(L, θ))` for each parameter θ, "
                  "in one process with a cap (a quarter of it for the examples). *Extrapolated* = time per finished derivative × "
                  "parameters (– when not one derivative finished within the cap). *Speed-up* "
                  "compares with the tool's median wall time for the same network; with a "
                  "timed-out baseline it is a lower bound (cap / tool), and if the tool timed "
                  "out too nothing can be said.", "",
                  "| network | params | status | built expr s | derivatives done | naive wall s "
                  "| extrapolated s | tool wall s | speed-up |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
        tool = {r.name: r for r in sections.get("examples", []) + sections.get("generated", [])}
        for r in sections["naive"]:
            base = r.name.removeprefix("naive ")
            t = tool.get(base)
            run = r.runs[0]
            speed = "–"
            if t is not None and t.status == "ok":
                if r.status == "ok":
                    speed = _x(run.wall / t.median("wall"))
                else:
                    speed = "≥ " + _x(run.wall / t.median("wall"))
                    if r.extra.get("estimate"):
                        speed += f" (extrap. {_x(r.extra['estimate'] / t.median('wall'))})"
            lines.append(
                f"| {base} | {r.params} | {r.status} | {_s(r.extra.get('built'))} | "
                f"{r.extra['done']}/{r.params} | {('> ' if r.status != 'ok' else '')}"
                f"{_s(run.wall)} | {_s(r.extra.get('estimate'))} | "
                f"{_s(t.median('wall')) if t and t.status == 'ok' else '–'} | {speed} |")
        lines.append("")
    if "scaling" in sections:
        width_rows, depth_rows = sections["scaling"]
        lines += ["## Scaling", "",
                  f"![scaling]({os.path.relpath(svg_path, path.parent)})", "",
                  "`--format all`, sigmoid hidden layers. *Width* varies the two hidden layers "
                  "(inputs 4, output 1); *depth* varies the number of hidden layers of width 4 "
                  "(inputs 4, output 1). Slopes are least-squares fits of log(y) on log(x); "
                  "\"above floor\" subtracts the median floor (interpreter + SymPy import), "
                  "which dominates small runs and flattens the raw slope.", ""]
        for title, rows, key in (("Width (depth fixed: 2 hidden layers)", width_rows, "params"),
                                 ("Depth (width fixed: 4 units)", depth_rows, "depth")):
            lines += [f"### {title}", "",
                      "| network | hidden layers | params | n | status | wall s | ×floor | "
                      "wall − floor s | CPU s | CPU − floor s | peak RSS MiB | RSS − floor MiB |",
                      "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
            for r in rows:
                if r.status == "ok":
                    cells = (f"{_s(r.median('wall'))} | {_x(r.ratio('wall'))} | "
                             f"{_s(r.median('wall') - r.floor('wall'))} | "
                             f"{_s(r.median('cpu'))} | {_s(r.median('cpu') - r.floor('cpu'))} | "
                             f"{r.median('rss_mib'):.0f} | "
                             f"{r.median('rss_mib') - r.floor('rss_mib'):.0f}")
                else:
                    cells = f"> {r.runs[-1].wall:.0f} | – | – | – | – | – | –"
                lines.append(f"| {r.name} | {r.extra['depth']} | {r.params} | {len(r.runs)} | "
                             f"{r.status} | {cells} |")
            ok = [r for r in rows if r.status == "ok"]
            xs = [float(r.extra[key]) for r in ok]
            fits = {
                "wall": loglog_slope(xs, [r.median("wall") for r in ok]),
                "wall above floor": loglog_slope(xs, [r.median("wall") - r.floor("wall")
                                                      for r in ok]),
                "CPU above floor": loglog_slope(xs, [r.median("cpu") - r.floor("cpu")
                                                     for r in ok]),
                "CPU above floor, largest 3 points": loglog_slope(
                    xs[-3:], [r.median("cpu") - r.floor("cpu") for r in ok[-3:]]),
                "peak RSS": loglog_slope(xs, [r.median("rss_mib") for r in ok]),
                "RSS above floor": loglog_slope(xs, [r.median("rss_mib") - r.floor("rss_mib")
                                                     for r in ok]),
            }
            sections.setdefault("slopes", {})[key] = fits
            x_name = "parameters" if key == "params" else "depth"
            above = [r.median("cpu") - r.floor("cpu") for r in ok]
            drops = [f"{ok[i].name} → {ok[i + 1].name}" for i in range(len(ok) - 1)
                     if above[i + 1] < 0.8 * above[i]]
            if drops:
                lines += ["", "*Not monotonic* (" + ", ".join(drops) + "): a size threshold of "
                          "the tool changes the work per parameter there (which paths are "
                          "written out, mpmath or float64, a finite-difference sample), so one "
                          "slope over the whole curve summarises it poorly."]
            waits = [r.median("wall") / r.median("cpu") for r in ok if r.median("cpu") > 0]
            if waits and max(waits) / min(waits) > 1.25:
                lines += ["", f"*Load changed during this curve*: wall/CPU ranges from "
                          f"{min(waits):.2f} to {max(waits):.2f} across its rows (time spent "
                          f"waiting for a core), which bends the wall-time slope; the CPU "
                          f"slope is the one to trust."]
            lines += ["", f"Log-log slope against {x_name} ({len(ok)} points): " + ", ".join(
                f"{k} **{v:.2f}**" if v is not None else f"{k} –" for k, v in fits.items())
                + ".", ""]
    if "imports" in sections:
        probe = sections["imports"]
        lines += ["## Imports on a default run", "",
                  f"`python -X importtime` running the CLI in-process on `{probe['spec']}` "
                  f"with `--format all` (exit {probe['exit']}, {probe['modules']} modules "
                  f"in sys.modules at the end).", "",
                  "| module | imported |", "|---|---|"]
        lines += [f"| {name} | {'**yes**' if hit else 'no'} |"
                  for name, hit in probe["heavy"].items()]
        lines += ["", "Slowest top-level imports (cumulative, seconds): " + ", ".join(
            f"`{name}` {s:.3f}" for name, s in probe["top"]) + ".", ""]
    if targets:
        lines += ["## Targets (from the issue)", "",
                  "Judged twice: by wall-time ratios, and by CPU-time ratios (user + sys of "
                  "the child against the floor's), which are much less affected when other "
                  "jobs compete for the cores (wall time then includes waiting for a core).",
                  "", "| target | measured (wall) | measured (CPU) | met (wall) | met (CPU) |",
                  "|---|---|---|---|---|"]
        lines += [f"| {t} | {mw} | {mc} | {_yes(ow)} | {_yes(oc)} |"
                  for t, mw, mc, ow, oc in summary(sections, floor)]
        lines.append("")
    path.write_text("\n".join(lines))


def summary(sections: dict, floor: Row) -> list[tuple[str, str, str, bool | None, bool | None]]:
    """(target, measured by wall, measured by CPU, met by wall, met by CPU) per target."""
    out: list[tuple[str, str, str, bool | None, bool | None]] = []
    targets = sections.get("targets", {})
    for label, limit, typed in (("each network and circuit example `--format all` ≤ 1.3× floor",
                                 1.3, False),
                                ("each typed-layer lesson (conv, RNN, batch norm) `--format all`"
                                 " ≤ 2× floor", 2.0, True)):
        ex = [r for r in sections.get("examples", [])
              if (targets.get(r.name, (1.3, None))[0] == 2.0) == typed]
        if not ex:
            continue
        ok = all(r.status == "ok" for r in ex)
        cells: list[str] = []
        met: list[bool | None] = []
        for attr in ("wall", "cpu"):
            worst = max(ex, key=lambda r: r.ratio(attr) if r.status == "ok" else math.inf)
            val = worst.ratio(attr) if worst.status == "ok" else None
            cells.append(f"worst {_x(val)} ({worst.name})")
            met.append(ok and val is not None and val <= limit)
        out.append((label, *cells, *met))
    gen = {r.extra.get("key"): r for r in sections.get("generated", [])}
    for key, label, limit, mem in (("small", "2-10-10-1 ≤ 1.5× floor", 1.5, None),
                                   ("medium", "~1 000 params ≤ 3× floor", 3.0, None),
                                   ("large", "~10 000 params (JSON) ≤ 15× floor and ≤ 1 GiB",
                                    15.0, 1024.0)):
        r = gen.get(key)
        if r is None:
            continue
        if r.status == "ok":
            mem_ok = mem is None or r.median("rss_mib") <= mem
            rss = f", {r.median('rss_mib'):.0f} MiB" if mem else ""
            out.append((label, f"{_x(r.ratio('wall'))}{rss}", f"{_x(r.ratio('cpu'))}{rss}",
                        r.ratio("wall") <= limit and mem_ok, r.ratio("cpu") <= limit and mem_ok))
        elif r.status == "timeout":
            last = r.runs[-1]
            out.append((label, f"timeout at {last.wall:.0f} s (> {last.wall / r.floor('wall'):.0f}×)",
                        f"> {last.cpu / r.floor('cpu'):.0f}× at the cap", False, False))
        else:
            out.append((label, r.status, r.status, False, False))
    slope = sections.get("slopes", {}).get("params")
    if slope:
        w, c = slope.get("wall above floor"), slope.get("CPU above floor")
        tail = slope.get("CPU above floor, largest 3 points")
        out.append(("time slope vs parameters ≤ 1.1 (fit above the floor)",
                    "–" if w is None else f"{w:.2f} ({slope['wall']:.2f} without subtracting)",
                    "–" if c is None else f"{c:.2f} (largest 3 points: "
                    + ("–" if tail is None else f"{tail:.2f}") + ")",
                    None if w is None else w <= 1.1, None if c is None else c <= 1.1))
    naive = {r.name.removeprefix("naive "): r for r in sections.get("naive", [])}
    medium = gen.get("medium")
    label = "≥ 250× faster than naive at ~1 000 params (or naive times out)"
    if medium is not None and medium.name in naive:
        n = naive[medium.name]
        if medium.status != "ok":
            out.append((label, f"tool {medium.status}", "", False, False))
        elif n.status == "timeout":
            text = (f"naive timed out ({n.extra['done']}/{n.params} derivatives in "
                    f"{n.runs[0].wall:.0f} s)")
            if n.runs[0].wall < 250 * medium.median("wall"):
                text += (f"; met only by the letter: the tool took {medium.median('wall'):.0f} s, "
                         f"so the speed-up is only known to be ≥ "
                         f"{_x(n.runs[0].wall / medium.median('wall'))}")
            out.append((label, text, "same", True, True))
        else:
            rw = n.runs[0].wall / medium.median("wall")
            rc = n.runs[0].cpu / medium.median("cpu")
            out.append((label, _x(rw), _x(rc), rw >= 250, rc >= 250))
    probe = sections.get("imports")
    if probe:
        hits = [k for k in ("torch", "matplotlib", "mkdocs") if probe["heavy"].get(k)]
        text = ("imported: " + (", ".join(hits) if hits else "none")
                + f" (numpy: {'yes' if probe['heavy'].get('numpy') else 'no'})")
        out.append(("torch, matplotlib, mkdocs never imported on a default run", text, "–",
                    not hits, not hits))
    return out


def rows_from(items: list[dict]) -> list[Row]:
    """Rows back from results.json (for --report-only)."""
    rows = []
    for d in items:
        row = Row(d["name"], d["params"], d["detail"], extra=d.get("extra", {}))
        row.runs = [Run(**r) for r in d["runs"]]
        row.floors = [Run(**r) for r in d["floors"]]
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- main


def finish(out_path: Path, svg_path: Path, info: dict, floor: Row, sections: dict,
           quick: bool, elapsed: float) -> None:
    """Write the SVG, the Markdown report and results.json (the raw numbers)."""
    if "scaling" in sections:
        svg_path.write_text(scaling_svg(*sections["scaling"],
                                        f"— {info['nproc']} CPU, {info['cpu']}"))
    write_report(out_path, svg_path, info, floor, sections, quick, elapsed)
    raw = {"machine": info, "quick": quick, "elapsed": elapsed, "floor": floor.as_dict(),
           "targets": sections.get("targets", {})}
    for key in ("examples", "generated", "naive"):
        if key in sections:
            raw[key] = [r.as_dict() for r in sections[key]]
    if "scaling" in sections:
        raw["scaling"] = {"width": [r.as_dict() for r in sections["scaling"][0]],
                          "depth": [r.as_dict() for r in sections["scaling"][1]],
                          "slopes": sections.get("slopes", {})}
    if "imports" in sections:
        raw["imports"] = sections["imports"]
    out_path.with_name("results.json").write_text(json.dumps(raw, indent=1) + "\n")
    print(f"wrote {out_path} ({elapsed / 60:.1f} min)", flush=True)


def report_only(source: Path, out_path: Path, svg_path: Path) -> None:
    """Re-render the report and plot from a results.json, without measuring anything."""
    raw = json.loads(source.read_text())
    floor = rows_from([raw["floor"]])[0]
    sections: dict = {"targets": {k: tuple(v) for k, v in raw.get("targets", {}).items()}}
    for key in ("examples", "generated", "naive"):
        if key in raw:
            sections[key] = rows_from(raw[key])
    if "scaling" in raw:
        sections["scaling"] = (rows_from(raw["scaling"]["width"]),
                               rows_from(raw["scaling"]["depth"]))
    if "imports" in raw:
        raw["imports"]["top"] = [tuple(t) for t in raw["imports"]["top"]]
        sections["imports"] = raw["imports"]
    if not sections["targets"]:    # results.json written before targets were saved
        for r in sections.get("examples", []):
            sections["targets"][r.name] = (1.3, None)
        limits = {"small": (1.5, None), "medium": (3.0, None), "large": (15.0, 1024.0)}
        for r in sections.get("generated", []):
            sections["targets"][r.name] = limits[r.extra["key"]]
    finish(out_path, svg_path, raw["machine"], floor, sections, raw["quick"], raw["elapsed"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions, shorter caps, smaller scaling curves")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--svg", default=None, help="default: scaling.svg next to --out")
    parser.add_argument("--sections", default="examples,generated,naive,scaling,imports")
    parser.add_argument("--tree", default=str(ROOT),
                        help="source tree whose derive/, templates/ and examples/ are measured "
                             "(children get it first on PYTHONPATH); default: this checkout")
    parser.add_argument("--snapshot", metavar="REV", default=None,
                        help="measure `git archive REV` (e.g. HEAD) instead of the working tree, "
                             "so edits in progress do not leak into the numbers")
    parser.add_argument("--cap", type=float, default=None, help="tool time cap, seconds")
    parser.add_argument("--naive-cap", type=float, default=None, help="baseline cap, seconds")
    parser.add_argument("--report-only", metavar="RESULTS_JSON", default=None,
                        help="re-render the report and plot from a results.json; no runs")
    args = parser.parse_args()
    wanted = set(args.sections.split(","))
    quick = args.quick
    cap = args.cap or 300.0
    naive_cap = args.naive_cap or (60.0 if quick else 120.0)
    reps = 3 if quick else 5
    long_run = 10.0 if quick else 20.0
    out_path = Path(args.out).resolve()
    svg_path = Path(args.svg).resolve() if args.svg else out_path.with_name("scaling.svg")

    if args.report_only:
        report_only(Path(args.report_only), out_path, svg_path)
        return
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    tree = Path(args.tree).resolve()
    if args.snapshot:
        tree = tmp / "tree"
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.snapshot],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    install_tree(tree, tmp / "installed")
    info = machine(tree, args.snapshot)
    print(f"machine: {info['nproc']} cpu, {info['cpu']}, Python {info['python']}, "
          f"SymPy {info['sympy']}, load {' '.join(info['load'])}", flush=True)
    sections: dict = {"targets": {}}
    targets = sections["targets"]
    try:
        print("floor", flush=True)
        floor = Row("floor", None, "import sympy, jinja2")
        for _ in range(7 if quick else 11):
            floor.runs.append(run_child(FLOOR_CMD, 60))
        floor.floors = floor.runs
        print(f"  floor wall {floor.median('wall'):.3f}s cpu {floor.median('cpu'):.3f}s "
              f"rss {floor.median('rss_mib'):.1f} MiB", flush=True)

        examples = sorted((tree / "examples").glob("*.yaml"))
        if "examples" in wanted:
            print("examples", flush=True)
            sections["examples"] = []
            for spec in examples:
                row = measure(spec.stem, tool_cmd(spec, tmp / "out", "all"),
                              params=example_params(spec), detail="all", cap=cap, reps=reps,
                              long_run=long_run)
                sections["examples"].append(row)
                # issue 17: a typed-layer lesson within 2x the floor, the rest within 1.3x
                targets[row.name] = (2.0 if example_kind(spec) == "typed" else 1.3, None)

        generated = [("small", Net("net 2-10-10-1", 2, (10, 10)), "all", 1.5, None),
                     ("medium", Net("net 10-30-20-1", 10, (30, 20)), "all", 3.0, None),
                     ("large", Net("net 20-100-80-1", 20, (100, 80)), "json", 15.0, 1024.0)]
        specs = {}
        for key, net, fmt, limit, mem in generated:
            spec = tmp / f"{net.shape}.yaml"
            spec.write_text(net.yaml())
            specs[key] = spec
        if "generated" in wanted:
            print("generated networks", flush=True)
            sections["generated"] = []
            for key, net, fmt, limit, mem in generated:
                row = measure(f"{net.name} ({fmt})", tool_cmd(specs[key], tmp / "out", fmt,
                                                              net.needs_no_limits()),
                              params=net.params, detail=fmt, cap=cap, reps=reps,
                              long_run=long_run)
                row.extra["key"] = key
                sections["generated"].append(row)
                targets[row.name] = (limit, mem)

        if "naive" in wanted:
            print("naive baseline", flush=True)
            sections["naive"] = []
            for spec in [e for e in examples if example_kind(e) == "network"]:
                # tiny networks: a shorter cap keeps the run short
                    sections["naive"].append(naive_row(spec.stem, example_arch(spec) or "",
                                                       example_params(spec), naive_cap / 4))
            for key, net, fmt, _, _ in generated:
                sections["naive"].append(naive_row(f"{net.name} ({fmt})", net.arch(),
                                                   net.params, naive_cap))

        if "scaling" in wanted:
            print("scaling: width (2 hidden layers)", flush=True)
            widths = (2, 4, 8, 12, 16) if quick else (2, 4, 8, 12, 16, 24, 32, 48, 64)
            depths = (1, 2, 4, 8) if quick else (1, 2, 4, 8, 12, 15)
            width_rows, depth_rows = [], []
            for w in widths:
                net = Net(f"width {w}", 4, (w, w))
                spec = tmp / f"w{w}.yaml"
                spec.write_text(net.yaml())
                row = measure(net.name, tool_cmd(spec, tmp / "out", "all", net.needs_no_limits()),
                              params=net.params, detail="all", cap=cap, reps=reps,
                              long_run=long_run)
                row.extra.update(params=net.params, depth=2)
                width_rows.append(row)
                if row.status != "ok":
                    break
            print("scaling: depth (width 4)", flush=True)
            for d in depths:
                net = Net(f"depth {d}", 4, (4,) * d)
                spec = tmp / f"d{d}.yaml"
                spec.write_text(net.yaml())
                row = measure(net.name, tool_cmd(spec, tmp / "out", "all", net.needs_no_limits()),
                              params=net.params, detail="all", cap=cap, reps=reps,
                              long_run=long_run)
                row.extra.update(params=net.params, depth=d)
                depth_rows.append(row)
                if row.status != "ok":
                    break
            sections["scaling"] = (width_rows, depth_rows)

        if "imports" in wanted:
            print("imports", flush=True)
            spec = examples[0] if examples else specs["small"]
            probe = import_probe(spec, tmp / "out")
            probe["spec"] = f"examples/{spec.name}" if examples else spec.name
            sections["imports"] = probe
            print(f"  heavy: {probe['heavy']}", flush=True)

        info["load_end"] = _load()
        finish(out_path, svg_path, info, floor, sections, quick,
               time.perf_counter() - started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
