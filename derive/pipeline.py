"""What both front ends share (the CLI and the pytest plugin): reading a spec file,
running the pipeline, choosing oracles, and one line per problem found by a check.

No click, no printing, no exits: those stay in cli.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .verify import torch_oracle as autodiff
from .verify import check
from .calculus import derive
from .errors import SpecError
from .calculus import build_network
from .spec import LIMIT_HINT, Limits, load
from .numbers import work_example

__all__ = ["read_spec", "run_pipeline", "oracle_methods", "disagreement_lines"]


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


def run_pipeline(path: str, *, seed: int, limits: Limits,
                 methods: tuple[str, ...] = ("finite_difference",)):  # type: ignore[no-untyped-def]
    """Spec file -> (derivation, worked example, check report)."""
    spec = load(read_spec(path, max_bytes=limits.bytes), path, limits=limits,
                default_title=Path(path).stem)
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    return derivation, worked, check(derivation, worked, seed=seed, methods=methods)


def oracle_methods(choice: str) -> tuple[str, ...]:
    """finite differences always; torch when asked for, or with ``auto`` when it is installed."""
    if choice == "torch" and not autodiff.available():
        raise SpecError("--oracle", "torch installed (pip install 'derive-backprop[torch]')",
                        got_text="no torch", stage="derive-backprop")
    if choice == "torch" or (choice == "auto" and autodiff.available()):
        return ("finite_difference", "torch")
    return ("finite_difference",)


def _parameter_name(derivation, index: int) -> str:  # type: ignore[no-untyped-def]
    role = derivation.gradients[index].role
    return f"dL/d{role.kind}_{role.layer}[{','.join(map(str, role.index))}]"


def disagreement_lines(path: str, derivation, report) -> list[str]:  # type: ignore[no-untyped-def]
    """One line per disagreement, in the errors' format."""
    lines = []
    for d in report.disagreements:
        rel = abs(d.symbolic - d.numeric) / max(1.0, abs(d.numeric))
        lines.append(f"{path}: check: {_parameter_name(derivation, d.parameter)} at {d.point}: "
                     f"expected {d.numeric!r} ({d.method.replace('_', ' ')}), got {d.symbolic!r} "
                     f"(symbolic); rel err {rel:.2g} > 1e-09")
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
        lines.append(f"{path}: check: matrix form: expected equal to the scalar results, got a difference")
    if report.paths_proved != report.paths_total:
        lines.append(f"{path}: check: sum over paths: expected equal to the delta form, got "
                     f"{report.paths_total - report.paths_proved} difference(s)")
    return lines
