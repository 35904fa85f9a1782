"""``check --oracle torch`` on typed-layer specs: reverse mode against torch.autograd of the
same layers written with torch's own functions (derive/tensor/torch_oracle.py).

The layer tests compare with torch's modules (nn.Conv2d, nn.RNN, nn.BatchNorm1d); here the
product's own oracle meets the same generated cases, and it must catch what finite
differences let through.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.spec.tensor import load_tensor
from derive.tensor import Evaluator, build_model, check_model

from .conftest import ROOT
from .test_tensor_batchnorm import _spec as batchnorm_case
from .test_tensor_conv import _case as conv_case
from .test_tensor_core import _spec as dense_case
from .test_tensor_rnn import _case as rnn_case

torch = pytest.importorskip("torch")

TYPED = sorted(p for p in (ROOT / "examples").glob("*.yaml")
               if "shape:" in p.read_text(encoding="utf-8"))


def _checked(text: str, name: str = "case.yaml"):  # type: ignore[no-untyped-def]
    model = build_model(load_tensor(text, name, default_title="t"))
    return model, check_model(model, Evaluator(model.graph), methods=("finite_difference",
                                                                      "torch"))


def _parameters(model) -> int:  # type: ignore[no-untyped-def]
    return sum(len(t.symbols) for t in model.graph.parameters)


@pytest.mark.parametrize("path", TYPED, ids=lambda p: p.stem)
def test_every_typed_example_agrees_with_torch_at_every_point(path: Path) -> None:
    model, check = _checked(path.read_text(encoding="utf-8"), path.name)
    assert check.passed, check.disagreements
    assert check.methods == ("finite_difference", "torch")
    assert check.torch_compared == 3 * _parameters(model)        # the example + 2 points


def test_generated_specs_of_every_layer_type_agree_with_torch() -> None:
    rng = random.Random(7)
    cases = ([rnn_case(rng) for _ in range(12)]
             + [json.dumps(conv_case(seed, rank)) for seed in range(8) for rank in (1, 2)]
             + [json.dumps(batchnorm_case(rng)) for _ in range(12)]
             + [dense_case(rng) for _ in range(12)])
    compared = 0
    for number, text in enumerate(cases):
        model, check = _checked(text, f"case{number}.yaml")
        assert check.passed, (number, check.disagreements[:3])
        compared += check.torch_compared
    assert compared > 20 * len(cases)


def test_torch_catches_an_error_finite_differences_let_through() -> None:
    """One gradient off by 1e-7 of itself: within a difference's tolerance (1e-6), never
    within torch's (1e-9). The disagreement names its oracle."""
    model = build_model(load_tensor(TYPED[0].read_text(encoding="utf-8"), TYPED[0].name,
                                    default_title="t"))
    evaluator = Evaluator(model.graph)
    first = model.graph.parameters[0].symbols[0]
    backward = evaluator.backward

    def slightly_wrong(env):  # type: ignore[no-untyped-def]
        grads = dict(backward(env))
        grads[first] = grads.get(first, 0.0) * (1 + 1e-7) + 1e-7
        return grads

    evaluator.backward = slightly_wrong  # type: ignore[method-assign]
    alone = check_model(model, evaluator)
    assert alone.passed
    both = check_model(model, evaluator, methods=("finite_difference", "torch"))
    assert not both.passed
    assert {(d.parameter, d.oracle) for d in both.disagreements} == {(first.name, "torch")}


def test_check_and_the_page_say_torch_was_asked(tmp_path: Path) -> None:
    spec = str(next(p for p in TYPED if "rnn" in p.name))
    result = CliRunner().invoke(cli, ["check", spec, "--oracle", "torch"])
    assert result.exit_code == 0, result.output
    assert "(finite_difference, torch)" in result.output
    result = CliRunner().invoke(cli, [spec, "-o", str(tmp_path), "--format", "all",
                                      "--oracle", "torch", "-q"])
    assert result.exit_code == 0, result.output
    page = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert page["verified"]["oracles"] == ["finite_difference", "torch"]
    assert page["verified"]["against_torch"] > 0
    assert "PyTorch" in next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
