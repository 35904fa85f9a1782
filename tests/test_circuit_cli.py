"""``graph:`` specs through the command and the API: cs231n's circuits give their published
gradients in the JSON of SPEC.md, bad graphs are one line and exit 2 with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import cli

ADD_MUL = """title: "cs231n: f = (x + y) z"
graph:
  inputs: {x: -2, y: 5, z: -4}
  nodes:
    q: x + y
    f: q * z
  output: f
"""
NEURON = """title: A 2-D sigmoid neuron (cs231n)
graph:
  inputs: {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}
  nodes:
    s: w0*x0 + w1*x1 + w2
    f: sigmoid(s)
  output: f
"""


def _json(tmp_path: Path, text: str) -> dict:
    spec = tmp_path / "circuit.yaml"
    spec.write_text(text)
    out = CliRunner().invoke(cli, [str(spec), "--format", "json", "-o", "-"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_add_multiply_circuit_gives_cs231n_gradients(tmp_path: Path) -> None:
    d = _json(tmp_path, ADD_MUL)
    assert d["output"] == "f" and d["value"] == -12.0
    grads = {n["name"]: n["grad"] for n in d["nodes"]}
    assert grads == {"x": -4.0, "y": -4.0, "z": 3.0, "q": -4.0, "f": 1.0}
    assert [n["definition"] for n in d["nodes"]] == [None, None, None, "x + y", "q * z"]


def test_sigmoid_neuron_gives_cs231n_gradients(tmp_path: Path) -> None:
    grads = {n["name"]: n["grad"] for n in _json(tmp_path, NEURON)["nodes"]}
    for name, want in {"w0": -0.196612, "w1": -0.393224, "w2": 0.196612,
                       "x0": 0.393224, "x1": -0.589836}.items():
        assert grads[name] == pytest.approx(want, abs=1e-6)


def test_all_formats_write_the_page_and_the_picture_and_check_passes(tmp_path: Path) -> None:
    spec = tmp_path / "circuit.yaml"
    spec.write_text(ADD_MUL)
    out = CliRunner().invoke(cli, [str(spec), "--format", "all", "-o", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    assert {p.name for p in (tmp_path / "o").rglob("*") if p.is_file()} == {
        "circuit.md", "circuit.json", "circuit.svg", "circuit.tex"}
    assert CliRunner().invoke(cli, ["check", str(spec)]).exit_code == 0


def test_the_api_reads_a_graph_spec() -> None:
    page = derive.load(ADD_MUL)
    assert page.gradients()["z"] == 3.0 and "upstream" in page.markdown()


@pytest.mark.parametrize("fmt", ["all", "tex"])
@pytest.mark.parametrize(("change", "message"), [
    ("q: x + y", "q: x + * y"),
    ("q: x + y", "q: x + w"),
    ("f: q * z", "f: f * z"),
])
def test_a_bad_graph_is_one_line_exit_2_and_nothing_written(tmp_path: Path, change: str,
                                                            message: str, fmt: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(ADD_MUL.replace(change, message))
    out = CliRunner().invoke(cli, [str(spec), "--format", fmt, "-o", str(tmp_path / "o")])
    assert out.exit_code == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "bad.yaml:" in out.stderr
    assert "graph.nodes." in out.stderr and "Traceback" not in out.output
    assert not (tmp_path / "o").exists()


def test_the_page_opens_with_what_the_circuit_teaches(tmp_path: Path) -> None:
    """The spec's ``about``, under the title and before the note, as on a network's page (the
    Markdown page and the LaTeX, escaped in each); none without one."""
    spec = tmp_path / "circuit.yaml"
    spec.write_text("about: 'An add gate distributes; a multiply gate swaps: x_1 & 50%'\n"
                    + ADD_MUL)
    out = CliRunner().invoke(cli, [str(spec), "--format", "all", "-o", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    page = (tmp_path / "o" / "circuit.md").read_text(encoding="utf-8")
    opening = page.split("\n# ", 1)[1].split("!!!", 1)[0]
    assert "An add gate distributes; a multiply gate swaps: x&#95;1 &#38; 50%" in opening
    tex = (tmp_path / "o" / "circuit.tex").read_text(encoding="utf-8")
    assert r"a multiply gate swaps: x\_1 \& 50\%" in tex
    spec.write_text(ADD_MUL)
    CliRunner().invoke(cli, [str(spec), "--format", "md", "-o", str(tmp_path / "p")])
    bare = (tmp_path / "p" / "circuit.md").read_text(encoding="utf-8")
    assert bare.split("\n# ", 1)[1].split("\n\n", 2)[1].startswith("!!! note")
