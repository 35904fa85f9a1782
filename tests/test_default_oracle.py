"""One default oracle: finite differences everywhere, torch only when asked for.

The README's first command installs no torch, and a default run of each command (render,
check, site, list) never imports it, even where it is installed; ``--oracle auto`` does.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"
PROBE = """
import json, sys
from derive.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, "torch" in sys.modules]))
"""


def _run(*args: str | Path, cwd: Path) -> tuple[int, bool]:
    """(exit code, whether torch was imported) of one in-process run of the command."""
    result = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    code, imported = json.loads(result.stdout.splitlines()[-1])
    return code, imported


def test_the_readmes_first_command_installs_no_torch() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = next(line for line in readme.splitlines() if line.startswith("    ")
                 and "pip install" in line)
    assert "derive-backprop examples/" in first
    installed = re.search(r"pip install (?:-c constraints.txt )?(\S+)", first)
    assert installed is not None and installed.group(1) == ".", first
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.split()[0].startswith("torch") for d in project["dependencies"])


@pytest.mark.parametrize("command", [
    ["render", RELU, "-o", "out"], ["check", RELU], ["site", "course", "-o", "site", "-j", "1"],
    ["list"]])
def test_a_default_run_imports_no_torch(command: list[str | Path], tmp_path: Path) -> None:
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / RELU.name).write_bytes(RELU.read_bytes())
    code, imported = _run(*command, cwd=tmp_path)
    assert code == 0 and not imported


def test_auto_adds_torch_when_it_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    assert _run("check", RELU, "--oracle", "auto", cwd=tmp_path) == (0, True)
