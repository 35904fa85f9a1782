"""30 variants of a batch through a ReLU layer and a softmax (cross-entropy, formula blanks):
every number of the key agrees with PyTorch float64 recomputed from that variant's own
``spec.yaml``, every variant meets its conditions (no dead ReLU unit over the batch, no
gradient that rounds to 0, nothing above max_abs), the key's own formula is graded right,
and a rerun with the seed gives every file — GIFT, LaTeX, PrairieLearn included — byte for
byte.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from derive.cli import cli

torch = pytest.importorskip("torch")

VARIANTS = 30
SPEC = """\
title: "Exercise: a batch of two through a ReLU layer and a softmax"
inputs: 3
layers:
  - {units: 3, activation: relu}
  - {units: 2, activation: softmax}
loss: cross_entropy
example:
  x: [[0.5, -1.0, 0.2], [1.0, 0.3, -0.4]]
  y: [[1, 0], [0, 1]]
  init:
    - {W: [[0.2, -0.4, 0.1], [0.6, 0.1, -0.3], [0.3, 0.2, 0.5]], b: [0.1, -0.2, 0.0]}
    - {W: [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]], b: [0.2, -0.1]}
  learning_rate: 0.5
exercise:
  ask: [loss, grad, updated, {formula: "w^{(2)}_{12}"}, {formula: b_1_2}]
  ranges: {x: [-2, 2], W: [-1, 1], b: [-0.5, 0.5], learning_rate: [0.1, 1.0]}
  decimals: 1
  answer_digits: 5
  conditions: {no_dead_relu: true, max_abs: 20}
"""


def _run(folder: Path) -> Path:
    spec = folder / "relu-softmax.yaml"
    spec.write_text(SPEC)
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", str(VARIANTS),
                                      "--seed", "2026", "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("relu-softmax"))


def _key(made: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((made / "answers.csv").read_text())))


def _torch(example: dict) -> tuple[dict[str, float], torch.Tensor]:
    """loss, every grad and updated value; and the hidden pre-activations (samples × units)."""
    x = torch.tensor(example["x"], dtype=torch.float64)
    y = torch.tensor(example["y"], dtype=torch.float64)
    params = {}
    for n, layer in enumerate(example["init"], start=1):
        params[f"L{n}.W"] = torch.tensor(layer["W"], dtype=torch.float64, requires_grad=True)
        params[f"L{n}.b"] = torch.tensor(layer["b"], dtype=torch.float64, requires_grad=True)
    z1 = x @ params["L1.W"].T + params["L1.b"]
    logits = torch.relu(z1) @ params["L2.W"].T + params["L2.b"]
    loss = -(y * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
    loss.backward()
    out = {"loss": float(loss.detach())}
    for name, t in params.items():
        for index in [(i,) for i in range(t.shape[0])] if t.dim() == 1 else \
                [(i, j) for i in range(t.shape[0]) for j in range(t.shape[1])]:
            q = name + "".join(f"[{i}]" for i in index)
            out[f"{q}.grad"] = float(t.grad[index])
            out[f"{q}.updated"] = float(t.detach()[index] -
                                        example["learning_rate"] * t.grad[index])
    return out, z1.detach()


def test_every_number_agrees_with_torch_and_every_variant_meets_its_conditions(
        made: Path) -> None:
    key = _key(made)
    seen = set()
    for k in range(1, VARIANTS + 1):
        example = yaml.safe_load((made / f"variant-{k}" / "spec.yaml").read_text())["example"]
        want, z1 = _torch(example)
        rows = [r for r in key if r["variant"] == str(k)]
        numbers = {r["quantity"]: float(r["answer"]) for r in rows
                   if not r["quantity"].endswith(".formula")}
        assert set(numbers) == set(want)
        for quantity, value in numbers.items():
            assert value == pytest.approx(want[quantity], rel=1e-9, abs=1e-12), (k, quantity)
        assert all(float(r["tolerance"]) == 5e-06 for r in rows if r["tolerance"])
        assert (z1 > 0).any(dim=0).all(), f"variant {k}: a ReLU unit is dead over the batch"
        grads = [v for q, v in numbers.items() if q.endswith(".grad")]
        assert all(abs(g) >= 5e-06 for g in grads) and all(abs(v) <= 20 for v in numbers.values())
        flat = [v for layer in example["init"] for v in
                [*(w for row in layer["W"] for w in row), *layer["b"]]]
        assert all(-1 <= v <= 1 and round(v, 1) == v for v in flat)
        assert all(sum(row) == 1 for row in example["y"])             # one-hot classes
        seen.add(tuple(flat))
    assert len(seen) == VARIANTS


def test_the_keys_own_formulas_grade_right(made: Path, tmp_path: Path) -> None:
    formulas = [r for r in _key(made) if r["quantity"].endswith(".formula")]
    assert len(formulas) == 2 * VARIANTS
    answers = tmp_path / "class.csv"
    with answers.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["variant", "quantity", "answer"])
        writer.writerows((r["variant"], r["quantity"], r["answer"]) for r in formulas)
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers)])
    assert result.exit_code == 0, result.output
    graded = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [g["correct"] for g in graded] == ["yes"] * len(formulas)


def test_a_rerun_gives_every_file_byte_for_byte(made: Path, tmp_path: Path) -> None:
    again = _run(tmp_path)
    mine = {p.relative_to(made): p.read_bytes() for p in made.rglob("*") if p.is_file()}
    theirs = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert mine == theirs
    assert {"questions.gift", "prairielearn/relu-softmax/info.json",
            "variant-30/question.tex"} <= {str(p) for p in mine}
