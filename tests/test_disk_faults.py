"""Faults of the disk under the output folder (issue 20.3): a full tmpfs, a read-only one, a
read-only folder. The run exits 2 with one line, replaces nothing and leaves no temporary.

A tmpfs is mounted in a new user and mount namespace (``unshare -r -m``), so the test needs
no root; where the kernel allows no such namespace it is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import installed_cli
from .test_faults import RELU, cli


def _namespace_script(tmp_path: Path, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) as root of a new user and mount namespace, with $CLI and $SPEC."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-r", "-m", "true"], capture_output=True,
                                         check=False).returncode != 0:
        pytest.skip("no unprivileged mount namespace (unshare -r -m) to mount a tmpfs in")
    return subprocess.run([unshare, "-r", "-m", "sh", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "CLI": installed_cli(), "SPEC": str(RELU)})


MOUNTED_OLD_SET = """
set -e
mkdir -p disk && mount -t tmpfs -o size={size} tmpfs disk && cd disk
cp "$SPEC" spec.yaml && "$CLI" spec.yaml -o out --format all 2>/dev/null
for f in $(find out -type f); do echo old >> "$f"; done
{fault}
find out -type f -exec ls -l --time-style=+%s.%N {{}} + | sort > ../before
set +e
"$CLI" spec.yaml -o out --format all 2> ../stderr; echo $? > ../code
find out -type f -exec ls -l --time-style=+%s.%N {{}} + | sort > ../after
find out -type f -exec cat {{}} + | grep -c '^old$' > ../old; ls -A out > ../listing
"""


@pytest.mark.parametrize("fault, message", [
    ("cat /dev/zero > filler 2>/dev/null || true; truncate -s -12k filler",   # 3 pages free
     "No space left on device"),
    ("mount -o remount,ro .", "Read-only file system"),
])
def test_a_full_or_read_only_disk_replaces_nothing(fault: str, message: str,
                                                   tmp_path: Path) -> None:
    """A full tmpfs (ENOSPC on a new page) or a read-only one: exit 2, one line, the old
    set untouched, no temporary."""
    done = _namespace_script(tmp_path, MOUNTED_OLD_SET.format(size="1m", fault=fault))
    assert done.returncode == 0, done.stderr
    err = (tmp_path / "stderr").read_text()
    assert (tmp_path / "code").read_text() == "2\n", err
    assert err.count("\n") == 1 and message in err and "nothing was replaced" in err, err
    assert (tmp_path / "after").read_text() == (tmp_path / "before").read_text()
    assert ".derive-tmp-" not in (tmp_path / "listing").read_text()
    assert int((tmp_path / "old").read_text()) == 6      # every file (3 pages, 3 pictures) still old


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_folder_is_bad_output_in_one_line(tmp_path: Path) -> None:
    shutil.copy(RELU, tmp_path / "spec.yaml")
    (tmp_path / "out").mkdir(mode=0o555)
    run = cli("spec.yaml", "-o", "out", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.decode().count("\n") == 1, run.stderr
    assert "Permission denied" in run.stderr.decode() and list((tmp_path / "out").iterdir()) == []
