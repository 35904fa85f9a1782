"""The bad-spec corpus through the installed CLI: one problem, one exact line, nothing written.

Every ``tests/bad_specs/*.yaml`` holds exactly one problem and starts with the line it must
produce, ``# expect: {spec}:LINE: key.path: expected …, got …`` (``{spec}`` is the path given
to the CLI). Cases a file cannot hold (an empty file, a directory, a FIFO, a file too large
to keep in the repository) are made here. Each case is its own run of ``derive-backprop``
with a 2 GiB address-space limit and a 10 s time limit; a few run at once, started from
this thread (``preexec_fn`` and threads do not mix), so the corpus takes about a minute.

A run must exit 2 with that one line on stderr and nothing on stdout, no traceback, and
leave its folder exactly as it was: no new file, and the page a previous run wrote untouched.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import installed_cli

CORPUS = Path(__file__).resolve().parent / "bad_specs"
TIMEOUT = 10.0                 # seconds per run
MEMORY = 2 * 1024 ** 3         # bytes of address space per run
PARALLEL = max(1, min(4, os.cpu_count() or 1))
HEADER = "# expect: "
PREVIOUS = "previous page, written by an earlier good run\n"


# --------------------------------------------------------------------------- the runner


@dataclass(frozen=True)
class Run:
    """One finished (or killed) CLI run."""

    returncode: int | None          # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_many(commands: dict[str, tuple], *, timeout: float = TIMEOUT) -> dict[str, Run]:
    """Run every ``name: (argv, cwd[, env])`` under the memory and time limits, PARALLEL at a
    time."""
    pending = sorted(commands.items())
    running: dict[str, tuple[subprocess.Popen[bytes], object, object, float]] = {}
    done: dict[str, Run] = {}
    while pending or running:
        while pending and len(running) < PARALLEL:
            name, (argv, cwd, *rest) = pending.pop(0)
            env = rest[0] if rest else None
            # files, not pipes: nothing blocks while several runs write; closed when read
            out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
            # preexec_fn is safe here: this module starts no threads
            process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=err, preexec_fn=_limit_memory,  # noqa: PLW1509
                                       env=env)
            running[name] = (process, out, err, time.monotonic())
        for name, (process, out, err, start) in list(running.items()):
            code = process.poll()
            elapsed = time.monotonic() - start
            if code is None and elapsed <= timeout:
                continue
            if code is None:
                process.kill()
                process.wait()
            texts = []
            for stream in (out, err):
                stream.seek(0)                                   # type: ignore[attr-defined]
                texts.append(stream.read().decode("utf-8", "replace"))  # type: ignore
                stream.close()                                   # type: ignore[attr-defined]
            done[name] = Run(code, texts[0], texts[1], elapsed)
            del running[name]
        time.sleep(0.01)
    return done


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders and special files)."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        regular = path.is_file() and not path.is_symlink()
        out[path.relative_to(folder).as_posix()] = path.read_bytes() if regular else None
    return out


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    name: str
    expected: str                          # the stderr line, with {spec} for the path
    make: Callable[[Path], None]           # puts the spec (or what stands for it) at the path


def _copy(source: Path) -> Callable[[Path], None]:
    return lambda target: target.write_bytes(source.read_bytes())


def _corpus() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
        assert first.startswith(HEADER), f"{path.name} has no '{HEADER}' first line"
        cases.append(Case(path.stem, first[len(HEADER):], _copy(path)))
    return cases


def _fifo(target: Path) -> None:
    os.mkfifo(target)


def _chmod_none(target: Path) -> None:
    target.write_text("inputs: 1\n")
    target.chmod(0)


SIZE_LIMIT = 1_000_000
GENERATED = [
    Case("file-empty", "{spec}:1: (file): expected a spec with inputs, layers and loss, "
                       "got an empty file", lambda t: t.write_bytes(b"")),
    Case("file-blank-lines", "{spec}:1: (file): expected a spec with inputs, layers and loss, "
                             "got an empty file", lambda t: t.write_bytes(b"\n   \n\n")),
    Case("file-too-large", f"{{spec}}:1: (file): expected at most {SIZE_LIMIT} bytes, got "
                           f"{SIZE_LIMIT + 1} bytes; raise it with --no-limits",
         lambda t: t.write_bytes(b"#" * SIZE_LIMIT + b"\n")),
    Case("path-directory", "{spec}: (file): expected a spec file, got a directory",
         lambda t: t.mkdir()),
    Case("path-missing", "{spec}: (file): expected a readable file, got No such file or "
                         "directory", lambda t: None),
    Case("path-fifo", "{spec}: (file): expected a regular file, got a device, pipe or socket",
         _fifo),
    Case("path-link-to-a-device", "{spec}: (file): expected a regular file, got a device, "
                                  "pipe or socket", lambda t: t.symlink_to(os.devnull)),
    Case("path-dangling-link", "{spec}: (file): expected a readable file, got No such file "
                               "or directory", lambda t: t.symlink_to(t.parent / "nowhere")),
]
if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() != 0:   # root reads anyway
    GENERATED.append(Case("path-unreadable", "{spec}: (file): expected a readable file, got "
                                             "Permission denied", _chmod_none))

CASES = _corpus() + GENERATED


def _prepare(case: Case, root: Path) -> tuple[list[str], Path]:
    folder = root / case.name
    (folder / "out").mkdir(parents=True)
    (folder / "out" / f"{case.name}.md").write_text(PREVIOUS)
    case.make(folder / f"{case.name}.yaml")
    return [installed_cli(), f"{case.name}.yaml", "-o", "out", "--format", "all"], folder


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, dict, dict]]:
    """Run the selected cases once, a few at a time: name -> (run, folder before, after)."""
    selected = {item.callspec.params["case"].name for item in request.session.items
                if getattr(item, "module", None) is sys.modules[__name__]
                and "case" in getattr(getattr(item, "callspec", None), "params", {})}
    root = tmp_path_factory.mktemp("bad_specs")
    commands = {case.name: _prepare(case, root) for case in CASES if case.name in selected}
    before = {name: snapshot(cwd) for name, (_, cwd) in commands.items()}
    runs = run_many(commands)
    return {name: (runs[name], before[name], snapshot(cwd))
            for name, (_, cwd) in commands.items()}


# --------------------------------------------------------------------------- the tests


def test_corpus_is_large_and_one_problem_per_file() -> None:
    assert len(_corpus()) >= 50
    for case in _corpus():
        assert case.expected.startswith("{spec}:"), case.name
        assert "\n" not in case.expected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_spec(case: Case, outcomes: dict[str, tuple[Run, dict, dict]]) -> None:
    run, before, after = outcomes[case.name]
    assert run.returncode is not None, f"killed after {TIMEOUT:g} s"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stderr == case.expected.replace("{spec}", f"{case.name}.yaml") + "\n"
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.seconds < TIMEOUT
    assert after == before                     # nothing written, the old page untouched
    assert after[f"out/{case.name}.md"] == PREVIOUS.encode()


def test_one_bad_spec_among_good_ones_writes_nothing(tmp_path: Path) -> None:
    """Several specs in one run: every one is read and derived before any file is written."""
    good = (Path(__file__).resolve().parent.parent / "examples" /
            "relu-worked-example-1-1-1.yaml").read_bytes()
    (tmp_path / "good.yaml").write_bytes(good)
    (tmp_path / "bad.yaml").write_bytes((CORPUS / "units-zero.yaml").read_bytes())
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "good.md").write_text(PREVIOUS)
    before = snapshot(tmp_path)
    run = run_many({"two": ([installed_cli(), "good.yaml", "bad.yaml", "-o", "out", "--format",
                             "all"], tmp_path)})["two"]
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr == "bad.yaml:5: layers[1].units: expected a whole number >= 1, got '0'\n"
    assert snapshot(tmp_path) == before


def test_no_limits_lifts_a_size_limit(tmp_path: Path) -> None:
    """The same 17-layer spec that the corpus refuses runs with --no-limits."""
    (tmp_path / "deep.yaml").write_bytes((CORPUS / "layers-over-limit.yaml").read_bytes())
    run = run_many({"deep": ([installed_cli(), "deep.yaml", "--no-limits", "-o", "out",
                              "--format", "json"], tmp_path)})["deep"]
    assert run.returncode == 0, run.stderr
    assert run.stderr == "wrote out/deep.json\n"
