"""The seeds' hand-written results, reproduced exactly by the generated derivations."""

from __future__ import annotations

import sympy as sp

from derive import build_network, derive, load_spec, work_example
from derive.calculus.expressions import as_expr
from derive.calculus.symbols import (activation_symbol, bias_symbol, input_symbol, target_symbol,
                                     weight_symbol)

from .conftest import EXAMPLES, OUTPUT


def derivation_of(name: str):  # type: ignore[no-untyped-def]
    path = EXAMPLES / name
    return derive(build_network(load_spec(path.read_text(encoding="utf-8"), str(path))))


def test_seed000_nine_derivatives_equal_the_hand_written_formulas() -> None:
    """Seed 000 writes w'_ij from input i to hidden unit j and w^2_i1 from hidden unit i."""
    d = derivation_of("nine-derivatives-2-2-1-linear.yaml")
    Y, Yhat = target_symbol(0), activation_symbol(2, 0)
    O11, O12 = activation_symbol(1, 0), activation_symbol(1, 1)
    x1, x2 = input_symbol(0), input_symbol(1)
    w2_11, w2_21 = weight_symbol(2, 0, 0), weight_symbol(2, 0, 1)
    dL = -2 * (Y - Yhat)
    seed = {
        weight_symbol(2, 0, 0): dL * O11,          # dL/dw^2_11
        weight_symbol(2, 0, 1): dL * O12,          # dL/dw^2_21
        bias_symbol(2, 0): dL,                     # dL/db_21
        weight_symbol(1, 0, 0): dL * w2_11 * x1,   # dL/dw'_11
        weight_symbol(1, 0, 1): dL * w2_11 * x2,   # dL/dw'_21
        bias_symbol(1, 0): dL * w2_11,             # dL/db'_11
        weight_symbol(1, 1, 0): dL * w2_21 * x1,   # dL/dw'_12
        weight_symbol(1, 1, 1): dL * w2_21 * x2,   # dL/dw'_22
        bias_symbol(1, 1): dL * w2_21,             # dL/db'_12
    }
    assert len(d.gradients) == 9
    for g in d.gradients:
        assert g.result is not None
        assert sp.expand(as_expr(g.result) - seed[g.parameter]) == 0, g.parameter
        assert g.proved


def test_seed000_page_lists_all_nine_derivatives() -> None:
    page = (OUTPUT / "nine-derivatives-2-2-1-linear.md").read_text(encoding="utf-8")
    # the seed's own names (notation: layer-prime): w'_ij from input i to hidden unit j
    for symbol in ("w'_{11}", "w'_{21}", "w'_{12}", "w'_{22}", "b'_{11}", "b'_{12}",
                   "w^{2}_{11}", "w^{2}_{21}", "b_{21}"):
        assert rf"\frac{{\partial L}}{{\partial {symbol}}} = " in page, symbol
    assert r"- 2 \left(Y - \hat{Y}\right) w^{2}_{11} x_{i1}" in page
    assert page.count("**proved equal**, as expected") == 9


def test_seed001_worked_relu_example_numbers() -> None:
    d = derivation_of("relu-worked-example-1-1-1.yaml")
    worked = work_example(d)
    assert worked is not None
    assert [float(g) for g in worked.first.gradients] == [2.0, 12.0]
    assert [float(v) for v in worked.final] == [2.8, -0.7]
    assert [float(v) for v in worked.losses] == [2.0, 0.5]


def test_seed004_output_delta_is_a_minus_y_times_sigma_prime() -> None:
    """Seed 004 first drops the sign of dL/da_j; the right result is (a_j - y_j) σ'(z_j)."""
    from derive.registry.functions import sigmoid
    from derive.calculus.symbols import pre_activation_symbol

    d = derivation_of("output-and-hidden-layers-sigmoid.yaml")
    for eq in d.deltas[-1]:
        j = eq.unit
        a, y, z = activation_symbol(2, j), target_symbol(j), pre_activation_symbol(2, j)
        assert sp.expand(as_expr(eq.value) - (a - y) * sigmoid(z) * (1 - sigmoid(z))) == 0
        wrong = (y - a) * sigmoid(z) * (1 - sigmoid(z))
        assert sp.expand(as_expr(eq.value) - wrong) != 0
