"""The fault run of ``site`` (issue 20: "a fuzz run of claims and of file/folder names, and a
fault run"): hostile folder and file names, signals at random moments while its workers
derive and it writes, a read-only folder and a full disk. Each ends with 0 or one line and
its code, no traceback, nothing outside the output folder, no temporary, and the old site
or the new one, never a mix. (Claim formulas are fuzzed in tests/test_fuzz.py, spec names
through ``render`` in tests/test_display.py, ``render`` under signals in test_faults.py.)
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.cli import cli

from .conftest import installed_cli
from .test_faults import state, temporaries
from .test_site_workers import _children, _gone

TINY = "inputs: 1\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n" \
       "example: {x: [0.5], y: [1]}\n"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# a folder or file name: any bytes but / and NUL (surrogate-escaped), and the tricky ones
names = st.one_of(
    st.binary(min_size=1, max_size=24).map(lambda b: os.fsdecode(b.replace(b"/", b"_")
                                                                  .replace(b"\0", b"_"))),
    st.text(st.sampled_from("a-_ .\n\t\x1b\u202e\u2066\u200b\u0301é😀#[]*`<>&|\\:"),
            min_size=1, max_size=16),
).filter(lambda n: n not in (".", "..") and not n.startswith("."))


def _everything(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(folder=names, file=names, inner=names)
def test_any_folder_and_file_names_make_a_safe_site(folder: str, file: str, inner: str) -> None:
    with tempfile.TemporaryDirectory() as root_name:
        root = Path(root_name)
        course = root / "course"
        try:
            (course / folder / inner).mkdir(parents=True)
            (course / folder / f"{file}.yaml").write_text(TINY)
            (course / folder / inner / f"{file}.yml").write_text(TINY)
        except OSError:                      # a name this file system refuses
            return
        before = _everything(root)
        result = CliRunner().invoke(cli, ["site", str(course), "-o", str(root / "out"),
                                          "-j", "1"])
        assert result.exit_code in (0, 2), result.output
        assert not isinstance(result.exception, Exception) or \
            isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        new = _everything(root) - before
        assert all(path == "out" or path.startswith("out/") for path in new), new
        assert temporaries(root) == []
        if result.exit_code == 2:
            assert len(result.output.strip().splitlines()) == 1 and not new
            return
        for page in (root / "out").rglob("*"):
            assert page.name.isascii() and not UNSAFE.search(page.name), page
            if page.suffix in (".md", ".yml"):
                text = page.read_text(encoding="utf-8")
                assert not UNSAFE.search(text.replace("\n", "")), (page, text[:300])


def _course(root: Path, count: int = 3) -> Path:
    course = root / "course"
    for n in range(count):
        (course / f"part{n}").mkdir(parents=True)
        (course / f"part{n}" / f"lesson{n}.yaml").write_text(
            TINY.replace("[0.5]", f"[{0.25 * (n + 1)}]"))
    return course


def _files(folder: Path) -> dict[str, bytes]:
    return {p: data for p, (data, _) in state(folder).items() if data is not None}


def _site(root: Path, out: str = "out") -> subprocess.Popen:
    return subprocess.Popen([installed_cli(), "site", "course", "-o", out, "-j", "2"], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _done(process: subprocess.Popen) -> int:
    err = process.communicate(timeout=120)[1]
    assert process.returncode == 0, err
    return process.returncode


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes from /proc")
def test_signals_at_random_moments_leave_the_old_site_or_the_new(tmp_path: Path) -> None:
    course = _course(tmp_path)
    assert _done(_site(tmp_path)) == 0
    for page in (tmp_path / "out").rglob("*.md"):
        page.write_bytes(page.read_bytes() + b"\nold\n")
    old = _files(tmp_path / "out")
    shutil.copytree(tmp_path / "out", tmp_path / "old")
    (course / "part0" / "lesson0.yaml").write_text(TINY.replace("[1]", "[0]"))   # new numbers
    start = time.monotonic()
    assert _done(_site(tmp_path, "new")) == 0
    seconds, new = time.monotonic() - start, _files(tmp_path / "new")
    assert new != old
    draw = random.Random(206)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        shutil.rmtree(tmp_path / "out")
        shutil.copytree(tmp_path / "old", tmp_path / "out")
        before = _everything(tmp_path) - {"out"}
        process = _site(tmp_path)
        time.sleep(draw.uniform(0.2, 1.0) * seconds)
        workers = _children(process.pid)
        process.send_signal(signum)
        try:
            err = process.communicate(timeout=60)[1].decode()
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"site hung after {signum.name}")
        assert process.returncode in (0, 128 + signum, -signum), err
        assert "Traceback" not in err and temporaries(tmp_path) == []
        assert _files(tmp_path / "out") in (old, new)
        assert {p for p in _everything(tmp_path) - before if not p.startswith("out")} == set()
        assert _gone(workers)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_output_folder_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    _course(tmp_path, 1)
    (tmp_path / "out").mkdir()
    (tmp_path / "out").chmod(0o555)
    try:
        result = subprocess.run([installed_cli(), "site", "course", "-o", "out", "-j", "1"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
    finally:
        (tmp_path / "out").chmod(0o755)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()[-1:]) == 1
    assert "out" in result.stderr.strip().splitlines()[-1]
    assert list((tmp_path / "out").iterdir()) == []


DISK = """
set -e
mkdir -p disk && mount -t tmpfs -o size={size} tmpfs disk
cp -r "$COURSE" disk/course && cd disk && mkdir out
{fault}
set +e
"$CLI" site course -o out -j 1 2> ../stderr; echo $? > ../code
find . -name '.derive-tmp-*' > ../left; find out > ../listing
"""


@pytest.mark.parametrize("size, fault, message", [
    ("64k", "", "No space left on device"),
    ("1m", "mount --bind out out && mount -o remount,ro,bind out", "Read-only file system"),
])
def test_a_full_or_read_only_disk_under_the_site_is_one_line(
        size: str, fault: str, message: str, tmp_path: Path) -> None:
    """In a user and mount namespace (no root needed; skipped where the kernel allows none):
    a tmpfs too small for the site, or a read-only output folder (even root cannot write)."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-r", "-m", "true"], capture_output=True,
                                         check=False).returncode != 0:
        pytest.skip("no unprivileged mount namespace (unshare -r -m) to mount a tmpfs in")
    course = _course(tmp_path / "src", 3)
    done = subprocess.run([unshare, "-r", "-m", "sh", "-c", DISK.format(size=size, fault=fault)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, "CLI": installed_cli(),
                                            "COURSE": str(course)})
    assert done.returncode == 0, done.stderr
    code = int((tmp_path / "code").read_text())
    err = (tmp_path / "stderr").read_text()
    assert code == 2, err
    assert "Traceback" not in err and message in err.splitlines()[-1], err
    assert (tmp_path / "left").read_text() == ""
    if fault:
        assert (tmp_path / "listing").read_text() == "out\n"      # nothing written


