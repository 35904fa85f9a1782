"""Batch norm's lesson (issue 17): the example reproduces PyTorch, the page shows the three
paths and the compact formula, and the audit refuses a compact formula with a classic slip."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import cli
from derive.document.audit import FalseEquation
from derive.document.model import Display, Equation, Figure, Line, Section
from derive.document.quantities import PARTIAL
from derive.document.tensor_audit import audit_tensor_page
from derive.document.tensor_build import build_tensor_document
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, check_model, work_model

from .conftest import EXAMPLES
from .test_tensor_batchnorm import _torch_run
from .torch_oracle import assert_agree

EXAMPLE = EXAMPLES / "batch-normalization-three-paths.yaml"


def _model(text: str, name: str = "bn.yaml"):  # type: ignore[no-untyped-def]
    model = build_model(load_tensor(text, name, default_title="t"))
    evaluator = Evaluator(model.graph)
    return model, work_model(model, evaluator), check_model(model, evaluator)


def test_the_example_reproduces_torch_float64() -> None:
    torch = pytest.importorskip("torch")
    model, worked, _ = _model(EXAMPLE.read_text(encoding="utf-8"))
    assert model.graph.samples == 3
    assert assert_agree(model, worked, _torch_run(model, torch)) == 15


def _parts(model):  # type: ignore[no-untyped-def]
    """The first feature's nodes, named from the graph (not from the lesson)."""
    g = model.graph
    z, xhat, y = g.tensor("z1"), g.tensor("xhat2"), g.tensor("y2")
    n = range(g.samples)
    return ([z.at(k, 0) for k in n], [xhat.at(k, 0) for k in n], [y.at(k, 0) for k in n],
            g.tensor("mu2").at(0), g.tensor("var2").at(0), g.tensor("gamma2").at(0))


def _audit_with(model, worked, check, *sides) -> None:  # type: ignore[no-untyped-def]
    document, _, _ = build_tensor_document(model, worked, check, stem="bn")
    extra = Section(document.sections[0].title, (Display((Line("x", Equation(sides)),)),))
    audit_tensor_page(document.__class__(document.title, document.about, document.banner,
                                         document.sections + (extra,)), model)


def test_the_audit_tells_the_compact_formula_from_a_slip() -> None:
    model, worked, check = _model(EXAMPLE.read_text(encoding="utf-8"))
    L = model.graph.loss
    x, xhat, y, mu, var, gamma = _parts(model)
    N = len(x)
    root = sp.sqrt(var + sp.Float(1e-5))
    g = [PARTIAL(L, s) for s in y]
    paths = (PARTIAL(L, xhat[0]) / root + PARTIAL(L, var) * 2 * (x[0] - mu) / N
             + PARTIAL(L, mu) / N)
    moment = sp.Add(*(a * b for a, b in zip(g, xhat)))
    right = gamma / (N * root) * (N * g[0] - sp.Add(*g) - xhat[0] * moment)
    _audit_with(model, worked, check, PARTIAL(L, x[0]), paths, right)
    for slip in (gamma / (N * root) * (N * g[0] - sp.Add(*g)),          # the σ² path left out
                 gamma / (N * root) * (N * g[0] - xhat[0] * moment),    # the μ path left out
                 gamma / root * g[0],                                   # no path via statistics
                 gamma / (N * sp.sqrt(var * N / (N - 1))) * (N * g[0] - sp.Add(*g)
                                                             - xhat[0] * moment)):  # unbiased σ²
        with pytest.raises(FalseEquation):
            _audit_with(model, worked, check, paths, slip)


def test_the_page_shows_three_paths_the_formula_and_the_picture(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [str(EXAMPLE), "-o", str(out), "--format", "all"])
    assert result.exit_code == 0, result.output
    stem = EXAMPLE.stem
    page = (out / f"{stem}.md").read_text(encoding="utf-8")
    for shown in (r"\text{through } \hat{x}_1", r"\text{through } \sigma^2",
                  r"\text{through } \mu", r"N g_i - \sum_k g_k - \hat{x}_i \sum_k g_k \hat{x}_k",
                  f"({stem}/batchnorm-2-paths.svg)"):
        assert shown in page
    svg = (out / stem / "batchnorm-2-paths.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "through σ²" in svg and "through μ" in svg
    data = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["verified"]["passed"] and data["verified"]["equations"] >= 40


@pytest.mark.parametrize("text", [
    # batch norm first, on the data, with a relu after it
    "inputs: {shape: [2]}\nlayers:\n  - {type: batchnorm, activation: relu, eps: 0.01}\n"
    "  - {type: dense, units: 1}\nloss: squared_error\n"
    "example: {x: [[1, 2], [0, -1], [3, 0.5]], y: [[1], [0], [2]], init: {seed: 4}}\n",
    # [channels, length]: statistics over the batch and the length
    "inputs: {shape: [2, 3]}\nlayers:\n  - {type: batchnorm}\n  - {type: flatten}\n"
    "  - {type: dense, units: 1, activation: sigmoid}\nloss: squared_error\n"
    "example: {x: [[[1, 2, 4], [0, -1, 3]], [[2, 0, 1], [1, 1, -2]]], y: [[1], [0]]}\n",
])
def test_the_lesson_is_audited_on_other_shapes(text: str) -> None:
    model, worked, check = _model(text)
    document, _, audited = build_tensor_document(model, worked, check, stem="s")
    assert check.passed and audited.equations >= 25
    figures = [b for s in document.sections for b in s.blocks if isinstance(b, Figure)]
    assert [f.path for f in figures] == ["s/batchnorm-1-paths.svg"]
