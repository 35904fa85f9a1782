"""The numbers stage through its public functions, on random networks and points.

One evaluator in two precisions must agree; the forward pass must be the loss expression's
value; a rerun from one moved parameter must be the full pass's value; the reduction is
``Spec.batch_scale`` times the per-sample sum; and mpmath's precision stays local.
"""

from __future__ import annotations

import functools
import math
import random
import subprocess
import sys

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import build_network, derive, load_spec
from derive.calculus import Derivation
from derive.numbers import (
    FLOAT64,
    MPMATH,
    Engine,
    Engines,
    Sweep,
    evaluate,
    forward,
    gradient_forms,
    parameter_env,
    with_deltas,
    work_example,
)
from derive.numbers.precision import FLOAT_MAX, exact_in_float_range, in_float_range
from derive.numbers.worked import batch_gradient
from derive.registry import ACTIVATIONS, LOSSES
from derive.verify import check
from derive.verify.report import Tally

from .conftest import EXAMPLES

mpf = mpmath.mpf
HIDDEN = sorted(a.name for a in ACTIVATIONS if not a.vector)
OUTPUTS = sorted(a.name for a in ACTIVATIONS)
LOSS_NAMES = sorted(entry.name for entry in LOSSES)


# --------------------------------------------------------------------------- networks

@st.composite
def spec_texts(draw: st.DrawFn) -> str:
    """A small spec: 1-3 inputs, 1-3 layers of width 1-3, any activation, loss and reduction."""
    loss = draw(st.sampled_from(LOSS_NAMES))
    needed = LOSSES[loss].requires_output
    depth = draw(st.integers(1, 3))
    names = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    names.append(draw(st.sampled_from([a for a in OUTPUTS if not needed or a in needed])))
    widths = [draw(st.integers(1, 3)) for _ in range(depth)]
    if names[-1] == "softmax" and loss == "binary_cross_entropy":
        widths[-1] = max(2, widths[-1])     # a one-unit softmax is always 1: log(1 - 1)
    layers = "".join(f"  - {{units: {w}, activation: {a}, bias: {draw(st.booleans())}}}\n"
                     for w, a in zip(widths, names))
    reduction = draw(st.sampled_from(["mean", "sum"]))
    return (f"inputs: {draw(st.integers(1, 3))}\nlayers:\n{layers}loss: {loss}\n"
            f"reduction: {reduction}\n")


@functools.cache
def derivation_of(text: str) -> Derivation:
    return derive(build_network(load_spec(text, "drawn.yaml")))


def random_point(derivation: Derivation, seed: int, samples: int = 1) -> tuple:
    """Parameters in [-1, 1], inputs in [-2, 2] and valid targets, from one seed."""
    rng = random.Random(seed)
    network = derivation.network
    params = tuple(rng.uniform(-1, 1) for _ in network.parameters)
    x = tuple(tuple(rng.uniform(-2, 2) for _ in network.x) for _ in range(samples))
    y = tuple(network.loss.sample_targets(rng, len(network.y)) for _ in range(samples))
    return params, x, y


def drawn(text: str, seed: int) -> tuple[Derivation, tuple, tuple, tuple]:
    """The drawn network's derivation and one random sample: (derivation, params, x, y)."""
    derivation = derivation_of(text)
    params, (x,), (y,) = random_point(derivation, seed)
    return derivation, params, x, y


def forward_in(precision: object, derivation: Derivation, params: tuple, x: tuple,
               y: tuple) -> tuple[Engine, object]:
    """A fresh engine of ``precision`` and the sample's forward pass in it."""
    engine, network = Engine(precision), derivation.network    # type: ignore[arg-type]
    return engine, forward(network, parameter_env(network, params), x, y, engine=engine)


def close(a: object, b: object, tolerance: float) -> bool:
    """|a - b| <= tolerance * max(1, |b|), the check's own scale."""
    with mpmath.workdps(60):
        return abs(mpf(a) - mpf(b)) <= tolerance * max(1, abs(mpf(b)))


seeds = st.integers(0, 2 ** 32)


# --------------------------------------------------------------------------- one evaluator

