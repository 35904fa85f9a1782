"""The numeric shortcuts give exactly what the plain way gives, to the bit.

``in_float_range`` reads mpmath's raw (sign, man, exp, bc) before any comparison; the
evaluator remembers subexpressions shared within one pass (a memo); the float64 finite
differences read the unchanged numbers from lists; the tally reuses the error of a form
equal to the one before. Each is compared here with the plain computation.
"""

from __future__ import annotations

import functools
import math
import random
from pathlib import Path

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import build_network, derive, load_spec
from derive.verify.checking import (
    STEP,
    Disagreement,
    _downstream_loss,
    _float_downstream,
    _FloatLists,
    _Tally,
)
from derive.calculus.derivation import Derivation
from derive.calculus.network import Network
from derive.numbers.evaluate import (
    FLOAT_MAX,
    compile_float,
    evaluate,
    exact_in_float_range,
    forward,
    in_float_range,
    parameter_env,
    sample_env,
)
from derive.numbers.worked import float_forward, gradient_forms

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
mpf = mpmath.mpf

# --------------------------------------------------------------------------- in_float_range

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


# --------------------------------------------------------------------------- networks

SPECS = {   # hidden layers of every kind, softmax (a vector activation), layers without bias
    "sigmoid-softmax": "inputs: 3\nlayers:\n  - {units: 4, activation: sigmoid}\n"
                       "  - {units: 3, activation: softmax}\nloss: cross_entropy\n",
    "tanh-relu-nobias": "inputs: 2\nlayers:\n  - {units: 3, activation: tanh, bias: false}\n"
                        "  - {units: 2, activation: relu}\n"
                        "  - {units: 1, activation: linear, bias: false}\n"
                        "loss: half_squared_error\n",
    "leaky-elu-softplus": "inputs: 2\nlayers:\n"
                          "  - {units: 3, activation: {name: leaky_relu, slope: 0.2}}\n"
                          "  - {units: 2, activation: elu}\n"
                          "  - {units: 2, activation: softplus}\nloss: squared_error\n",
}


@functools.cache
def derivation_of(name: str) -> Derivation:
    if name in SPECS:
        return derive(build_network(load_spec(SPECS[name], f"{name}.yaml")))
    path = EXAMPLES / f"{name}.yaml"
    return derive(build_network(load_spec(path.read_text(encoding="utf-8"), str(path))))


def random_sample(derivation: Derivation, seed: int) -> tuple[list[float], tuple, tuple]:
    rng = random.Random(seed)
    network = derivation.network
    params = [rng.uniform(-1.5, 1.5) for _ in network.parameters]
    x = tuple(rng.uniform(-2, 2) for _ in network.x)
    return params, x, network.loss.sample_targets(rng, len(network.y))


NAMES = [*SPECS, "softmax-cross-entropy-3-classes", "output-and-hidden-layers-sigmoid",
         "relu-worked-example-1-1-1", "binary-cross-entropy-sigmoid"]


# --------------------------------------------------------------------------- the memo

def plain_forward(network: Network, params: dict, x: tuple,
                  y: tuple) -> tuple[dict, mpmath.mpf]:
    """``numeric.forward`` with a fresh memo for every value (nothing shared)."""
    env = sample_env(network, x, y)
    env.update(params)
    for layer in network.layers:
        for z, expr in zip(layer.z, layer.z_expr):
            env[z] = evaluate(expr, env)
        for a, expr in zip(layer.a, layer.a_expr):
            env[a] = evaluate(expr, env)
    return env, evaluate(network.loss_expr, env)


def plain_gradients(derivation: Derivation, env: dict, form: str) -> tuple:
    env = dict(env)
    for layer in reversed(derivation.deltas):
        for eq in layer:
            env[eq.symbol] = evaluate(eq.value, env)
    return tuple(evaluate(getattr(g, form), env) for g in derivation.gradients)


