"""Shared fixtures: the repository paths, the installed CLI, hypothesis profiles."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OUTPUT = ROOT / "output"


def _is_network(path: Path) -> bool:
    """A ``layers:`` network spec: neither a ``graph:`` circuit nor typed layers (whose
    pages are different documents, docs/layers.md)."""
    text = path.read_text(encoding="utf-8")
    return "\ngraph:" not in "\n" + text and "type:" not in text and "shape:" not in text


# the examples that are plain networks: tests of the network page, its notations and exports
NETWORK_EXAMPLES = tuple(p for p in sorted(EXAMPLES.glob("*.yaml")) if _is_network(p))

settings.register_profile("ci", derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def installed_cli() -> str:
    """The ``derive-backprop`` script of the running interpreter's environment."""
    beside = Path(sys.executable).parent / "derive-backprop"
    if beside.exists():
        return str(beside)
    found = shutil.which("derive-backprop")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("derive-backprop is not installed in CI")
        pytest.skip("derive-backprop is not installed")
    return found


@pytest.fixture
def cli_path() -> str:
    return installed_cli()