@settings(max_examples=30)
@given(spec_texts(), seeds)
def test_float_and_mpmath_engines_agree(text: str, seed: int) -> None:
    derivation, params, x, y = drawn(text, seed)
    results = {}
    for precision in (MPMATH, FLOAT64):
        engine, base = forward_in(precision, derivation, params, x, y)
        forms = gradient_forms(derivation, dict(base.env), ("value", "delta_form"),
                               engine=engine)
        results[precision] = (base.loss, *forms[0], *forms[1])
    assert all(type(v) is mpmath.mpf for v in results[MPMATH])
    assert all(type(v) is float for v in results[FLOAT64])
    for got, want in zip(results[FLOAT64], results[MPMATH]):
        assert close(got, want, 1e-12), (got, want)


def full_loss(derivation: Derivation) -> object:
    """L in parameters, inputs and targets only: every a and z replaced by its equation."""
    expr = derivation.network.loss_expr
    for layer in reversed(derivation.network.layers):
        expr = expr.xreplace(dict(zip(layer.a, layer.a_expr)))
        expr = expr.xreplace(dict(zip(layer.z, layer.z_expr)))
    return expr


@settings(max_examples=30)
@given(spec_texts(), seeds)
def test_forward_pass_is_the_loss_expression(text: str, seed: int) -> None:
    derivation, params, x, y = drawn(text, seed)
    network, expr = derivation.network, full_loss(derivation)
    for precision, tolerance in ((MPMATH, 1e-40), (FLOAT64, 1e-12)):
        engine, base = forward_in(precision, derivation, params, x, y)
        inputs = {s: base.env[s] for s in (*network.x, *network.y, *network.parameters)}
        assert close(engine.evaluate(expr, inputs), base.loss, tolerance)


@settings(max_examples=20)
@given(spec_texts(), seeds)
def test_one_memo_per_pass_changes_no_value(text: str, seed: int) -> None:
    """The gradients evaluated together (sharing factors) = each evaluated alone."""
    derivation, params, x, y = drawn(text, seed)
    _, base = forward_in(MPMATH, derivation, params, x, y)
    shared = gradient_forms(derivation, dict(base.env), ("value", "delta_form"))
    env = with_deltas(derivation, base.env)
    alone = tuple(tuple(evaluate(getattr(g, form), env) for g in derivation.gradients)
                  for form in ("value", "delta_form"))
    assert shared == alone


@settings(max_examples=20)
@given(spec_texts(), seeds, st.sampled_from([1e-5, -1e-5, 0.3, -2.0]),
       st.sampled_from([MPMATH, FLOAT64]))
def test_rerun_from_a_moved_parameter_is_a_full_pass(text: str, seed: int, delta: float,
                                                     precision: object) -> None:
    derivation, params, x, y = drawn(text, seed)
    network = derivation.network
    engine, base = forward_in(precision, derivation, params, x, y)
    values = tuple(map(engine.precision.convert, params))
    step = engine.precision.convert(delta)
    sweep = Sweep.of(network, base.env, engine)
    for i, g in enumerate(derivation.gradients):
        with mpmath.workdps(50):
            moved = values[:i] + (values[i] + step,) + values[i + 1:]
        want = forward(network, parameter_env(network, moved), x, y, engine=engine).loss
        assert sweep.loss_after(g.role, step) == want


# --------------------------------------------------------------------------- the reduction

@settings(max_examples=15)
@given(spec_texts(), seeds, st.integers(1, 3))
def test_batch_gradient_is_the_scaled_sum_of_the_samples(text: str, seed: int,
                                                         count: int) -> None:
    derivation = derivation_of(text)
    params, x, y = random_point(derivation, seed, count)
    values = tuple(map(mpf, params))
    loss, grads, _ = batch_gradient(derivation, values, tuple(range(count)), x, y)
    singles = [batch_gradient(derivation, values, (n,), x, y) for n in range(count)]
    scale = derivation.network.spec.batch_scale(count)
    with mpmath.workdps(50):
        factor = mpf(scale.numerator) / scale.denominator
        assert loss == factor * mpmath.fsum(s[0] for s in singles)
        for i, value in enumerate(grads):
            assert value == factor * mpmath.fsum(s[1][i] for s in singles)


# --------------------------------------------------------------------------- local precision

def test_importing_derive_sets_no_mpmath_precision() -> None:
    code = ("import mpmath; before = mpmath.mp.prec; import derive, derive.cli, derive.numbers, "
            "derive.verify; assert mpmath.mp.prec == before, mpmath.mp.prec")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("digits", [15, 80])
def test_mpmath_engine_computes_in_50_digits(digits: int) -> None:
    with mpmath.workdps(digits):
        third, e = evaluate(sp.Rational(1, 3), {}), evaluate(sp.exp(sp.Symbol("x")), {
            sp.Symbol("x"): MPMATH.decimal(1.0)})
    with mpmath.workdps(100):
        assert 1e-55 < abs(third - mpf(1) / 3) < 1e-49
        assert 1e-55 < abs(e - mpmath.e) < 1e-49