@settings(max_examples=15)
@given(st.sampled_from(NAMES), st.integers(0, 2 ** 32))
def test_one_memo_per_pass_changes_no_value(name: str, seed: int) -> None:
    derivation = derivation_of(name)
    network = derivation.network
    params, x, y = random_sample(derivation, seed)
    base = forward(network, parameter_env(network, tuple(map(mpf, params))), x, y)
    env, loss = plain_forward(network, parameter_env(network, tuple(map(mpf, params))), x, y)
    assert base.env == env and base.loss == loss
    forms = ("value", "delta_form")
    shared = gradient_forms(derivation, dict(base.env), forms)
    assert shared == tuple(plain_gradients(derivation, base.env, form) for form in forms)


@settings(max_examples=10)
@given(st.sampled_from(NAMES), st.integers(0, 2 ** 32))
def test_downstream_pass_is_a_full_forward_pass(name: str, seed: int) -> None:
    """One memo over the changed layers gives the loss of a forward pass from scratch."""
    derivation = derivation_of(name)
    network = derivation.network
    params, x, y = random_sample(derivation, seed)
    values = tuple(map(mpf, params))
    base = forward(network, parameter_env(network, values), x, y)
    for index, g in enumerate(derivation.gradients):
        env = dict(base.env)
        env[g.parameter] = base.env[g.parameter] + STEP
        moved = values[:index] + (values[index] + STEP,) + values[index + 1:]
        want = forward(network, parameter_env(network, moved), x, y).loss
        assert _downstream_loss(network, env, g.role.layer, g.role.index[0]) == want


# --------------------------------------------------------------------------- float lists

def same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=15)
@given(st.sampled_from(NAMES), st.integers(0, 2 ** 32),
       st.sampled_from([1e-5, -1e-5, 0.3, -2.0]))
def test_float_lists_give_the_plain_downstream_pass(name: str, seed: int, delta: float) -> None:
    derivation = derivation_of(name)
    network = derivation.network
    params, x, y = random_sample(derivation, seed)
    env = float_forward(network, params, x, y)
    lists = _FloatLists.of(network, env)
    loss = compile_float(network.loss_expr)
    for i, g in enumerate(derivation.gradients):
        moved = [float(v) for v in params]
        moved[i] += delta
        want = loss(float_forward(network, tuple(moved), x, y))     # a whole fresh pass
        got = _float_downstream(network, lists, g.role, *lists.moved(g.role, delta))
        assert same_float(got, want)


# --------------------------------------------------------------------------- the tally

def plain_add(tally: _Tally, index: int, point: str, symbolic: object, oracle: mpmath.mpf) -> None:
    """``_Tally.add`` as it was: every form on its own, in mpf."""
    symbolic = mpf(symbolic)
    error = abs(symbolic - oracle)
    tally.compared += 1
    tally.max_abs = max(tally.max_abs, error)
    tally.max_rel = max(tally.max_rel, error / max(1, abs(oracle)))
    if error > tally.tolerance * max(1, abs(oracle)):
        tally.bad.append(Disagreement(index, point, float(symbolic), float(oracle), tally.method))


near = st.sampled_from([0.0, 1.0, -1.0, 1 + 1e-12, 1 + 1e-8, 2.5, -2.5 + 1e-9, 1e300, 3e-7])
forms = st.lists(st.one_of(near, near.map(mpf)), min_size=1, max_size=3)


@given(st.lists(st.tuples(forms, near), max_size=12), st.sampled_from(["1e-9", "1e-6"]))
def test_tally_of_forms_matches_one_form_at_a_time(rows: list, tolerance: str) -> None:
    got, want = _Tally("finite_difference"), _Tally("finite_difference")
    got.tolerance = want.tolerance = mpf(tolerance)
    for index, (values, oracle) in enumerate(rows):
        got.add_forms(index, "p", tuple(values), mpf(oracle))
        for value in values:
            plain_add(want, index, "p", value, mpf(oracle))
    assert (got.compared, got.max_abs, got.max_rel, got.bad) == \
        (want.compared, want.max_abs, want.max_rel, want.bad)
    assert got.result() == want.result()
