"""Activations and losses given by formula (SPEC v1.1): parsed by the grammar, never evaluated.

Oracles: a formula written the way a built-in is defined gives the built-in's numbers
(sigmoid, squared_error, ELU's α as a parameter); the derived g' and ∂ℓ/∂ŷ agree with
mpmath's numerical derivative at random points; bad formulas are one line, exit 2, the
column named, nothing written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.cli import cli
from derive.numbers import evaluate
from derive.registry import formula_activation, formula_loss, parse_formula
from derive.registry.grammar import FORMULA_FUNCTIONS

BASE = {"title": "formula", "inputs": 2, "loss": "squared_error",
        "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 1, "activation": "tanh"}],
        "example": {"x": [[0.5, -0.3], [0.2, 0.9]], "y": [[0.4], [-0.2]], "steps": 2,
                    "learning_rate": 0.3, "init": {"seed": 3}}}


def _numbers(spec: dict) -> list[tuple]:
    document = derive.load(spec).json()
    return [document["losses"], *((p["grad"], p["updated"], p["final"])
                                  for p in document["parameters"])]


def _close(a: list, b: list) -> None:
    flat = lambda xs: [v for x in xs for v in (x if isinstance(x, (list, tuple)) else [x])]  # noqa
    for u, v in zip(flat(a), flat(b), strict=True):
        assert math.isclose(u, v, rel_tol=1e-12, abs_tol=1e-15), (u, v)


def test_a_formula_activation_gives_the_builtins_numbers() -> None:
    custom = {**BASE, "layers": [{"units": 2, "activation": {
        "name": "logistic", "formula": "1 / (1 + exp(-z))"}}, BASE["layers"][1]]}
    _close(_numbers(custom), _numbers(BASE))


def test_a_formula_loss_gives_the_builtins_numbers() -> None:
    custom = {**BASE, "loss": {"name": "sq", "formula": "(y - yhat)^2"}}
    _close(_numbers(custom), _numbers(BASE))


def test_a_declared_parameter_is_passed_like_an_option() -> None:
    """softplus(β z)/β with β = 2 by formula, against the same with β written as a number."""
    layer = lambda act: [{"units": 2, "activation": act}, BASE["layers"][1]]  # noqa: E731
    declared = {**BASE, "layers": layer({"name": "soft", "formula": "softplus(beta*z)/beta",
                                         "beta": 2.0})}
    written = {**BASE, "layers": layer({"name": "soft", "formula": "softplus(2*z)/2"})}
    _close(_numbers(declared), _numbers(written))


ACTIVATION_FORMULAS = ("z*sigmoid(z)", "z*tanh(softplus(z))", "exp(-z^2)", "sin(z) + cos(z)/2",
                       "sqrt(1 + z**2) - 1", "cosh(z) - sinh(z)", "log(1 + z^2)", "abs(z)^3")


@pytest.mark.parametrize("text", ACTIVATION_FORMULAS)
@settings(max_examples=15, deadline=None)
@given(z=st.floats(-4, 4).filter(lambda v: abs(v) > 1e-3))
def test_the_derived_activation_derivative_is_the_slope(text: str, z: float) -> None:
    entry = formula_activation("g", parse_formula(text, "k", functions=FORMULA_FUNCTIONS,
                                                  variables=("z",)))
    symbol = sp.Symbol("z", real=True)
    value = lambda v: float(entry.function.numeric(mpmath.mpf(v)))  # noqa: E731
    with mpmath.workdps(40):
        slope = mpmath.diff(lambda v: entry.function.numeric(v), mpmath.mpf(z))
        derived = evaluate(entry.derivative(symbol), {symbol: mpmath.mpf(z)})
    assert math.isclose(float(derived), float(slope), rel_tol=1e-12, abs_tol=1e-14)
    assert math.isclose(entry.function.float_value(z), value(z), rel_tol=1e-13, abs_tol=1e-13)


def test_the_loss_derivative_is_derived_in_yhat() -> None:
    entry = formula_loss("log_cosh", parse_formula("log(cosh(yhat - y))", "k",
                                                   functions=FORMULA_FUNCTIONS,
                                                   variables=("yhat", "y")))
    a, y = sp.symbols("a t", real=True)
    assert sp.simplify(entry.derivative(a, y) - sp.tanh(a - y)) == 0
    assert entry.custom.text == "log(cosh(yhat - y))"


def test_the_json_shows_each_custom_function_and_its_derivative() -> None:
    spec = {**BASE, "layers": [{"units": 2, "activation": {"name": "swish",
                                                           "formula": "z*sigmoid(z)"}},
                               {"units": 1, "activation": {"name": "swish",
                                                           "formula": "z * sigmoid(z)"}}],
            "loss": {"name": "log_cosh", "formula": "log(cosh(yhat - y))"}}
    functions = derive.load(spec).json()["functions"]
    assert [(f["kind"], f["name"], f["formula"]) for f in functions] == [
        ("activation", "swish", "z * sigmoid(z)"), ("loss", "log_cosh", "log(cosh(yhat - y))")]
    assert r"\sigma" in functions[0]["derivative"] and "sinh" in functions[1]["derivative"]
    assert "functions" not in derive.load(BASE).json()


def test_every_format_renders_a_custom_function(tmp_path: Path) -> None:
    spec = tmp_path / "custom.yaml"
    spec.write_text(
        "inputs: 1\nlayers:\n  - units: 2\n    activation: {name: swish, formula: 'z*sigmoid(z)'}"
        "\n  - {units: 1, activation: linear}\nloss: {name: log_cosh, formula: "
        "'log(cosh(yhat - y))'}\nexample: {x: [0.5], y: [0.1], optimizer: adam, steps: 2}\n")
    result = CliRunner().invoke(cli, ["render", str(spec), "--format", "all", "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "custom.md").read_text()
    assert r"\operatorname{swish}\left(z^{(1)}_{1}\right)" in page
    assert json.loads((tmp_path / "out" / "custom.json").read_text())["check"]["passed"]



@pytest.mark.parametrize("text", (*ACTIVATION_FORMULAS, "abs(z)"))
@pytest.mark.parametrize("w", [0.7, 0.0])      # 0: z on the kink of |z|
def test_every_formula_activation_makes_an_audited_page(text: str, w: float,
                                                        tmp_path: Path) -> None:
    """The page derives g' step by step from the formula, with z real as every network
    quantity is: |z|' is sign z. (SymPy's derivative of |z| for a complex z, in re and im,
    once reached the page and stopped the run with an internal error.)"""
    spec = {"title": "formula", "inputs": 1, "loss": "squared_error",
            "layers": [{"units": 1, "activation": {"name": "g", "formula": text}},
                       {"units": 1, "activation": "linear"}],
            "example": {"x": [[1.0]], "y": [[0.3]],
                        "init": [{"W": [[w]], "b": [0.0]}, {"W": [[0.5]], "b": [0.0]}]}}
    loaded = derive.load(spec)
    page, document = loaded.markdown(), loaded.json()
    compared, shown = document["verified"]["equations"], len(document["equations"])
    at_kinks = document["verified"]["equations_at_kinks"]      # no slope there to compare
    assert compared + at_kinks == shown and compared > 0
    assert (f"{at_kinks} on a kink at the example left uncompared" in page) == (at_kinks > 0)
    if w:
        assert at_kinks == 0
    assert r"\operatorname{re}" not in page and r"\operatorname{im}" not in page
    if text == "abs(z)":
        assert r"\operatorname{sign}{\left(z^{(1)}_{1} \right)}" in page


BAD = [
    ('{name: swish, formula: "z*sigmod(z)"}', "layers[0].activation.formula: expected one of "
     "the functions exp, log, sqrt, abs, tanh, sigmoid, softplus, sin, cos, cosh, sinh at "
     "column 3 of 'z*sigmod(z)', got 'sigmod'"),
    ('{name: swish, formula: "z*q"}',
     "layers[0].activation.formula: expected one of the names z at column 3 of 'z*q', got 'q'"),
    ('{name: swish, formula: "max(z, 0)"}', "at column 1 of 'max(z, 0)', got 'max'"),
    ('{name: swish, formula: "z*(1+"}', "at column 6 of 'z*(1+', got the end of the formula"),
    ('{name: swish, formula: "__import__(z)"}', "column 1 of '__import__(z)'"),
    ('{name: sigmoid, formula: "z"}', "layers[0].activation.name: expected a name of your own"),
    ('{name: exp, formula: "z"}', "layers[0].activation.name: expected a name of your own"),
    ('{name: s, formula: "z*a", a: big}', "layers[0].activation.a: expected a finite number"),
    ('{name: s, formula: "z", z: 1}', "layers[0].activation.z: expected a parameter name"),
    ('{name: s, formula: [z]}', "layers[0].activation.formula: expected a formula (text) in z"),
]


@pytest.mark.parametrize(("activation", "message"), BAD)
def test_a_bad_formula_is_one_line_with_the_column(activation: str, message: str,
                                                   tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"inputs: 1\nlayers:\n  - units: 1\n    activation: {activation}\n"
                    "loss: squared_error\n")
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{spec}:4: ") and message in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_a_loss_formula_takes_yhat_and_y_only(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("inputs: 1\nlayers: [{units: 1, activation: linear}]\n"
                    "loss: {name: l, formula: '(yhat - z)^2'}\n")
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "loss.formula: expected one of the names yhat, y at column 9" in result.output


def test_one_name_is_one_function() -> None:
    layers = [{"units": 1, "activation": {"name": "s", "formula": "z*sigmoid(z)"}},
              {"units": 1, "activation": {"name": "s", "formula": "z*sigmoid(2*z)"}}]
    with pytest.raises(derive.SpecError, match="the same formula and parameters as the "
                                               "activation s"):
        derive.load({**BASE, "layers": layers})


def test_graph_formulas_keep_max_and_min() -> None:
    """The graph spec's grammar (the same parser) still takes max and min, and any name."""
    formula = parse_formula("max(a, b) * q", "k")
    assert [name for name, _ in formula.names] == ["a", "b", "q"]


