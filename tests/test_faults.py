"""Faults while writing, signals, crashes and locales (issue 20: 3, 4, 8, 13): nothing
half-written, no temporary left behind, no traceback, and an exit code that tells a crash
or a stop from a check that disagrees. Links planted mid-run: tests/test_write.py; names
that reach a page: tests/test_display.py.

Through the installed command where the process matters (locale, a signal from outside, a
full or read-only disk); in-process through ``console_main`` or ``write_outputs`` where a
fault must land at one exact moment (a monkeypatched call sends the signal).
"""

from __future__ import annotations

import gc
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive import write
from derive.errors import OutputError
from derive.process import console_main
from derive.write import TEMPORARY, write_outputs

from .conftest import EXAMPLES, OUTPUT, installed_cli

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"
STEM = RELU.stem


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".derive-tmp-")]


def state(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every path under ``folder``: a file's bytes and mtime, (None, 0) for a folder (whose
    mtime a temporary made and removed changes)."""
    return {p.relative_to(folder).as_posix(): (None, 0) if p.is_dir() else
            (p.read_bytes(), p.lstat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


def cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([installed_cli(), *map(str, args)], cwd=cwd, capture_output=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, check=False)


def old_set(folder: Path) -> Path:
    """A spec and its full output set from an earlier run, each file marked as old."""
    shutil.copy(RELU, folder / "spec.yaml")
    done = cli("spec.yaml", "-o", "out", "--format", "all", cwd=folder)
    assert done.returncode == 0, done.stderr
    for page in (folder / "out").rglob("*"):
        if page.is_file():
            page.write_bytes(page.read_bytes() + b"\nold\n")
            os.utime(page, ns=(1_000_000_000, 1_000_000_000))
    return folder / "out"


def in_process(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the installed command's ``console_main`` here; return its exit code."""
    monkeypatch.setattr(sys, "argv", ["derive-backprop", *argv])
    threshold = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as ended:
            console_main()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    return ended.value.code


# --------------------------------------------------------------------------- all or nothing


def test_a_folder_where_a_page_goes_replaces_nothing(tmp_path: Path) -> None:
    """Issue 20.3: a run that cannot write spec.tex leaves spec.json and spec.md old."""
    out = old_set(tmp_path)
    (out / "spec.tex").unlink()
    (out / "spec.tex").mkdir()
    before = state(out)
    run = cli("spec.yaml", "-o", "out", "--format", "all", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.decode() == ("derive-backprop: output: expected a file that can be "
                                   "written, got 'spec.tex'; Is a directory; nothing was "
                                   "replaced\n")
    assert state(out) == before and temporaries(tmp_path) == []


def test_a_rename_failing_halfway_says_which_files_it_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text("old\n")
    real = os.replace

    def replace(src: str, dst: str, **fds: int) -> None:
        if dst == "b.md":
            raise OSError(5, "Input/output error")
        real(src, dst, **fds)

    monkeypatch.setattr(write.os, "replace", replace)
    with pytest.raises(OutputError) as info:
        write_outputs({"a.md": "new\n", "b.md": "new\n", "c.md": "new\n"}, tmp_path)
    assert str(info.value) == ("derive-backprop: output: expected a file that can be written, "
                               "got 'b.md'; Input/output error; replaced before it: a.md; the "
                               "other files are as they were")
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "a.md": "new\n", "b.md": "old\n", "c.md": "old\n"}


def test_a_failed_run_removes_the_folders_it_made(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "page.md").mkdir()
    with pytest.raises(OutputError):
        write_outputs({"page.md": "x\n", "a/b/pic.svg": "<svg/>"}, tmp_path / "x")
    with pytest.raises(OutputError):      # a page that cannot be encoded: checked first
        write_outputs({"a/p.md": "caf\udce9\n"}, tmp_path / "new" / "deeper")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "x", "x/page.md"]


# --------------------------------------------------------------------------- signals


