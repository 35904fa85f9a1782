"""Finite answers although an intermediate leaves float range: logits 1 000 apart.

exp(1000) is 2e434, yet softmax(z) and the cross-entropy (≈ 1000) are finite: the numbers
stages compute them by log-sum-exp and the example's gradients check. Oracles: the closed
form (δ = ŷ − y, L = log Σ exp z − z_y) and PyTorch's float64 log_softmax.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import replace

import pytest

from derive.calculus import LOSS
from derive.document import FalseEquation, audit, build_document
from derive.document.lines import line, number
from derive.document.model import Display, Section, plain
from derive.formats.page import Page
from derive.pipeline import Options, run_text

from .conftest import installed_cli


def _softmax(inputs: int, x: str, y: list[int], init: str) -> str:
    """One softmax layer with cross-entropy and the given example."""
    return (f"inputs: {inputs}\nlayers:\n  - {{units: {len(y)}, activation: softmax}}\n"
            f"loss: cross_entropy\nexample:\n  x: {x}\n  y: {y}\n  init: {init}\n")


FAR = _softmax(2, "[1.0, 0.0]", [0, 1, 0],
               "[{W: [[1000, 0], [0, 0], [-1000, 0]], b: [0, 0, 0]}]")


def test_logits_1000_apart_give_the_finite_loss_and_gradients() -> None:
    result = run_text(FAR, "far.yaml")
    assert result.passed
    first = result.worked.first
    assert float(result.worked.losses[0]) == pytest.approx(1000.0, rel=1e-15)
    # dL/dW = (ŷ − y) xᵀ with ŷ = (1, e^-1000, e^-2000): W[0,0] → 1, W[1,0] → −1, rest ~0
    grads = [float(g) for g in first.gradients]
    assert grads[0] == pytest.approx(1.0) and grads[2] == pytest.approx(-1.0)
    assert abs(grads[4]) < 1e-300 and grads[1] == grads[3] == grads[5] == 0.0


def test_the_loss_agrees_with_torch_log_softmax() -> None:
    torch = pytest.importorskip("torch")
    z = torch.tensor([1000.0, 0.0, -1000.0], dtype=torch.float64, requires_grad=True)
    loss = -torch.log_softmax(z, dim=0)[1]
    loss.backward()
    result = run_text(FAR, "far.yaml")
    assert float(result.worked.losses[0]) == pytest.approx(loss.item(), rel=1e-15)
    deltas = [float(g) for g in result.worked.first.gradients[-3:]]    # ∂L/∂b = δ
    assert deltas == pytest.approx(z.grad.tolist(), abs=1e-300)


# an input of 1 000 makes the logits 1 000 and -1 000 (was a bad spec before the exact audit)
FAR_INPUT = _softmax(1, "1000", [1, 0], "[{W: [[1], [-1]]}]")


@pytest.mark.parametrize(("text", "loss"), [(FAR, 1000.0), (FAR_INPUT, 0.0)],
                         ids=["weights", "input"])
def test_check_passes_and_the_page_renders_with_every_equation_audited(tmp_path, text: str,
                                                                       loss: float) -> None:
    """The page's audit evaluates the example where float64 overflows (e^1000) in mpmath's
    numbers (issue 20): the page is written, not refused, and no equation goes unchecked."""
    spec = tmp_path / "far.yaml"
    spec.write_text(text)
    checked = subprocess.run([installed_cli(), "check", str(spec)], capture_output=True,
                             text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"{spec}: ok:")
    out = tmp_path / "o"
    rendered = subprocess.run([installed_cli(), str(spec), "-o", str(out), "--format", "all"],
                              capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    assert "Traceback" not in rendered.stderr
    page = json.loads((out / "far.json").read_text())
    assert page["loss"]["value"] == pytest.approx(loss, rel=1e-15, abs=1e-300)
    assert page["verified"]["equations"] == len(page["equations"]) > 0
    markdown = (out / "far.md").read_text()
    assert f"{len(page['equations'])} equations on this page evaluated" in markdown
    assert not re.search(r"\b(inf|nan)\b", markdown)
    assert (out / "far.tex").exists()


def test_a_false_line_at_a_far_example_is_still_caught() -> None:
    """The exact evaluation is an audit, not a pass: a wrong loss at that example fails."""
    result = run_text(FAR, "far.yaml")
    document, _ = build_document(result.derivation, result.worked, result.report,
                                 Page(result.derivation, result.worked).printer)
    wrong = Display((line([("L", LOSS), number(999.0, 6)], at="example"),))
    bad = replace(document, sections=(Section(plain("x"), (wrong,)),))
    with pytest.raises(FalseEquation):
        audit(bad, result.derivation.network, result.worked)
    right = Display((line([("L", LOSS), number(1000.0, 6)], at="example"),))
    good = replace(document, sections=(Section(plain("x"), (right,)),))
    assert audit(good, result.derivation.network, result.worked).equations == 1


def test_a_big_net_in_float64_takes_logits_far_apart_too() -> None:
    """Above 60 parameters the finite differences run in float64, where e^-2000 is 0 and
    log 0 fails: the loss comes from the logits, never from log ŷ."""
    units = 30
    rows = [[1000.0 if j == 0 else (-1000.0 if j == units - 1 else 0.0), 0.0]
            for j in range(units)]
    y = [0] * units
    y[1] = 1
    spec = (f"inputs: 2\nlayers:\n  - {{units: {units}, activation: softmax}}\n"
            f"loss: cross_entropy\nexample:\n  x: [1.0, 0.0]\n  y: {y}\n"
            f"  init:\n    - {{W: {rows}, b: {[0] * units}}}\n")
    result = run_text(spec, "far30.yaml")
    assert result.passed, result.problems()
    assert math.isclose(float(result.worked.losses[0]), 1000.0 + math.log1p(28 * math.exp(-1000)))


# a saturated sigmoid under BCE: z = 40 puts ŷ = 1 − 4e-18, which float64 and 53-bit mpmath
# round to 1, so the page's log(1 − ŷ) was log 0 and the valid spec refused ("math domain
# error in it"); a teacher shows saturation with numbers like these
SATURATED_BCE = ("inputs: 2\nlayers:\n  - {units: 2, activation: tanh}\n"
                 "  - {units: 1, activation: sigmoid}\nloss: binary_cross_entropy\n"
                 "example:\n  x: [[1.0, -1.0], [0.5, 2.0]]\n  y: [[1], [0]]\n  init:\n"
                 "    - {W: [[40, 0.0], [0.0, 1.0]], b: [0.0, 0.0]}\n"
                 "    - {W: [[40, 1.0]], b: [0.0]}\n")


def test_a_saturated_sigmoid_under_bce_is_audited_in_50_digits() -> None:
    """The audit evaluates a point float64 cannot in mpmath at the check's 50 digits."""
    result = run_text(SATURATED_BCE, "saturated.yaml", Options(formats=("md", "json")))
    assert result.passed
    page = json.loads(result.files["saturated.json"])
    assert page["verified"]["equations"] == len(page["equations"]) > 0
    assert not re.search(r"\b(inf|nan)\b", result.files["saturated.md"])
