"""Spec file -> ``Result``: the one runner behind every front end.

The command line (``cli``), the course site's workers (``run_course``) and the pytest
plugin all call ``run``, which reads the file and chains the stages: load, build the
network, derive, work the example, check, and render the formats asked for. What the
front ends do with a ``Result`` (write files, print lines, fail a test item, build a site)
stays with them. No click, no printing, no exits, no writing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .calculus import Derivation, build_network, derive
from .display import decoded_name, display_name
from .errors import DeriveError, NumericError, SpecError
from .formats import render_pages
from .numbers import Engines, WorkedExample, work_example
from .spec import LIMIT_HINT, GraphSpec, Limits, Spec, load, load_graph
from .spec.tensor import TensorSpec, load_tensor
from .verify import CheckReport, check
from .write import safe_stem

if TYPE_CHECKING:    # the circuit, site and worker modules load when a run needs them
    from .circuit import CircuitDerivation
    from .site import Lesson

__all__ = ["GraphResult", "ORACLES", "Options", "Result", "TensorResult", "run_graph", "run_tensor", "oracle_methods", "read_spec", "run", "run_course", "run_spec",
           "run_text"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How to run one spec: the check's seed, limits and oracles, and what to render."""

    seed: int = 0
    limits: Limits = field(default_factory=Limits)
    methods: tuple[str, ...] = ("finite_difference",)
    formats: tuple[str, ...] = ()       # "md", "tex", "json", "numpy"; none: derive, check
    stem: str | None = None             # output file stem; default: the spec file's, made safe
    chapter: bool = False               # also the spec as a chapter of the LaTeX book


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """Everything one spec gave: its derivation, worked example, check and rendered files."""

    path: str
    derivation: Derivation
    worked: WorkedExample | None
    report: CheckReport
    files: dict[str, str | bytes] = field(default_factory=dict)
    chapter: str = ""

    @property
    def passed(self) -> bool:
        return self.report.passed

    def summary(self) -> str:
        """The line ``check`` prints when everything agrees."""
        r = self.report
        return (f"ok: {r.compared} comparison{'' if r.compared == 1 else 's'} "
                f"({', '.join(r.methods)}), "
                f"largest error {r.max_abs_error:.2g}")

    def problems(self) -> list[str]:
        """One line per disagreement and failed claim, in the errors' format."""
        return _problem_lines(self.path, self.derivation, self.report)

    def failures(self) -> tuple[int, int]:
        """(disagreements, failed claims), for the run's last line."""
        return (len(self.report.disagreements),
                sum(not c.passed for c in self.report.claims))


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphResult:
    """A ``graph:`` spec's results: its circuit derivation and its files (JSON, page, picture)."""

    path: str
    circuit: CircuitDerivation
    files: dict[str, str | bytes] = field(default_factory=dict)
    passed: bool = True
    title: str = ""
    about: str = ""
    order: int | None = None
    chapter: str = ""

    def problems(self) -> list[str]:
        return []

    def failures(self) -> tuple[int, int]:
        return 0, 0

    def summary(self) -> str:
        nodes = len(self.circuit.circuit.nodes)
        return (f"ok: a graph of {nodes} node{'' if nodes == 1 else 's'}, every gradient by "
                f"reverse mode")


@dataclass(frozen=True, slots=True, kw_only=True)
class TensorResult:
    """A typed-layer spec's results: its graph, worked example, check and files."""

    path: str
    model: Any
    worked: Any
    check: Any
    files: dict[str, str | bytes] = field(default_factory=dict)
    chapter: str = ""

    @property
    def passed(self) -> bool:
        return self.check.passed

    def problems(self) -> list[str]:
        return [f"{self.path}: check: dL/d{d.parameter} at {d.point}: expected {d.numeric!r} "
                f"({'torch.autograd' if d.oracle == 'torch' else 'finite difference'}), "
                f"got {d.symbolic!r} (reverse mode)" for d in self.check.disagreements]

    def failures(self) -> tuple[int, int]:
        return len(self.check.disagreements), 0

    def summary(self) -> str:
        c = self.check
        return (f"ok: {c.compared} comparison{'' if c.compared == 1 else 's'} "
                f"({', '.join(c.methods)}), largest error {c.max_rel_error:.2g}")