def test_results_do_not_depend_on_the_callers_precision() -> None:
    path = EXAMPLES / "softmax-cross-entropy-3-classes.yaml"
    derivation = derive(build_network(load_spec(path.read_text(encoding="utf-8"), str(path))))
    runs = []
    for digits in (15, 80):
        with mpmath.workdps(digits):
            worked = work_example(derivation)
            report = check(derivation, worked)
            assert mpmath.mp.dps == digits
        runs.append(([v._mpf_ for v in (*worked.final, *worked.losses)], report))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("name", ["stacked-layers-sigmoid-batch", "nine-derivatives-2-2-1-linear"])
def test_one_run_sharing_its_engines_gets_the_same_numbers(name: str) -> None:
    """The worked example, the check and the claims compiled once (with claims and a batch)."""
    path = EXAMPLES / f"{name}.yaml"
    derivation = derive(build_network(load_spec(path.read_text(encoding="utf-8"), str(path))))
    alone = work_example(derivation)
    engines = Engines()
    shared = work_example(derivation, engines=engines)
    assert shared == alone
    assert check(derivation, shared, engines=engines) == check(derivation, alone)


# --------------------------------------------------------------------------- range checks

EDGES = [mpf(0), mpf(1), mpf(-1), FLOAT_MAX, -FLOAT_MAX, FLOAT_MAX * (1 + mpf(2) ** -100),
         FLOAT_MAX * (1 - mpf(2) ** -100), mpf(2) ** 1023, -mpf(2) ** 1023, mpf(2) ** 1024,
         mpf(2) ** 1024 * (1 - mpf(2) ** -160), mpf(2) ** -1074, mpf(2) ** -5000, mpf("1e-400"),
         mpf("1e400"), mpf("-1e400"), mpf("inf"), mpf("-inf"), mpf("nan")]
OTHERS = [0.0, -0.0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, math.inf,
          -math.inf, math.nan, 0, 3, 2 ** 1023, 2 ** 1024, -10 ** 400, True, None, "1",
          mpmath.mpc(1, 2), mpmath.mpc(1, 0)]


@pytest.mark.parametrize("value", EDGES + OTHERS, ids=repr)
def test_in_float_range_at_the_edges(value: object) -> None:
    assert in_float_range(value) == exact_in_float_range(value)


@given(st.integers(-2 ** 200, 2 ** 200), st.integers(-1400, 1100))
def test_in_float_range_of_any_mantissa_and_exponent(man: int, exp: int) -> None:
    """man · 2^exp: bit counts up to 201, so exp + bc runs across 1023 and 1024."""
    value = mpf((man, exp))
    assert in_float_range(value) == exact_in_float_range(value)
    assert in_float_range(-value) == exact_in_float_range(-value)


@given(st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True))
def test_in_float_range_of_floats_and_their_mpf(x: float) -> None:
    assert in_float_range(x) == exact_in_float_range(x)
    assert in_float_range(mpf(x)) == exact_in_float_range(mpf(x))


# --------------------------------------------------------------------------- the tally

near = st.sampled_from([0.0, 1.0, -1.0, 1 + 1e-12, 1 + 1e-8, 2.5, -2.5 + 1e-9, 1e300, 3e-7])
forms = st.lists(st.one_of(near, near.map(mpf)), min_size=1, max_size=3)


@given(st.lists(st.tuples(forms, near), max_size=12), st.sampled_from([1e-9, 1e-6]))
def test_tally_of_forms_matches_one_form_at_a_time(rows: list, tolerance: float) -> None:
    """Reusing the error of a form equal to the one before changes no verdict and no maximum;
    it is reported once, not once per form (issue 20.14)."""
    together, apart, distinct = (Tally("finite_difference") for _ in range(3))
    together.tolerance = apart.tolerance = distinct.tolerance = MPMATH.decimal(tolerance)
    for index, (values, oracle) in enumerate(rows):
        together.add_forms(index, "p", tuple(values), mpf(oracle))
        for i, value in enumerate(values):
            apart.add(index, "p", value, mpf(oracle))
            if i == 0 or value != values[i - 1]:
                distinct.add(index, "p", value, mpf(oracle))
    assert together.result() == apart.result()
    assert together.bad == distinct.bad
