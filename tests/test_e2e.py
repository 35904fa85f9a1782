"""The installed ``derive-backprop`` script, run as a user runs it (subprocess, temp folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"

# SPEC.md's contract example (seed 001's ReLU network) in the default notation.
CONTRACT = """\
inputs: [x]
layers:
  - {units: 1, activation: linear, bias: false}
  - {units: 1, activation: relu, bias: false}
loss: half_squared_error
example:
  x: [2]
  y: [1]
  init:
    - {W: [[3]]}
    - {W: [[0.5]]}
  learning_rate: 0.1
  steps: 1
"""


def run(cli: str, *args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_json_to_stdout_has_spec_numbers(cli_path: str, tmp_path: Path) -> None:
    spec = tmp_path / "relu.yaml"
    spec.write_text(CONTRACT)
    result = run(cli_path, str(spec), "--format", "json", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["loss"]["value"] == 2.0
    assert document["losses"] == [2.0, 0.5]
    by_layer = {p["layer"]: p for p in document["parameters"]}
    assert by_layer[2]["grad"] == 12.0 and by_layer[1]["grad"] == 2.0
    assert by_layer[1]["updated"] == 2.8 and by_layer[2]["updated"] == -0.7
    assert by_layer[2]["index"] == [0, 0] and by_layer[2]["kind"] == "W"
    assert by_layer[2]["symbol"] == "w^{(2)}_{11}"
    assert document["check"]["passed"] is True
    assert document["check"]["methods"] == ["finite_difference"]
    assert list(tmp_path.iterdir()) == [spec]


def test_all_formats_written_into_folder(cli_path: str, tmp_path: Path) -> None:
    result = run(cli_path, str(RELU), "-o", "out", "--format", "all", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file())
    assert names == [f"relu-worked-example-1-1-1.{ext}" for ext in ("json", "md", "tex")]
    pictures = sorted(p.name for p in (tmp_path / "out" / "relu-worked-example-1-1-1").iterdir())
    assert pictures == ["network.svg", "paths-w1-1-1.svg", "paths-w2-1-1.svg"]


def test_invalid_spec_one_line_exit_2(cli_path: str, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("inputs: [x]\nlayers:\n  - {units: 1, activation: rleu}\nloss: squared_error\n")
    result = run(cli_path, str(spec), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"{spec}:3: layers[0].activation: expected one of elu, leaky_relu, "
                             f"linear, relu, sigmoid, softmax, softplus, tanh, got 'rleu'; "
                             f"did you mean 'relu'?\n")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_same_spec_twice_gives_identical_bytes(cli_path: str, tmp_path: Path) -> None:
    spec = EXAMPLES / "output-and-hidden-layers-sigmoid.yaml"
    outputs = []
    for seed, folder in (("1", "a"), ("12345", "b")):
        result = run(cli_path, str(spec), "-o", folder, "--format", "all", cwd=tmp_path,
                     env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(tmp_path / folder): p.read_bytes()
                        for p in (tmp_path / folder).rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]


def test_list_shows_registries(cli_path: str, tmp_path: Path) -> None:
    result = run(cli_path, "list", cwd=tmp_path)
    assert result.returncode == 0
    for name in ("sigmoid", "relu", "squared_error", "half_squared_error", "nielsen", "uniform"):
        assert name in result.stdout


def test_an_installed_wheel_loads_its_templates_compiled(tmp_path: Path) -> None:
    """A wheel install (CI's) ships the templates compiled by its build hook and uses them;
    an editable install reads templates/ (checked in tests/test_templating.py)."""
    probe = ("import derive, json; from derive.formats import templating as t; "
             "print(json.dumps([derive.__file__, type(t.environment('md').loader).__name__, "
             "type(t.environment('tex').loader).__name__]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    location, md, tex = json.loads(result.stdout)
    if Path(location).resolve().is_relative_to(ROOT):
        pytest.skip("derive is installed editable: it reads the source templates")
    assert (md, tex) == ("ModuleLoader", "ModuleLoader")
