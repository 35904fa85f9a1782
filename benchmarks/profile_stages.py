"""Where does one derive-backprop run spend its time? Stage timers, then cProfile.

    .venv/bin/python benchmarks/profile_stages.py SPEC|net:2-10-10-1 [--format all] [--top 30]
                                           [--out FILE] [--no-profile] [--tree DIR]

``net:A-B-...-Z`` generates the benchmark's network of that shape (sigmoid
hidden layers, linear output, one sample, seeded uniform init, 1 step).

1. *Stage timers* (no profiler, so no overhead): the CLI is run in-process with
   each pipeline stage wrapped in a timer: the stage functions the CLI calls
   (spec load, build_network, derive, work_example, check, render, write) and a
   few inner ones that are worth separating (matrix_check, the finite
   differences, the page context, the template rendering). Inner timers are
   included in their stage's time. Missing functions are skipped, so the script
   survives refactors.
2. *cProfile* of a run in a fresh interpreter: top entries by cumulative and by own
   time (cProfile roughly doubles the cost of SymPy's many small calls, so its
   seconds are larger than the timers'; the proportions are what matter).

Imports are measured apart (``import derive.cli`` in a fresh interpreter is in
the timers' first line). Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import shutil
import subprocess
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (defining module, function, label, stage?) - stages sum to the run; the others are inside one.
# Every alias of the function in any loaded derive.* module is wrapped, so it does not matter
# which module the CLI calls it through.
TIMERS = [
    ("derive.spec.loader", "load", "spec: load + validate", True),
    ("derive.calculus.network", "build_network", "network: build", True),
    ("derive.calculus.derivation", "derive", "derivation: derive (total)", True),
    ("derive.calculus.derivation", "expanded_deltas", "  derivation: expanded δ (paths)", False),
    ("derive.calculus.derivation", "gradient", "  derivation: gradient() per parameter", False),
    ("derive.calculus.derivation", "matrix_check", "  derivation: matrix_check", False),
    ("derive.calculus.derivation", "prove_equal", "  derivation: prove_equal (also used by claims)", False),
    ("derive.numbers.worked", "work_example", "worked: work_example", True),
    ("derive.numbers.worked", "factor_values", "  worked: factor_values", False),
    ("derive.verify.checking", "check", "check: check (total)", True),
    ("derive.verify.checking", "finite_difference", "  check: finite differences (mpmath)", False),
    ("derive.verify.checking", "float_difference", "  check: finite differences (float64)", False),
    ("derive.verify.checking", "_symbolic", "  check: symbolic gradients at points", False),
    ("derive.verify.checking", "_symbolic_float", "  check: symbolic gradients at points (float64)", False),
    ("derive.verify.claims", "verify_claims", "  check: claims", False),
    ("derive.formats.documents", "render_pages", "render: render_pages (total)", True),
    ("derive.document.build", "build_document", "  render: build_document (sections + audit)", False),
    ("derive.document.audit", "audit", "  render: audit (every equation evaluated)", False),
    ("derive.formats.page", "page_context", "  render: page_context (printing)", False),
    ("derive.formats.json_page", "json_document", "  render: json_document (printing)", False),
    ("derive.write", "write_outputs", "write: write_outputs", True),
]


def spec_path(arg: str, tmp: Path, tree: str | None = None) -> tuple[Path, bool]:
    """A spec file, or ``net:SHAPE`` generated like run.py's networks; (path, needs --no-limits)."""
    if not arg.startswith("net:"):
        return Path(arg), False
    sys.path.insert(0, str(HERE))
    from run import Net  # noqa: PLC0415 - benchmarks/run.py, only when generating

    sizes = [int(s) for s in arg[4:].split("-")]
    net = Net(f"net {arg[4:]}", sizes[0], tuple(sizes[1:-1]), outputs=sizes[-1])
    path = tmp / f"{net.shape}.yaml"
    path.write_text(net.yaml())
    return path, net.needs_no_limits()


class Timers:
    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.depth: dict[str, int] = {}

    def wrap(self, fn, label: str):  # type: ignore[no-untyped-def]
        @functools.wraps(fn)
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            outer = self.depth.get(label, 0) == 0   # recursive calls count once
            self.depth[label] = self.depth.get(label, 0) + 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth[label] -= 1
                self.calls[label] = self.calls.get(label, 0) + 1
                if outer:
                    self.total[label] = self.total.get(label, 0.0) + time.perf_counter() - start
        return timed

    def install(self) -> list[tuple[object, str, object]]:
        """Wrap each timed function wherever a derive module holds it; return how to undo."""
        importlib.import_module("derive.cli")
        modules = [m for name, m in list(sys.modules.items())
                   if m is not None and (name == "derive" or name.startswith("derive."))]
        undo = []
        for module_name, name, label, _ in TIMERS:
            fn = getattr(sys.modules.get(module_name), name, None)
            if fn is None or not callable(fn):
                continue
            timed = self.wrap(fn, label)
            for module in modules:
                for attr, value in list(vars(module).items()):
                    if value is fn:
                        undo.append((module, attr, fn))
                        setattr(module, attr, timed)
        return undo


