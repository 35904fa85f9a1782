"""``printer.Printer``: one exact-string test per ``_print_`` method (as sympy's test_latex.py)."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus.expressions import ChainProduct, ChainSum, Equation, Factor, Partial
from derive.registry.functions import relu, relu_prime, sigmoid
from derive.calculus.symbols import (activation_symbol, bias_symbol, input_symbol,
                                     pre_activation_symbol, target_symbol, weight_symbol)
from derive.calculus.printer import Printer
from derive.numerals import format_number

L = sp.Symbol("L")
a, z, w = activation_symbol(1, 0), pre_activation_symbol(1, 0), weight_symbol(2, 0, 0)
x, y, b = input_symbol(0), target_symbol(0), bias_symbol(1, 0)
NAMES = {L: "L", a: "a^{(1)}_{1}", z: "z^{(1)}_{1}", w: "w^{(2)}_{11}", x: "x_{1}", y: "y",
         b: "b^{(1)}_{1}"}
A, Z, W, X, B = NAMES[a], NAMES[z], NAMES[w], NAMES[x], NAMES[b]


@pytest.fixture
def p() -> Printer:
    return Printer({"symbol_names": NAMES})


# --------------------------------------------------------------------------- settings


def test_settings_are_declared_up_front() -> None:
    settings = Printer._default_settings
    assert settings["symbol_names"] == {}
    assert settings["mul_symbol"] is None
    assert settings["order"] == "none"
    with pytest.raises(TypeError, match="Unknown setting 'colour'"):
        Printer({"colour": "red"})


def test_symbols_print_through_symbol_names(p: Printer) -> None:
    assert p.doprint(w) == W
    assert p.doprint(sp.Symbol("q")) == "q"


# --------------------------------------------------------------------------- Partial


def test_partial_is_a_fraction_of_partials(p: Printer) -> None:
    assert p.doprint(Partial(L, a)) == rf"\frac{{\partial L}}{{\partial {A}}}"


def test_partial_of_a_parameter(p: Printer) -> None:
    assert p.doprint(Partial(z, w)) == rf"\frac{{\partial {Z}}}{{\partial {W}}}"


# --------------------------------------------------------------------------- ChainProduct


def test_chain_product_of_partials_uses_cdot(p: Printer) -> None:
    chain = ChainProduct((Partial(L, a), Partial(a, z), Partial(z, w)))
    assert p.doprint(chain) == (rf"\frac{{\partial L}}{{\partial {A}}} \cdot "
                                rf"\frac{{\partial {A}}}{{\partial {Z}}} \cdot "
                                rf"\frac{{\partial {Z}}}{{\partial {W}}}")


def test_chain_product_juxtaposes_letters_in_chain_order(p: Printer) -> None:
    assert p.doprint(ChainProduct((x, w))) == f"{X} {W}"   # not sorted: x before w
    assert p.doprint(ChainProduct((w, x))) == f"{W} {X}"


def test_chain_product_leading_number_juxtaposed(p: Printer) -> None:
    assert p.doprint(ChainProduct((sp.Integer(2), x))) == f"2 {X}"


def test_chain_product_dot_before_a_later_number(p: Printer) -> None:
    assert p.doprint(ChainProduct((x, sp.Integer(2)))) == rf"{X} \cdot 2"
    assert p.doprint(ChainProduct((x, sp.Rational(1, 2)))) == rf"{X} \cdot \frac{{1}}{{2}}"


def test_chain_product_dot_before_a_partial(p: Printer) -> None:
    assert p.doprint(ChainProduct((x, Partial(a, z)))) == (
        rf"{X} \cdot \frac{{\partial {A}}}{{\partial {Z}}}")


def test_chain_product_parenthesises_sums(p: Printer) -> None:
    assert p.doprint(ChainProduct((x, y - a))) == rf"{X} \cdot \left(y - {A}\right)"
    assert p.doprint(ChainProduct((x, ChainSum((a, b))))) == rf"{X} \cdot \left({A} + {B}\right)"


def test_chain_product_parenthesises_a_leading_sum_without_dot(p: Printer) -> None:
    assert p.doprint(ChainProduct((ChainSum((a, b)), x))) == rf"\left({A} + {B}\right) {X}"


def test_chain_product_parenthesises_later_negatives(p: Printer) -> None:
    assert p.doprint(ChainProduct((y, -2 * x))) == rf"y \cdot \left(- 2 {X}\right)"
    assert p.doprint(ChainProduct((x, sp.Integer(-3)))) == rf"{X} \cdot \left(-3\right)"
    assert p.doprint(ChainProduct((x, -sigmoid(z)))) == (
        rf"{X} \cdot \left(- \sigma\left({Z}\right)\right)")


def test_chain_product_leading_negative_is_bare(p: Printer) -> None:
    assert p.doprint(ChainProduct((-2 * x, y))) == f"- 2 {X} y"
    loss = sp.Mul(-2, y - a, evaluate=False)   # ∂L/∂ŷ of squared_error, kept unexpanded
    assert p.doprint(ChainProduct((loss, w, x))) == rf"- 2 \left(y - {A}\right) {W} {X}"


def test_chain_product_with_functions(p: Printer) -> None:
    assert p.doprint(ChainProduct((x, sigmoid(z)))) == rf"{X} \sigma\left({Z}\right)"


# --------------------------------------------------------------------------- ChainSum


def test_chain_sum_keeps_term_order(p: Printer) -> None:
    assert p.doprint(ChainSum((x, a))) == f"{X} + {A}"
    assert p.doprint(ChainSum((a, x))) == f"{A} + {X}"


def test_chain_sum_negative_terms_subtract(p: Printer) -> None:
    assert p.doprint(ChainSum((a, -b))) == f"{A} - {B}"
    assert p.doprint(ChainSum((a, -2 * b))) == f"{A} - 2 {B}"
    assert p.doprint(ChainSum((a, sp.Integer(-3)))) == f"{A} - 3"
    assert p.doprint(ChainSum((a, ChainProduct((-2 * x, y))))) == f"{A} - 2 {X} y"


def test_chain_sum_leading_minus(p: Printer) -> None:
    assert p.doprint(ChainSum((-a, b))) == f"- {A} + {B}"
    loss = sp.Mul(-2, y - a, evaluate=False)
    paths = ChainSum((ChainProduct((loss, w)), ChainProduct((loss, x))))
    assert p.doprint(paths) == rf"- 2 \left(y - {A}\right) {W} - 2 \left(y - {A}\right) {X}"


def test_chain_sum_minus_one_factor_prints_as_a_bare_minus(p: Printer) -> None:
    assert p.doprint(ChainSum((a, ChainProduct((sp.Integer(-1), w))))) == f"{A} - {W}"


# --------------------------------------------------------------------------- Factor


def test_factor_without_definition(p: Printer) -> None:
    factor = Factor(Partial(a, z), sigmoid(z), sigmoid(z) * (1 - sigmoid(z)))
    expected = (rf"\frac{{\partial {A}}}{{\partial {Z}}} = \frac{{\partial}}{{\partial {Z}}}"
                rf"\left(\sigma\left({Z}\right)\right) = "
                rf"\left(1 - \sigma\left({Z}\right)\right) \sigma\left({Z}\right)")
    assert p.doprint(factor) == expected


def test_factor_row_aligns_before_the_first_equals(p: Printer) -> None:
    factor = Factor(Partial(z, w), ChainSum((ChainProduct((w, a)), b)), a)
    assert p.factor_row(factor) == (
        rf"\frac{{\partial {Z}}}{{\partial {W}}} &= \frac{{\partial}}{{\partial {W}}}"
        rf"\left({W} {A} + {B}\right) = {A}")
    assert p.factor_row(factor, align="") == p.doprint(factor)


def test_factor_row_with_piecewise_definition(p: Printer) -> None:
    factor = Factor(Partial(a, z), relu(z), relu_prime(z))
    expected = (rf"\frac{{\partial {A}}}{{\partial {Z}}} &= \frac{{\partial}}{{\partial {Z}}}"
                rf"\left(\operatorname{{ReLU}}\left({Z}\right)\right) = "
                rf"\operatorname{{ReLU}}'\left({Z}\right) = "
                rf"\begin{{cases}} 1 & {Z} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}")
    assert p.factor_row(factor) == expected
    assert p.doprint(factor) == expected.replace("&=", "=", 1)


# --------------------------------------------------------------------------- Equation


def test_equation(p: Printer) -> None:
    assert p.doprint(Equation(a, sigmoid(z))) == rf"{A} = \sigma\left({Z}\right)"
    assert p.doprint(Equation(ChainProduct((w, x)), ChainSum((a, -b)))) == (
        f"{W} {X} = {A} - {B}")


# --------------------------------------------------------------------------- functions


def test_sigmoid(p: Printer) -> None:
    assert p.doprint(sigmoid(z)) == rf"\sigma\left({Z}\right)"
    assert p.doprint(sigmoid(z) ** 2) == rf"\sigma^{{2}}\left({Z}\right)"


def test_relu(p: Printer) -> None:
    assert p.doprint(relu(z)) == rf"\operatorname{{ReLU}}\left({Z}\right)"
    assert p.doprint(relu(z) ** 2) == rf"\operatorname{{ReLU}}^{{2}}\left({Z}\right)"


def test_relu_prime(p: Printer) -> None:
    assert p.doprint(relu_prime(z)) == rf"\operatorname{{ReLU}}'\left({Z}\right)"
    # TeX folds '^ into one superscript, so this is ReLU'(z) squared, like \sin^{2}
    assert p.doprint(relu_prime(z) ** 2) == rf"\operatorname{{ReLU}}'^{{2}}\left({Z}\right)"


def test_piecewise(p: Printer) -> None:
    assert p.doprint(relu_prime.definition(z)) == (
        rf"\begin{{cases}} 1 & {Z} > 0 \\ 0 & \text{{otherwise}} \end{{cases}}")
    three = sp.Piecewise((x, z > 0), (y, z < -1), (0, True))
    assert p.doprint(three) == (rf"\begin{{cases}} {X} & {Z} > 0 \\ y & {Z} < -1 \\ "
                                rf"0 & \text{{otherwise}} \end{{cases}}")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value, text", [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-2.0, "-2"), (2.5, "2.5"), (0.1 + 0.2, "0.3"),
    (1 / 3, "0.333333"), (-2 / 3, "-0.666667"), (123456.7, "123457"), (1e6, "1e+06"),
    (123456789.0, "1.23457e+08"), (-1e-7, "-1e-07"), (1e-300, "1e-300"),
    (float("inf"), "inf"), (float("nan"), "nan"),
])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_number_tiny_negative_is_not_minus_zero() -> None:
    # -1e-9 keeps its sign in %g; only an exact -0 becomes "0"
    assert format_number(-1e-9) == "-1e-09"


# --------------------------------------------------------------------------- Mul


def test_a_factor_one_written_out_stands_between_dots(p: Printer) -> None:
    """A claim as typed, ``w \\cdot 1 \\cdot x`` (the 1 is a linear layer's derivative):
    juxtaposed, SymPy's ``w \\cdot 1 x`` reads as "1x"; a product without a 1 is SymPy's."""
    assert p.doprint(sp.Mul(w, 1, x, evaluate=False)) == rf"{W} \cdot 1 \cdot {X}"
    assert p.doprint(sp.Mul(1, sigmoid(z), evaluate=False)) == (
        rf"1 \cdot \sigma\left({Z}\right)")
    assert p.doprint(sp.Mul(y - a, 1, evaluate=False)) == rf"\left(y - {A}\right) \cdot 1"
    assert p.doprint(sp.Mul(-2, 1, x, evaluate=False)) == rf"-2 \cdot 1 \cdot {X}"
    assert p.doprint(sp.Mul(2, w, x, evaluate=False)) == rf"2 {W} {X}"
