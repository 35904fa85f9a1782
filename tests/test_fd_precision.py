"""Finite differences the check can trust (issue 20.2, 20.14, 20.15).

Above 60 parameters the check runs in float64; a difference whose own rounding may exceed
the tolerance (a huge loss, a saturated unit), that overflows, or that disagrees is redone
in 50 digits before anything is reported. Each spec below was refused or failed before
(a correct derivation reported wrong, or "pow(0.0, -1.0) in float64" with no FILE:LINE),
and a wrong gradient is still caught at the same sizes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from derive import build_network, check, derive, load_spec, work_example
from derive.cli import cli
from derive.verify.points import MPMATH_PARAMETERS

INPUTS = "[x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]"


def two_layers(inputs: str, hidden: str, output: str, loss: str, x: str, y: str, init: str) -> str:
    """A two-layer spec with a one-sample example (its learning rate 0.001)."""
    return (f"title: t\ninputs: {inputs}\nlayers:\n  - {{{hidden}}}\n  - {{{output}}}\n"
            f"loss: {loss}\nexample:\n  x: {x}\n  y: {y}\n  init: {{{init}}}\n"
            f"  learning_rate: 0.001\n")


# two outputs, one target huge: a loss near 1e16 (74 parameters, float64)
HUGE_TARGET = two_layers(INPUTS, "units: 6, activation: sigmoid", "units: 2, activation: linear",
                   "squared_error", "[[3, -2, 1.5, 4, -3.5, 2.5, 1, -5, 4.5, 0.5]]",
                   "[[100000000, 0.3]]", "W: 0.5, b: 0.1")
# a saturated sigmoid output under cross-entropy: 1 - ŷ is 0 in float64
SATURATED = two_layers(INPUTS, "units: 6, activation: tanh", "units: 1, activation: sigmoid",
                 "binary_cross_entropy", "[[30, -20, 15, 40, -35, 25, 10, -50, 45, 5]]",
                 "[[0]]", "W: 0.5, b: 40")
# linear, large inputs, the target the output itself: every gradient near 0, curvature large
LINEAR = two_layers(INPUTS, "units: 6, activation: linear", "units: 1, activation: linear",
              "squared_error", "[[300, -200, 150, 400, -350, 250, 100, -500, 450, 50]]",
              "[[975.4]]", "W: 0.5, b: 0.1")
# 15 parameters (50 digits), a loss near 1e30
SMALL_HUGE = two_layers("[x1, x2]", "units: 3, activation: sigmoid", "units: 2, activation: linear",
                  "squared_error", "[[3, -2]]", "[[1000000000000000, 0.3]]", "W: 0.5, b: 0.1")


def run(text: str, name: str = "spec.yaml"):  # type: ignore[no-untyped-def]
    derivation = derive(build_network(load_spec(text, name)))
    return derivation, check(derivation, work_example(derivation))


@pytest.mark.parametrize("text", [HUGE_TARGET, SATURATED, LINEAR], ids=["huge", "saturated",
                                                                       "linear"])
def test_a_correct_large_network_passes(text: str) -> None:
    derivation, report = run(text)
    assert len(derivation.network.parameters) > MPMATH_PARAMETERS     # float64 territory
    assert report.passed, report.disagreements[:3]


def test_a_small_network_with_a_huge_target_passes() -> None:
    """50 digits, a loss of 10^30: a step of 10^-20 leaves 10^-25·L of rounding, more than
    the output-2 weights' gradients (about 1); that difference is taken again in more
    digits."""
    derivation, report = run(SMALL_HUGE)
    assert len(derivation.network.parameters) <= MPMATH_PARAMETERS
    assert report.passed, report.disagreements[:3]


def test_smooth_parameters_are_never_skipped_as_kinks() -> None:
    _, report = run(LINEAR)
    assert report.skipped == 0


@pytest.mark.parametrize("text", [HUGE_TARGET, SMALL_HUGE], ids=["float64", "50-digit"])
def test_a_wrong_gradient_is_still_caught(text: str) -> None:
    """One gradient off by 0.1 %: the 50-digit redo (or more digits) confirms it, the report
    names it."""
    derivation, _ = run(text)
    g = derivation.gradients[-1]
    wrong = replace(g, result=sp.Mul(sp.Rational(1001, 1000), sp.sympify(g.value)))
    derivation = replace(derivation, gradients=(*derivation.gradients[:-1], wrong))
    report = check(derivation)
    assert not report.passed
    assert {d.parameter for d in report.disagreements} == {len(derivation.gradients) - 1}
    tolerance = 1e-6 if len(derivation.network.parameters) > MPMATH_PARAMETERS else 1e-9
    assert all(d.tolerance == pytest.approx(tolerance) for d in report.disagreements)


def test_a_wrong_gradient_is_reported_once_per_point() -> None:
    """Its page value and δ form alike wrong: one disagreement per point, not one per form."""
    derivation, _ = run(HUGE_TARGET)
    g = derivation.gradients[-1]
    value = sp.Mul(sp.Rational(1001, 1000), sp.sympify(g.value))
    derivation = replace(derivation, gradients=(*derivation.gradients[:-1],
                                                replace(g, result=value, delta_form=value)))
    report = check(derivation, methods=("finite_difference",))
    places = [(d.parameter, d.point, d.method) for d in report.disagreements]
    assert places and len(places) == len(set(places))


def test_the_command_passes_a_huge_target(tmp_path: Path) -> None:
    """A correct float64 check reports no rounding error as the derivation's."""
    spec = tmp_path / "ok.yaml"
    spec.write_text(HUGE_TARGET)
    out = CliRunner().invoke(cli, ["check", str(spec)])
    assert out.exit_code == 0, out.output
    assert "rel err" not in out.output