def _signal_on(call: str, signum: int, monkeypatch: pytest.MonkeyPatch, *, when: int) -> None:
    """Make the ``when``-th call of ``os.<call>`` in write.py send ``signum`` to this process."""
    real = getattr(os, call)
    seen = []

    def hooked(*args: object, **kwargs: object) -> object:
        seen.append(args)
        if len(seen) == when:
            os.kill(os.getpid(), signum)
        return real(*args, **kwargs)

    monkeypatch.setattr(write.os, call, hooked)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_writing_leaves_the_old_set_and_no_temporary(
        signum: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """Issue 20.4 and 20.13: stopped after two of the new files were written, the run
    removes its temporaries, replaces nothing and exits 128 + the signal with one line."""
    out = old_set(tmp_path)
    before = state(out)
    monkeypatch.chdir(tmp_path)
    _signal_on("fsync", signum, monkeypatch, when=2)
    assert in_process(["spec.yaml", "-o", "out", "--format", "all"], monkeypatch) == 128 + signum
    assert capfd.readouterr().err == f"derive-backprop: stopped by {signal.Signals(signum).name}\n"
    assert state(out) == before and temporaries(tmp_path) == []
    assert signal.getsignal(signum) is not None and signal.getsignal(signum).__module__ != \
        "derive.process"                 # the caller's handlers are back


def test_a_signal_during_the_renames_waits_for_the_last_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """A stop between two renames would leave a half-new set: the signal is held until the
    set is whole, then the run stops."""
    out = old_set(tmp_path)
    monkeypatch.chdir(tmp_path)
    _signal_on("replace", signal.SIGTERM, monkeypatch, when=1)
    assert in_process(["spec.yaml", "-o", "out", "--format", "all"], monkeypatch) == 143
    assert capfd.readouterr().err.endswith("derive-backprop: stopped by SIGTERM\n")
    fresh = cli("spec.yaml", "-o", "fresh", "--format", "all", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert {p: data for p, (data, _) in state(out).items()} == {
        p: data for p, (data, _) in state(tmp_path / "fresh").items()}      # all new
    assert temporaries(tmp_path) == []


def _files(folder: Path) -> dict[str, bytes]:
    return {p: data for p, (data, _) in state(folder).items() if data is not None}


def test_signals_at_random_moments_never_leave_half_a_set(tmp_path: Path) -> None:
    """The fault run: the installed command stopped at seeded random moments by SIGTERM,
    SIGINT or SIGHUP ends with 0 or 128 + N, one line, no temporary, and the old set or the
    new one, never a mix; after SIGKILL (which no process can catch) the next run sweeps
    what was left and writes the whole new set."""
    old = _files(old_set(tmp_path))
    shutil.copytree(tmp_path / "out", tmp_path / "old")
    start = time.monotonic()
    assert cli("spec.yaml", "-o", "new", "--format", "all", cwd=tmp_path).returncode == 0
    seconds, new = time.monotonic() - start, _files(tmp_path / "new")
    draw = random.Random(20)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP) * 2 + (signal.SIGKILL,) * 2:
        shutil.rmtree(tmp_path / "out")
        shutil.copytree(tmp_path / "old", tmp_path / "out")
        process = subprocess.Popen([installed_cli(), "spec.yaml", "-o", "out", "--format",
                                    "all"], cwd=tmp_path, stderr=subprocess.PIPE)
        time.sleep(draw.uniform(0.05, 1.2) * seconds)
        process.send_signal(signum)
        err = process.communicate(timeout=120)[1].decode()
        if signum == signal.SIGKILL:
            assert cli("spec.yaml", "-o", "out", "--format", "all", cwd=tmp_path).returncode == 0
            assert _files(tmp_path / "out") == new and temporaries(tmp_path / "out") == []
            continue
        # -N: the signal came after the handlers were given back, the process exiting
        assert process.returncode in (0, 128 + signum, -signum), err
        assert "Traceback" not in err and temporaries(tmp_path / "out") == []
        assert _files(tmp_path / "out") in (old, new)
        if process.returncode > 0:
            assert err.splitlines()[-1] == f"derive-backprop: stopped by {signum.name}"


def test_a_killed_runs_temporaries_are_swept_by_the_next_run(tmp_path: Path) -> None:
    out = old_set(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    left = [out / f".derive-tmp-{dead}-0badf00d", out / "spec" / f".derive-tmp-{dead}-12345678",
            out / f".derive-tmp-{os.getpid()}-00000001"]       # alive, but an hour old
    live = out / f".derive-tmp-{os.getpid()}-00000002"         # alive and new: a run writing
    kept = [out / ".derive-tmp-notes", out / f".derive-tmp-{dead}-xyz"]   # not our names
    for path in (*left, live, *kept):
        path.write_bytes(b"half a page")
    os.utime(left[2], (time.time() - 3600, time.time() - 3600))
    assert cli("spec.yaml", "-o", "out", "--format", "all", cwd=tmp_path).returncode == 0
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in (live, *kept))
    assert TEMPORARY.fullmatch(live.name) and not TEMPORARY.fullmatch(kept[1].name)


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize("exc, code, line", [
    (RuntimeError("boom\nsecond line"), 70,
     "internal error: RuntimeError: boom second line (please report)"),
    (ZeroDivisionError(), 70, "internal error: ZeroDivisionError (please report)"),
    (RecursionError("maximum recursion depth exceeded"), 70,
     "internal error: RecursionError: maximum recursion depth exceeded (please report)"),
    (None, 130, "stopped by SIGINT"),
])
def test_a_crash_exits_70_and_ctrl_c_130_with_one_line(
        exc: Exception | None, code: int, line: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """Issue 20.13: a bug or a stop is not "a check disagrees" (1) nor "bad input" (2)."""
    shutil.copy(RELU, tmp_path / "spec.yaml")
    monkeypatch.chdir(tmp_path)

    def stage(*args: object) -> None:
        if exc is None:
            os.kill(os.getpid(), signal.SIGINT)       # Ctrl-C, as the terminal sends it
        else:
            raise exc

    monkeypatch.setattr(write._Run, "stage", stage)
    assert in_process(["spec.yaml", "-o", "out"], monkeypatch) == code
    assert capfd.readouterr().err == f"derive-backprop: {line}\n"
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- locales


@pytest.mark.parametrize("env", [
    {"PYTHONIOENCODING": "latin-1"},
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
])
def test_stdout_is_utf8_whatever_the_locale(env: dict[str, str], tmp_path: Path) -> None:
    """Issue 20.8: ``-o -`` prints the page's bytes, δ included, under any locale."""
    shutil.copy(RELU, tmp_path)
    run = cli(RELU.name, "-o", "-", cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (OUTPUT / f"{STEM}.md").read_bytes() and "δ".encode() in run.stdout
    missing = cli("δ-missing.yaml", cwd=tmp_path, env=env)     # stderr: escaped, not a crash
    assert missing.returncode == 2 and b"Traceback" not in missing.stderr
    assert missing.stderr.count(b"\n") == 1
