"""Finite answers although an intermediate leaves float range: logits 1 000 apart.

exp(1000) is 2e434, yet softmax(z) and the cross-entropy (≈ 1000) are finite: the numbers
stages compute them by log-sum-exp and the example's gradients check. Oracles: the closed
form (δ = ŷ − y, L = log Σ exp z − z_y) and PyTorch's float64 log_softmax.
"""

from __future__ import annotations

import math
import subprocess

import pytest

from derive.pipeline import run_text

from .conftest import installed_cli

FAR = """\
inputs: 2
layers:
  - {units: 3, activation: softmax}
loss: cross_entropy
example:
  x: [1.0, 0.0]
  y: [0, 1, 0]
  init:
    - {W: [[1000, 0], [0, 0], [-1000, 0]], b: [0, 0, 0]}
"""


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


def test_check_passes_and_render_refuses_in_one_line(tmp_path) -> None:
    spec = tmp_path / "far.yaml"
    spec.write_text(FAR)
    checked = subprocess.run([installed_cli(), "check", str(spec)], capture_output=True,
                             text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"{spec}: ok:")
    # the page's audit computes in float64 (derive/document): refused, never a traceback
    rendered = subprocess.run([installed_cli(), "render", str(spec), "-o", str(tmp_path / "o")],
                              capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 2 and "Traceback" not in rendered.stderr
    assert len(rendered.stderr.splitlines()) == 1
    assert not (tmp_path / "o").exists()


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
