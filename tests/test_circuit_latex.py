"""A ``graph:`` spec's LaTeX page (``--format tex``, and in ``all``): cs231n's published
gradients on the Markdown and the LaTeX page alike, both printed from one Document (the same
display rows), and pdflatex compiles it without overfull boxes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import cli

from .test_circuit_cli import ADD_MUL, NEURON
from .test_latex import OVERFULL_LIMIT_PT, overfull, pdflatex

ADD_MUL_GRADS = {"x": -4.0, "y": -4.0, "z": 3.0}
NEURON_GRADS = {"w0": -0.196612, "w1": -0.393224, "w2": 0.196612, "x0": 0.393224,
                "x1": -0.589836}
WIDE = """title: "Wide & long: max, min, fan-out_#1 (50%)"
graph:
  inputs: {x: 4, y: 2, z: 3, long_name_here: 1.5}
  nodes:
    m: max(x, y)
    n: min(x, z)
    g: >-
      m * z + n * long_name_here + x * exp(x) / (1 + tanh(z)^2) + sqrt(x*x + z*z)
      + m * n * long_name_here + sigmoid(x * z * m * n) * softplus(x - y - z)
  output: g
"""
_TEX_NAME = {"w0": "w_{0}", "w1": "w_{1}", "w2": "w_{2}", "x0": "x_{0}", "x1": "x_{1}"}


def _write(tmp_path: Path, text: str, fmt: str) -> Path:
    spec = tmp_path / "circuit.yaml"
    spec.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(cli, [str(spec), "--format", fmt, "-o", str(tmp_path / "o")])
    assert out.exit_code == 0, out.output
    return tmp_path / "o"


def _gradients_on(page: str, output: str = "f") -> dict[str, float]:
    """∂output/∂name as the page's backward rows state it (the last number of each row)."""
    pattern = re.compile(r"\\frac\{\\partial " + output + r"\}\{\\partial (.+?)\} &= .*= "
                         r"(-?[\d.]+(?:e[+-]\d+)?)\Z")
    backward = page[page.index("Backward pass"):]
    return {m.group(1): float(m.group(2)) for row in _display_rows(backward)
            if (m := pattern.match(row)) is not None}


def _display_rows(page: str) -> list[str]:
    """Every display row, in page order, whichever format printed it."""
    blocks = re.findall(r"\\begin\{align\*?\}\n(.*?)\n\\end\{align\*?\}", page, re.S) + \
        re.findall(r"\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}", page, re.S)
    return [row for block in blocks for row in block.split(" \\\\\n")]


def test_tex_format_writes_only_the_latex_page(tmp_path: Path) -> None:
    out = _write(tmp_path, ADD_MUL, "tex")
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["circuit.tex"]
    page = (out / "circuit.tex").read_text(encoding="utf-8")
    assert page.startswith(r"\documentclass") and page.rstrip().endswith(r"\end{document}")
    assert r"\title{cs231n: f = (x + y) z}" in page


@pytest.mark.parametrize(("spec", "published"), [(ADD_MUL, ADD_MUL_GRADS),
                                                 (NEURON, NEURON_GRADS)])
def test_published_gradients_in_json_and_on_both_pages(tmp_path: Path, spec: str,
                                                       published: dict[str, float]) -> None:
    out = _write(tmp_path, spec, "all")
    document = json.loads((out / "circuit.json").read_text(encoding="utf-8"))
    grads = {n["name"]: n["grad"] for n in document["nodes"]}
    for suffix in ("md", "tex"):
        page = (out / f"circuit.{suffix}").read_text(encoding="utf-8")
        shown = _gradients_on(page)
        for name, want in published.items():
            assert grads[name] == pytest.approx(want, abs=1e-6), name
            assert shown[_TEX_NAME.get(name, name)] == pytest.approx(want, abs=1e-6), \
                (suffix, name)


@pytest.mark.parametrize("spec", [ADD_MUL, NEURON, WIDE])
def test_markdown_and_latex_print_the_same_rows(tmp_path: Path, spec: str) -> None:
    out = _write(tmp_path, spec, "all")
    markdown = (out / "circuit.md").read_text(encoding="utf-8")
    latex = (out / "circuit.tex").read_text(encoding="utf-8")
    assert _display_rows(markdown) == _display_rows(latex) != []
    for sentence in ("an add gate distributes", "a multiply gate swaps", "a max gate routes",
                     "a min gate routes", "fans out to"):
        assert (sentence in markdown) == (sentence in latex), sentence


def test_the_api_gives_the_latex_page() -> None:
    page = derive.load(ADD_MUL)
    assert page.latex().startswith(r"\documentclass") and "an add gate distributes" in \
        page.latex()


@pytest.mark.parametrize("spec", [ADD_MUL, NEURON, WIDE])
def test_pdflatex_compiles_the_graph_page_without_overfull_boxes(tmp_path: Path,
                                                                 spec: str) -> None:
    log = pdflatex(_write(tmp_path, spec, "tex") / "circuit.tex")
    wide = [w for w in overfull(log) if w > OVERFULL_LIMIT_PT]
    assert wide == [], f"overfull boxes of {wide} pt"