CLAIM_TEXT = st.lists(st.sampled_from(list("xyw_123+-*/^(){}\\ .,=") + [
    "\\frac", "\\hat{y}", "\\sigma", "\\partial", "３", "٣", "\x1b", "\u202e", "\n", "é",
    "1e308", "1e-320", "10^{400}", "\\infty", "nan", "\\operatorname{ReLU}'"]),
                      max_size=30).map("".join)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(formula=CLAIM_TEXT, parameter=st.sampled_from(["w_{1}", "b_{1}", "w^{(1)}_{11}", "q",
                                                       "３", ""]))
def test_any_claim_through_check_is_a_verdict_or_one_line(formula: str, parameter: str) -> None:
    """Hostile claim text through the command: exit 0 (holds), 1 (differs or unreadable:
    one line each) or 2 (a located spec error); never an exception, never two lines for
    one problem."""
    import json

    spec = ("inputs: 1\nlayers:\n  - {units: 1, activation: sigmoid}\n"
            "loss: half_squared_error\nexample: {x: [0.5], y: [1]}\nclaims:\n"
            f"  - {{parameter: {json.dumps(parameter)}, formula: {json.dumps(formula)}}}\n")
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "claim.yaml"
        path.write_text(spec, encoding="utf-8")
        result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code in (0, 1, 2), (result.output, repr(result.exception))
    assert not isinstance(result.exception, Exception) or \
        isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith(str(path)) for line in lines), result.output
    assert not UNSAFE.search(result.output.replace("\n", "")), result.output