def test_saturated_spec_is_not_refused(tmp_path: Path) -> None:
    spec = tmp_path / "saturated.yaml"
    spec.write_text(SATURATED)
    out = CliRunner().invoke(cli, ["check", str(spec)])
    assert out.exit_code == 0, out.output
    assert "float64" not in out.output


def test_a_real_kink_is_still_skipped() -> None:
    """Every hidden ReLU at z = 0 exactly: its parameters have no derivative there."""
    text = LINEAR.replace("{units: 6, activation: linear}", "{units: 6, activation: relu}")
    text = text.replace("[[300, -200, 150, 400, -350, 250, 100, -500, 450, 50]]",
                        "[[1, -1, 2, -2, 3, -3, 4, -4, 5, -5]]").replace("b: 0.1", "b: 0")
    _, report = run(text)
    assert report.passed and report.skipped >= 66


def test_a_softmax_layer_costs_linear_time_per_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each finite-difference pass through a softmax of n units makes O(n) function calls
    (exp, log), not O(n²): its Σ exp(z_k) is computed once per pass (issue 20.10)."""
    from derive.numbers import precision

    units = 64
    y = [0] * units
    y[1] = 1
    text = (f"title: Softmax\ninputs: [x1, x2]\nlayers:\n  - {{units: {units}, activation: "
            f"softmax}}\nloss: cross_entropy\n")
    derivation = derive(build_network(load_spec(text, "softmax.yaml")))
    calls = []
    original = precision._float_call

    def counted(name, func, values):  # type: ignore[no-untyped-def]
        calls.append(name)
        return original(name, func, values)
    monkeypatch.setattr(type(precision.FLOAT64), "call", staticmethod(counted))
    report = check(derivation, methods=("finite_difference",))
    passes = 2 * len(derivation.network.parameters) * len(report.points)
    assert report.passed
    assert len(calls) < 4 * units * passes     # quadratic: ~units² per pass


def test_a_loss_near_1e300_is_differenced_in_more_digits() -> None:
    """Weights of 1e300 and 1e150: the loss is near 1e300, and a weight's slope of 1/4 is
    1e-300 of it. A 50-digit difference of it is 0 at any step (a wider step only makes the
    square of the step swamp the slope); the check takes it again in about 350 digits, and
    a right derivation passes (it once reported three false disagreements)."""
    from .test_fuzz import HUGE

    derivation, report = run(HUGE)
    assert report.passed and report.compared > 0, report.disagreements[:3]