def stub_finite_differences() -> None:
    """Every finite difference skipped at no cost, as if at a kink (see --skip-fd)."""
    oracles = importlib.import_module("derive.verify.oracles")
    oracles._Comparison.central = lambda self, *args, **kwargs: None


def run_cli(argv: list[str]) -> int:
    from derive.cli import main  # noqa: PLC0415

    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def cprofile_child(args: argparse.Namespace) -> None:
    """Profile one CLI run from a cold start (imports excluded) and print the top entries."""
    tmp = Path(tempfile.mkdtemp(prefix="derive-profile-"))
    argv = [args.spec, "-o", str(tmp / "out"), "--format", args.format,
            *(["--no-limits"] if args.no_limits else [])]
    from derive import cli  # noqa: PLC0415 - imported before profiling starts

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    try:
        cli.main(argv)
    except SystemExit:
        pass
    profiler.disable()
    profiled = time.perf_counter() - start
    shutil.rmtree(tmp, ignore_errors=True)
    if args.dump:
        profiler.dump_stats(args.dump)
    for key, title in (("cumulative", "cumulative"), ("tottime", "own time (tottime)")):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(args.top)
        body = buf.getvalue()
        body = body[body.index("   ncalls"):] if "   ncalls" in body else body
        print(f"## cProfile, top {args.top} by {title} (profiled run {profiled:.2f} s, "
              f"fresh process, imports excluded)\n\n```\n{body.rstrip()}\n```\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec")
    parser.add_argument("--format", default="all")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", default=None, help="write the report here too")
    parser.add_argument("--no-profile", action="store_true", help="stage timers only")
    parser.add_argument("--tree", default=None, help="import derive from this source tree")
    parser.add_argument("--dump", default=None, help="save the cProfile stats to this file")
    parser.add_argument("--skip-fd", action="store_true",
                        help="replace check.finite_difference by a stub returning zeros, to "
                             "time everything else on networks whose check would take hours "
                             "(the run then reports disagreements and exits 1; that is expected)")
    parser.add_argument("--no-limits", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cprofile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tree:
        sys.path.insert(0, str(Path(args.tree).resolve()))
    if args.cprofile_child:
        if args.skip_fd:
            stub_finite_differences()
        cprofile_child(args)
        return

    tmp = Path(tempfile.mkdtemp(prefix="derive-profile-"))
    spec, no_limits = spec_path(args.spec, tmp, args.tree)
    argv = [str(spec), "-o", str(tmp / "out"), "--format", args.format,
            *(["--no-limits"] if no_limits else [])]
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    start = time.perf_counter()
    importlib.import_module("derive.cli")
    imported = time.perf_counter() - start
    if args.skip_fd:
        stub_finite_differences()
    import derive  # noqa: PLC0415

    say(f"# profile of `derive-backprop {args.spec} --format {args.format}` "
        f"(derive from {Path(derive.__file__).parent})"
        + (" with the finite differences stubbed out (--skip-fd)" if args.skip_fd else ""))
    say()
    timers = Timers()
    undo = timers.install()
    start = time.perf_counter()
    code = run_cli(argv)
    wall = time.perf_counter() - start
    for module, name, fn in undo:
        setattr(module, name, fn)
    import resource  # noqa: PLC0415

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"stage timers (no profiler): import derive.cli {imported:.3f} s, run {wall:.3f} s, "
        f"exit {code}, peak RSS of this process {peak:.0f} MiB")
    say()
    say("| stage | seconds | share of run | calls |")
    say("|---|---:|---:|---:|")
    accounted = 0.0
    for _, _, label, stage in TIMERS:
        if label not in timers.total:
            continue
        t = timers.total[label]
        accounted += t if stage else 0.0
        say(f"| {label.replace('  ', '&nbsp;&nbsp;')} | {t:.3f} | {100 * t / wall:.1f}% | "
            f"{timers.calls[label]} |")
    say(f"| (rest of the CLI) | {wall - accounted:.3f} | {100 * (wall - accounted) / wall:.1f}% "
        f"| |")
    say()

    if not args.no_profile:
        # a fresh interpreter, so SymPy's caches are as cold as in a real run
        child = [sys.executable, __file__, str(spec), "--format", args.format, "--top",
                 str(args.top), "--cprofile-child", *(["--tree", args.tree] if args.tree else []),
                 *(["--dump", args.dump] if args.dump else []),
                 *(["--skip-fd"] if args.skip_fd else []),
                 *(["--no-limits"] if no_limits else [])]
        out = subprocess.run(child, capture_output=True, text=True)
        for line in out.stdout.splitlines():
            say(line)
        if out.returncode:
            say(f"(cProfile child failed: {out.stderr[-1000:]})")
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