def test_a_random_check_point_outside_the_formulas_domain_is_skipped() -> None:
    """sqrt(z) at a random point with z < 0 has no real value: that point is skipped (and
    counted), the example's point is still compared."""
    spec = {"inputs": 1, "layers": [{"units": 1, "activation": {"name": "root",
                                                              "formula": "sqrt(z)"}}],
            "loss": "squared_error", "example": {"x": [1], "y": [0.5], "init": {"W": 1, "b": 1}}}
    check = derive.load(spec).json()["check"]
    assert check["passed"] and check["skipped"] >= 1 and check["points"][0] == "example"
    assert len(check["points"]) < 3 and check["compared"] > 0


def test_a_division_by_zero_in_the_example_is_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "zero.yaml"
    spec.write_text("inputs: 1\nlayers: [{units: 1, activation: {name: inv, formula: '1/z'}}]\n"
                    "loss: squared_error\nexample: {x: [1], y: [0.5], init: {W: 1, b: -1}}\n")
    result = CliRunner().invoke(cli, ["render", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "division by 0" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_claims_may_name_the_specs_own_activation_and_its_derivative() -> None:
    spec = {"inputs": 1, "loss": "squared_error",
            "layers": [{"units": 1, "activation": {"name": "swish", "formula": "z*sigmoid(z)"}}],
            "example": {"x": [0.5], "y": [0.2], "init": {"W": 0.3, "b": 0.1}},
            "claims": [
                {"parameter": "w^{(1)}_{11}",
                 "formula": r"-2 (y - \hat{y}) \operatorname{swish}'(z^{(1)}_{1}) x_1"},
                {"parameter": "b^{(1)}_{1}", "formula": r"-2 (y - \hat{y}) (\sigma(z^{(1)}_{1})"
                 r" + z^{(1)}_{1} \sigma(z^{(1)}_{1})(1 - \sigma(z^{(1)}_{1})))"},
                {"parameter": "w^{(1)}_{11}", "expect": "different",
                 "formula": r"-2 (y - \hat{y}) swish(z^{(1)}_{1}) x_1"}]}
    claims = derive.load(spec).json()["check"]["claims"]
    assert [c["status"] for c in claims] == ["proved", "proved", "differs"]


TOKENS = st.sampled_from(["z", "alpha", "2", "0.5", "1e3", "+", "-", "*", "/", "^", "**", "(",
                          ")", ",", "exp(", "log(", "sqrt(", "abs(", "tanh(", "sigmoid(",
                          "softplus(", "sin(", "cos(", "cosh(", "sinh(", "max(", "q", "@", " "])


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.lists(TOKENS, max_size=12).map("".join), st.text(max_size=20)))
def test_any_formula_text_loads_or_is_one_spec_error(text: str) -> None:
    """Whatever the text, the loader gives a spec (which derives) or one SpecError line."""
    spec = {"inputs": 1, "loss": "squared_error", "layers": [{"units": 1, "activation": {
        "name": "own", "formula": text, "alpha": 0.5}}]}
    try:
        loaded = derive.load_spec(json.dumps(spec), "fuzz.yaml")
    except derive.SpecError as exc:
        assert str(exc).startswith("fuzz.yaml:") and len(str(exc).splitlines()) == 1
        return
    derivation = derive.derive(derive.build_network(loaded))     # a formula that reads derives
    assert len(derivation.gradients) == 2


def test_a_formula_is_at_most_a_line_long() -> None:
    """Parsing grows quadratically with distinct terms: a 30 000-character sum is refused."""
    text = " + ".join(f"sin({k}*z)" for k in range(2000))
    spec = {"inputs": 1, "loss": "squared_error",
            "layers": [{"units": 1, "activation": {"name": "long", "formula": text}}]}
    with pytest.raises(derive.SpecError, match="formula: expected at most 2000 characters"):
        derive.load_spec(json.dumps(spec), "long.yaml")