def read_spec(path: str, *, max_bytes: int | None = None) -> str:
    """The spec's text, or a one-line SpecError for a missing, unreadable or non-UTF-8 file.

    Only regular files are read (a FIFO or a device could block or never end), and at most
    ``max_bytes`` of them: a bigger file is refused before it is parsed.
    """
    file = Path(path)
    try:
        mode = os.stat(file).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise SpecError("(file)", "a regular file", got_text="a device, pipe or socket",
                            file=path)
        with file.open("rb") as stream:
            data = stream.read(-1 if max_bytes is None else max_bytes + 1)
        if max_bytes is not None and len(data) > max_bytes:
            raise SpecError("(file)", f"at most {max_bytes} bytes",
                            got_text=f"{os.stat(file).st_size} bytes", file=path, line=1,
                            hint=LIMIT_HINT)
    except IsADirectoryError:
        raise SpecError("(file)", "a spec file", got_text="a directory", file=path) from None
    except OSError as exc:
        raise SpecError("(file)", "a readable file", got_text=exc.strerror or "an error",
                        file=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SpecError("(file)", "UTF-8 text", got_text=f"byte 0x{data[exc.start]:02x}",
                        file=path, line=line) from None


def run(path: str, options: Options = Options()) -> Result | GraphResult:
    """Read, load, derive, work, check and render one spec file; a ``DeriveError`` if it
    cannot (a bad spec, a number a float cannot hold; an error that knows no file, such as a
    page's false equation, gets ``path``); a failed check is in the result."""
    try:
        return run_text(read_spec(path, max_bytes=options.limits.bytes), path, options)
    except DeriveError as exc:
        exc.file = exc.file if exc.file is not None else path
        raise


def run_text(text: str, path: str, options: Options = Options(), *,
             title: str | None = None) -> Result | GraphResult:
    """``run`` for a spec's text; ``path`` names it in messages, its stem (kept to the name
    rule) is the default title."""
    name = Path(path).stem
    default = title if title is not None else \
        display_name(decoded_name(name), default=safe_stem(name))
    graph = load_graph(text, path, default_title=default)
    if graph is not None:
        return run_graph(graph, path, options)
    tensor = load_tensor(text, path, default_title=default, limits=options.limits)
    if tensor is not None:
        return run_tensor(tensor, path, options)
    spec = load(text, path, limits=options.limits, default_title=default)
    return run_spec(spec, path, options)


def run_graph(graph: GraphSpec, path: str, options: Options = Options()) -> GraphResult:
    """A scalar computational graph: forward values, reverse mode, its page."""
    from .circuit import derive_circuit
    from .formats.circuit_page import circuit_chapter, circuit_files

    circuit = derive_circuit(graph.graph, file=path, lines=dict(graph.lines))
    stem = options.stem if options.stem is not None else safe_stem(Path(path).stem)
    files = circuit_files(circuit, graph.title, stem, graph.about)
    # The page and its picture go together (as for networks); the LaTeX stands alone.
    kept = {f"{stem}.{fmt}" for fmt in ("json", "tex") if fmt in options.formats}
    if "md" in options.formats:
        kept |= {f"{stem}.md", f"{stem}/circuit.svg"}
    chapter = circuit_chapter(circuit, graph.title, graph.about) if options.chapter else ""
    return GraphResult(path=path, circuit=circuit, title=graph.title, order=graph.order,
                       about=graph.about, chapter=chapter,
                       files={name: text for name, text in files.items() if name in kept})


def run_tensor(spec: TensorSpec, path: str, options: Options = Options()) -> TensorResult:
    """A typed-layer spec: its batch graph, reverse mode, SGD, the check, its page."""
    from .formats.tensor_files import tensor_files
    from .tensor import Evaluator, build_model, check_model, check_size, work_model

    model = build_model(spec)
    check_size(model, options.limits)
    evaluator = Evaluator(model.graph)
    try:
        worked = work_model(model, evaluator)
        check = check_model(model, evaluator, seed=options.seed, methods=options.methods)
    except (NumericError, ArithmeticError, ValueError) as exc:
        got = exc.got_text if isinstance(exc, NumericError) else str(exc)
        raise NumericError("example", "numbers float64 can hold", got_text=got,
                           file=path, line=spec.line_of("example"),
                           hint="use smaller inputs, weights or learning rate") from None
    stem = options.stem if options.stem is not None else safe_stem(Path(path).stem)
    formats = tuple(f for f in options.formats if f in ("md", "tex", "json"))
    files, chapter = tensor_files(model, worked, check, stem=stem, formats=formats,
                                  seed=options.seed, chapter=options.chapter) \
        if formats or options.chapter else ({}, "")
    return TensorResult(path=path, model=model, worked=worked, check=check, files=dict(files),
                        chapter=chapter)


def run_spec(spec: Spec, path: str, options: Options = Options()) -> Result:
    """``run`` for a loaded spec (the Python API changes a spec's example and runs it again)."""
    derivation = derive(build_network(spec))
    engines = Engines()         # one compiler per precision for the run: each expression once
    worked = work_example(derivation, engines=engines)
    report = check(derivation, worked, seed=options.seed, methods=options.methods,
                   engines=engines)
    stem = options.stem if options.stem is not None else safe_stem(Path(path).stem)
    files, chapter = render_pages(derivation, worked, report, stem=stem,
                                  formats=options.formats, chapter=options.chapter) \
        if options.formats or options.chapter else ({}, "")
    if "numpy" in options.formats:      # not a page: the reference implementation in NumPy
        from .formats.numpy_module import numpy_module

        files = {**files, f"{stem}.py": numpy_module(spec)}
    return Result(path=path, derivation=derivation, worked=worked, report=report,
                  files=dict(files), chapter=chapter)


ORACLES = ("finite_difference", "torch", "auto")


def oracle_methods(choice: str) -> tuple[str, ...]:
    """finite differences always; torch when asked for, or with ``auto`` when it is installed."""
    from .verify import torch_oracle  # finds torch without importing it

    if choice not in ORACLES:          # the command line's Choice says it; derive.load here
        raise SpecError("oracle", f"one of {', '.join(ORACLES)}", got_text=repr(choice),
                        stage="derive-backprop")
    if choice == "torch" and not torch_oracle.available():
        raise SpecError("--oracle", "torch installed (pip install 'derive-backprop[torch]')",
                        got_text="no torch", stage="derive-backprop")
    if choice == "torch" or (choice == "auto" and torch_oracle.available()):
        return ("finite_difference", "torch")
    return ("finite_difference",)


def _course_lesson(path: str, source: str, page: str, options: Options) -> Lesson | str:
    """One spec of a course (in a worker process): its ``Lesson``, or its error's text.

    A ``DeriveError``'s fields may not survive pickling back to the parent: send the text.
    """
    from .site import Lesson

    try:
        result = run(path, replace(options, formats=("md",), stem=page.rpartition("/")[2]))
    except DeriveError as exc:
        return str(exc)
    if isinstance(result, GraphResult):
        return _circuit_lesson(result, source, page)
    if isinstance(result, TensorResult):
        return _tensor_lesson(result, source, page)
    from .exercises.site_pages import exercise_pages   # an exercise's question and solution
    try:
        extra, pages = exercise_pages(read_spec(path), path, page.rpartition("/")[2],
                                      result.derivation.network.spec.title)
    except DeriveError as exc:
        return str(exc)
    lesson = Lesson.from_derivation(source=source, page=page, derivation=result.derivation,
                                    report=result.report, files={**result.files, **extra},
                                    chapter=result.chapter)
    return replace(lesson, extras=pages)


def _circuit_lesson(result: GraphResult, source: str, page: str) -> Lesson:
    """A ``graph:`` spec's lesson: a circuit of scalar nodes, every gradient exact."""
    from .site import Lesson

    nodes = len(result.circuit.circuit.nodes)
    return Lesson(source=source, page=page, title=result.title, passed=True, compared=0,
                  max_abs_error=0.0, parameters=0, architecture="circuit",
                  files=tuple(sorted(result.files.items())), chapter=result.chapter,
                  order=result.order, about=result.about,
                  network=f"a circuit of {nodes} scalar nodes",
                  verdict="exact: every gradient by reverse mode, every equation checked")


def _tensor_lesson(result: TensorResult, source: str, page: str) -> Lesson:
    """A typed-layer spec's lesson: its shapes from input to output stand for the units."""
    from .site import Lesson

    model, check = result.model, result.check
    shapes = [model.x.sample_shape] + [r.output.sample_shape for r in model.layers]
    return Lesson(source=source, page=page, title=model.spec.title, passed=check.passed,
                  compared=check.compared, max_abs_error=check.max_rel_error,
                  parameters=sum(len(t.symbols) for t in model.graph.parameters),
                  architecture="-".join("x".join(map(str, s)) for s in shapes),
                  files=tuple(sorted(result.files.items())), chapter=result.chapter,
                  order=model.spec.order, about=model.spec.about)


def run_course(root: Path, specs: Sequence[Path], options: Options, *, jobs: int,
               progress: Callable[[int], object] = lambda done: None) -> list[Lesson | str]:
    """Every spec under ``root`` as a ``Lesson`` (or its error's text), in spec order, in
    ``jobs`` worker processes; ``progress(1)`` after each spec."""
    from .site import page_path
    from .workers import run_in_workers

    tasks = []
    for path in specs:
        inside = path.relative_to(root)
        page = page_path([safe_stem(part) for part in inside.parts[:-1]], safe_stem(path.stem))
        tasks.append((str(path), inside.as_posix(), page, options))
    if jobs == 1:
        results = []
        for task in tasks:
            results.append(_course_lesson(*task))
            progress(1)
        return results
    # a process per spec: a worker the OOM killer takes is known by its spec (WorkerDied)
    return run_in_workers(_course_lesson, tasks, [task[0] for task in tasks], jobs=jobs,
                          done=progress)


def _parameter_name(derivation: Derivation, index: int) -> str:
    role = derivation.gradients[index].role
    return f"dL/d{role.kind}_{role.layer}[{','.join(map(str, role.index))}]"


def _problem_lines(path: str, derivation: Derivation, report: CheckReport) -> list[str]:
    lines = []
    for d in report.disagreements:      # the value and the δ form: one line when they agree
        rel = abs(d.symbolic - d.numeric) / max(1.0, abs(d.numeric))
        lines.append(f"{path}: check: {_parameter_name(derivation, d.parameter)} at {d.point}: "
                     f"expected {d.numeric!r} ({d.method.replace('_', ' ')}), got {d.symbolic!r} "
                     f"(symbolic); rel err {rel:.2g} > {d.tolerance:.2g}")
    for c in report.claims:
        if c.passed:
            continue
        if c.status == "unreadable":
            lines.append(f"{path}:{c.line}: claim for {c.parameter}: expected a formula in the "
                         f"page's notation, got {c.message}")
            continue
        text = f"{path}:{c.line}: claim for {c.parameter}: expected " + (
            "equal to the derived result" if c.status == "differs" else "a different result")
        text += f", got {c.status}" + (f" ({c.message.replace('$', '')})" if c.message else "")
        if c.values:
            claimed, derived = c.values
            text += (f"; claimed {claimed!r}, derived {derived!r} at random point 1, "
                     f"difference {claimed - derived:.3g}")
        lines.append(text)
    if not report.matrix_proved:
        lines.append(f"{path}: check: matrix form: expected equal to the scalar results, got a "
                     f"difference")
    if report.paths_proved != report.paths_total:
        lines.append(f"{path}: check: sum over paths: expected equal to the delta form, got "
                     f"{report.paths_total - report.paths_proved} difference"
                     f"{'' if report.paths_total - report.paths_proved == 1 else 's'}")
    return list(dict.fromkeys(lines))
