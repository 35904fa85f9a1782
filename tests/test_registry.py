"""Registry entries: every derivative equals the derivative of its form (STYLE §7).

An activation is one entry pointing at one function class: the tests below check
that the class prints itself as the pages always printed it, that its numeric
forms agree, that claims can name it, and that a toy activation needs nothing more.

Each entry is checked twice: against ``sympy.diff`` of its own ``form`` (where
SymPy can differentiate it) and against an independent reference written here
from SPEC.md's definitions (mpmath, central differences at fixed points away
from any kink). Piecewise entries are compared numerically; the values at the
kinks are documented choices (PyTorch's) and are pinned.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import mpmath
import pytest
import sympy as sp

from derive.calculus.printer import Printer
from derive.numbers import compile_float, evaluate
from derive.registry import (ACTIVATIONS, INIT_SCHEMES, LOSSES, SHORTCUTS, Activation,
                             ActivationFunction, InitScheme, Registry)
from derive.registry import functions
from derive.verify.formula import parse_formula, vocabulary

z = sp.Symbol("z", real=True)
yhat, y = sp.symbols("yhat y", real=True)
mpf = mpmath.mpf

# g(z) from SPEC.md, in plain mpmath, with the entry's options as keywords.
ACTIVATION_REFERENCE: dict[str, Callable[..., mpmath.mpf]] = {
    "linear": lambda v: v,
    "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)),
    "tanh": lambda v: mpmath.tanh(v),
    "relu": lambda v: max(mpf(0), v),
    "leaky_relu": lambda v, slope: v if v > 0 else slope * v,
    "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
    "elu": lambda v, alpha: v if v > 0 else alpha * (mpmath.exp(v) - 1),
}
# Closed forms SymPy can differentiate itself (no custom function classes).
CLOSED_FORMS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "linear": lambda v: v,
    "sigmoid": lambda v: 1 / (1 + sp.exp(-v)),
    "tanh": lambda v: sp.tanh(v),
    "softplus": lambda v: sp.log(1 + sp.exp(v)),
}
VECTOR = {"softmax"}
# The derivative at the kink z = 0, as PyTorch takes it (the pages say so).
AT_ZERO = {"relu": lambda: 0, "leaky_relu": lambda slope: slope, "elu": lambda alpha: alpha}
CUSTOM_OPTIONS = {"leaky_relu": {"slope": 0.2}, "elu": {"alpha": 0.5}, "huber": {"delta": 0.5}}

# ℓ(ŷ, y) per output unit, from SPEC.md.
LOSS_REFERENCE: dict[str, Callable[..., mpmath.mpf]] = {
    "squared_error": lambda p, t: (t - p) ** 2,
    "half_squared_error": lambda p, t: (p - t) ** 2 / 2,
    "binary_cross_entropy": lambda p, t: -(t * mpmath.log(p) + (1 - t) * mpmath.log(1 - p)),
    "cross_entropy": lambda p, t: -t * mpmath.log(p),
    "absolute_error": lambda p, t: abs(t - p),
    "huber": lambda p, t, delta: ((p - t) ** 2 / 2 if abs(p - t) <= delta
                                  else delta * (abs(p - t) - delta / 2)),
}
PROBABILITY_LOSSES = {"binary_cross_entropy", "cross_entropy"}
SMOOTH_LOSSES = {"squared_error", "half_squared_error", "binary_cross_entropy", "cross_entropy"}

POINTS = (-2.0, -0.5, 0.3, 1.7)


@pytest.fixture(autouse=True)
def fifty_digits() -> object:
    """The references run in 50-digit mpmath, as the evaluator does (derive sets no global)."""
    with mpmath.workdps(50):
        yield


def default_options(entry: object) -> dict[str, float]:
    return {o.name: o.default for o in entry.options}  # type: ignore[attr-defined]


def option_sets(name: str, entry: object) -> list[dict[str, float]]:
    sets = [default_options(entry)]
    if name in CUSTOM_OPTIONS:
        sets.append(CUSTOM_OPTIONS[name])
    return sets


def value(expr: object, env: dict[sp.Symbol, float]) -> mpmath.mpf:
    return evaluate(expr, {s: mpf(repr(v)) for s, v in env.items()})


def close(a: mpmath.mpf, b: mpmath.mpf, tol: float = 1e-12) -> bool:
    return abs(a - b) <= tol * max(1, abs(b))


SCALAR_ACTIVATIONS = [a.name for a in ACTIVATIONS if not a.vector]


# --------------------------------------------------------------------------- coverage


def test_every_entry_has_a_reference_here() -> None:
    """A new activation or loss needs its registry test (STYLE §8): add its reference above."""
    assert set(ACTIVATIONS.names()) == set(ACTIVATION_REFERENCE) | VECTOR
    assert set(LOSSES.names()) == set(LOSS_REFERENCE)


def test_spec_md_names_are_all_present() -> None:
    assert {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "elu",
            "softmax"} <= set(ACTIVATIONS.names())
    assert {"squared_error", "half_squared_error", "binary_cross_entropy", "cross_entropy",
            "absolute_error", "huber"} <= set(LOSSES.names())
    assert default_options(ACTIVATIONS["leaky_relu"]) == {"slope": 0.01}
    assert default_options(ACTIVATIONS["elu"]) == {"alpha": 1.0}
    assert default_options(LOSSES["huber"]) == {"delta": 1.0}


# --------------------------------------------------------------------------- activations


@pytest.mark.parametrize("name", SCALAR_ACTIVATIONS)
def test_activation_derivative_is_sympy_diff_of_form(name: str) -> None:
    entry = ACTIVATIONS[name]
    for options in option_sets(name, entry):
        difference = sp.diff(entry.form(z, **options), z) - entry.derivative(z, **options)
        assert sp.simplify(difference) == 0, (name, options)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_smooth_activation_derivative_symbolically(name: str) -> None:
    """The textbook derivative (σ(1 − σ), 1 − tanh², …) is d/dz of the closed form."""
    entry = ACTIVATIONS[name]
    derivative = sp.sympify(entry.derivative(z)).rewrite(sp.exp)
    expected = sp.diff(CLOSED_FORMS[name](z), z).rewrite(sp.exp)
    assert sp.simplify(derivative - expected) == 0


@pytest.mark.parametrize("name", SCALAR_ACTIVATIONS)
def test_activation_form_and_derivative_numerically(name: str) -> None:
    entry = ACTIVATIONS[name]
    reference = ACTIVATION_REFERENCE[name]
    for options in option_sets(name, entry):
        opts = {k: mpf(repr(v)) for k, v in options.items()}
        for point in POINTS:
            here = mpf(repr(point))
            assert close(value(entry.form(z, **options), {z: point}), reference(here, **opts))
            expected = mpmath.diff(lambda v: reference(v, **opts), here)
            got = value(entry.derivative(z, **options), {z: point})
            assert close(got, expected, 1e-20), (name, options, point, got, expected)


@pytest.mark.parametrize("name", sorted(AT_ZERO))
def test_derivative_at_the_kink_is_pytorchs_choice(name: str) -> None:
    entry = ACTIVATIONS[name]
    for options in option_sets(name, entry):
        expected = AT_ZERO[name](**options)
        assert value(entry.derivative(z, **options), {z: 0.0}) == mpf(repr(float(expected)))
        assert value(entry.form(z, **options), {z: 0.0}) == 0


def test_relu_prime_at_zero_is_zero_everywhere_it_is_defined() -> None:
    from derive.registry.functions import relu_prime

    assert value(ACTIVATIONS["relu"].derivative(z), {z: 0.0}) == 0
    assert relu_prime.numeric(mpf(0)) == 0
    assert value(relu_prime.definition(z), {z: 0.0}) == 0
    assert value(relu_prime.definition(z), {z: 1e-300}) == 1
    assert ACTIVATIONS["relu"].note   # the page says so


def test_softmax_jacobian_is_sympy_diff_of_form() -> None:
    entry = ACTIVATIONS["softmax"]
    assert entry.vector and entry.jacobian is not None
    zs = sp.symbols("z0:3", real=True)
    a = tuple(entry.form(zs, k) for k in range(3))
    for i in range(3):
        for j in range(3):
            assert sp.simplify(sp.diff(a[i], zs[j]) - entry.jacobian(a, i, j)) == 0, (i, j)


def test_softmax_values_sum_to_one_and_match_reference() -> None:
    entry = ACTIVATIONS["softmax"]
    zs = sp.symbols("z0:3", real=True)
    env = dict(zip(zs, (0.5, -1.0, 2.0)))
    values = [value(entry.form(zs, k), env) for k in range(3)]
    total = sum(mpmath.exp(mpf(repr(v))) for v in env.values())
    for k, v in enumerate(values):
        assert close(v, mpmath.exp(mpf(repr(env[zs[k]]))) / total)
    assert close(mpmath.fsum(values), mpf(1))


# What the pages have always printed for g(z), g(z)^2, g'(z) and g'(z)^3 (options never shown).
PRINTED = {
    "sigmoid": (r"\sigma\left(z\right)", r"\sigma^{2}\left(z\right)",
                r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)",
                r"\left(1 - \sigma\left(z\right)\right)^{3} \sigma^{3}\left(z\right)"),
    "tanh": (r"\tanh{\left(z \right)}", r"\tanh^{2}{\left(z \right)}",
             r"1 - \tanh^{2}{\left(z \right)}",
             r"\left(1 - \tanh^{2}{\left(z \right)}\right)^{3}"),
    "softplus": (r"\operatorname{softplus}\left(z\right)",
                 r"\operatorname{softplus}^{2}\left(z\right)",
                 r"\sigma\left(z\right)", r"\sigma^{3}\left(z\right)"),
    **{name: (rf"\operatorname{{{op}}}\left(z\right)",
              rf"\operatorname{{{op}}}^{{2}}\left(z\right)",
              rf"\operatorname{{{op}}}'\left(z\right)",
              rf"\operatorname{{{op}}}'^{{3}}\left(z\right)")
       for name, op in (("relu", "ReLU"), ("leaky_relu", "LeakyReLU"), ("elu", "ELU"))},
}
DEFINITIONS = {   # the cases a page prints for a piecewise g'
    "relu": r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}",
    "leaky_relu": r"\begin{cases} 1 & z > 0 \\ 0.2 & \text{otherwise} \end{cases}",
    "elu": r"\begin{cases} 1 & z > 0 \\ 0.5 e^{z} & \text{otherwise} \end{cases}",
}


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_activation_prints_as_the_pages_always_did(name: str) -> None:
    """The function classes print themselves (``_derive_latex``), byte for byte as before."""
    entry = ACTIVATIONS[name]
    for options in option_sets(name, entry):
        g, g_prime = entry.form(z, **options), entry.derivative(z, **options)
        printed = tuple(Printer().doprint(e) for e in (g, g ** 2, g_prime, g_prime ** 3))
        assert printed == PRINTED[name], (name, options)
        assert entry.latex in printed[0]


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_piecewise_derivative_prints_its_cases(name: str) -> None:
    entry = ACTIVATIONS[name]
    g_prime = entry.derivative(z, **CUSTOM_OPTIONS.get(name, {}))
    assert Printer().doprint(type(g_prime).definition(*g_prime.args)) == DEFINITIONS[name]


FUNCTION_CLASSES = [getattr(functions, name) for name in functions.__all__
                    if name != "ActivationFunction"]


@pytest.mark.parametrize("function", FUNCTION_CLASSES, ids=lambda f: f.__name__)
def test_function_class_is_one_home(function: type[ActivationFunction]) -> None:
    """Each class carries its LaTeX, its derivative and both numeric forms, which agree."""
    extra = (mpf("0.3"),) * (max(function.nargs) - 1)   # an option: slope, α
    assert function.latex_name.startswith("\\")
    assert isinstance(function(z, *extra).fdiff(), sp.Expr)
    for point in (-30.0, -2.0, -0.5, 0.0, 0.3, 1.7, 30.0):
        exact = function.numeric(mpf(repr(point)), *extra)
        fast = function.float_value(point, *(float(e) for e in extra))
        assert math.isclose(float(exact), fast, rel_tol=1e-14, abs_tol=1e-300), (point, exact, fast)
    assert math.isfinite(function.float_value(-800.0, *(float(e) for e in extra)))


def test_entries_point_at_their_function_class() -> None:
    for entry in ACTIVATIONS:
        if entry.function is None:
            continue
        options = default_options(entry)
        assert entry.name == entry.function.__name__ and entry.latex == entry.function.latex_name
        assert isinstance(entry.form(z, **options), entry.function)
        assert entry.derivative(z, **options) == entry.form(z, **options).fdiff()


@pytest.mark.parametrize("name", [a.name for a in ACTIVATIONS if a.latex and not a.vector])
def test_claims_name_every_activation_by_its_latex_and_its_name(name: str) -> None:
    """The claim grammar's vocabulary is the registry: no list of names to keep in step."""
    entry = ACTIVATIONS[name]
    words = vocabulary({z: "z"}, {})
    options = default_options(entry)
    for spelled in (entry.latex, name):
        assert parse_formula(f"{spelled}(z)", words) == entry.form(z, **options)
        assert parse_formula(f"{spelled}'(z)", words) == entry.derivative(z, **options)
        assert parse_formula(f"{spelled}'(2)", words) == entry.derivative(sp.Integer(2), **options)


def test_glued_names_are_the_printed_words() -> None:
    """``ReLUz`` is ReLU(z), as ``sigmoidz`` and ``tanhz``; the entry name relu is read whole."""
    words = vocabulary({z: "z"}, {})
    assert parse_formula("ReLUz", words) == ACTIVATIONS["relu"].form(z)
    assert parse_formula("sigmoidz", words) == ACTIVATIONS["sigmoid"].form(z)
    assert parse_formula("tanhz", words) == sp.tanh(z)
    assert parse_formula("relu z", words) == ACTIVATIONS["relu"].form(z)


# --------------------------------------------------------------------------- a new activation


class swish(ActivationFunction):  # noqa: N801 - a toy: swish(z) = z σ(z), all in one class
    nargs = 1
    latex_name = r"\operatorname{swish}"
    numeric = staticmethod(lambda v: v / (1 + mpmath.exp(-v)))
    float_value = staticmethod(lambda v: v / (1 + math.exp(-v)))

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        v = self.args[0]
        return functions.sigmoid(v) + v * functions.sigmoid(v) * (1 - functions.sigmoid(v))


def test_a_new_activation_is_one_class_and_one_entry() -> None:
    """An entry built from its class differentiates, prints, evaluates and can be claimed."""
    entry = Activation.of(swish, formula="g(z) = z sigmoid(z)", torch=lambda t, v: v * t.sigmoid(v))
    registry = Registry("activation", (entry,))
    g, g_prime = entry.form(z), entry.derivative(z)
    assert entry.name == "swish" and entry.latex == r"\operatorname{swish}"
    assert sp.simplify((sp.diff(g, z) - g_prime).rewrite(sp.exp)) == 0
    assert Printer().doprint(g) == r"\operatorname{swish}\left(z\right)"
    assert Printer().doprint(g ** 2) == r"\operatorname{swish}^{2}\left(z\right)"
    expected = mpmath.diff(lambda v: v / (1 + mpmath.exp(-v)), mpf("0.7"))
    assert close(value(g_prime, {z: 0.7}), expected, 1e-20)
    assert math.isclose(compile_float(g)({z: 0.7}), 0.7 / (1 + math.exp(-0.7)), rel_tol=1e-15)
    words = vocabulary({z: "z"}, {}, registry)
    assert parse_formula(r"\operatorname{swish}'(z)", words) == g_prime
    assert parse_formula("swishz", words) == g


# --------------------------------------------------------------------------- losses


def loss_points(name: str) -> list[tuple[float, float]]:
    if name in PROBABILITY_LOSSES:
        return [(0.2, 0.1), (0.7, 0.9), (0.45, 0.0), (0.6, 1.0)]
    return [(-1.3, 0.5), (0.4, 0.5), (2.1, 0.5), (0.3, -0.2), (-0.4, 0.6)]


@pytest.mark.parametrize("name", sorted(SMOOTH_LOSSES & set(LOSSES.names())))
def test_loss_derivative_is_sympy_diff_of_form(name: str) -> None:
    entry = LOSSES[name]
    difference = sp.diff(entry.form(yhat, y), yhat) - entry.derivative(yhat, y)
    assert sp.simplify(difference) == 0


@pytest.mark.parametrize("name", LOSSES.names())
def test_loss_form_and_derivative_numerically(name: str) -> None:
    entry = LOSSES[name]
    reference = LOSS_REFERENCE[name]
    for options in option_sets(name, entry):
        opts = {k: mpf(repr(v)) for k, v in options.items()}
        for p, t in loss_points(name):
            here, target = mpf(repr(p)), mpf(repr(t))
            env = {yhat: p, y: t}
            assert close(value(entry.form(yhat, y, **options), env),
                         reference(here, target, **opts)), (name, p, t)
            expected = mpmath.diff(lambda v: reference(v, target, **opts), here)
            got = value(entry.derivative(yhat, y, **options), env)
            assert close(got, expected, 1e-20), (name, options, p, t, got, expected)


def test_absolute_error_and_huber_at_zero_residual() -> None:
    assert value(LOSSES["absolute_error"].derivative(yhat, y), {yhat: 0.5, y: 0.5}) == 0
    assert value(LOSSES["huber"].derivative(yhat, y, delta=1.0), {yhat: 0.5, y: 0.5}) == 0
    # at |ŷ − y| = δ both branches agree: huber is C¹
    at_edge = {yhat: 1.5, y: 0.5}
    assert value(LOSSES["huber"].derivative(yhat, y, delta=1.0), at_edge) == 1


def test_cross_entropy_targets_sum_to_one() -> None:
    targets = LOSSES["cross_entropy"].sample_targets(random.Random(3), 4)
    assert len(targets) == 4 and all(0 <= t <= 1 for t in targets)
    assert abs(sum(targets) - 1) < 1e-12


@pytest.mark.parametrize("pair", sorted(SHORTCUTS))
def test_delta_shortcuts_equal_the_chain_rule(pair: tuple[str, str]) -> None:
    """softmax + cross-entropy and sigmoid + BCE: δ = ŷ − y (softmax: targets sum to 1)."""
    loss, activation = LOSSES[pair[0]], ACTIVATIONS[pair[1]]
    shortcut = SHORTCUTS[pair]
    if activation.vector:
        zs = sp.symbols("z0:3", real=True)
        ys = sp.symbols("y0:3", real=True)
        a = tuple(activation.form(zs, k) for k in range(3))
        last = {ys[2]: 1 - ys[0] - ys[1]}
        for j in range(3):
            chain = sum(loss.derivative(a[i], ys[i]) * sp.diff(a[i], zs[j]) for i in range(3))
            assert sp.simplify((chain - shortcut.delta(a[j], ys[j])).xreplace(last)) == 0
    else:
        a = activation.form(z)
        chain = loss.derivative(a, y) * activation.derivative(z)
        assert sp.simplify((chain - shortcut.delta(a, y)).rewrite(sp.exp)) == 0


# --------------------------------------------------------------------------- registry


def test_registry_rejects_duplicate_names() -> None:
    entry = ACTIVATIONS["linear"]
    with pytest.raises(ValueError, match="^duplicate activation 'linear'$"):
        Registry("activation", (entry, ACTIVATIONS["tanh"], entry))


def test_registry_lookup_order_and_names() -> None:
    one = Activation(name="b_one", latex="", formula="", form=lambda v: v,
                     derivative=lambda v: sp.S.One)
    two = Activation(name="a_two", latex="", formula="", form=lambda v: v,
                     derivative=lambda v: sp.S.One)
    registry = Registry("activation", (one, two))
    assert list(registry) == [one, two]        # spec order
    assert registry.names() == ("a_two", "b_one")   # sorted for messages
    assert registry["a_two"] is two
    assert "b_one" in registry and "c" not in registry and 3 not in registry
    with pytest.raises(KeyError):
        registry["c"]


@pytest.mark.parametrize("scheme", [s.name for s in INIT_SCHEMES])
def test_init_scheme_is_deterministic_for_a_seed(scheme: str) -> None:
    entry: InitScheme = INIT_SCHEMES[scheme]

    def draws(seed: int) -> list[float]:
        rng = random.Random(seed)
        return [entry.draw(rng, 3, 2) for _ in range(20)]

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)
    assert len(set(draws(5))) == 20


def test_init_scheme_ranges() -> None:
    rng = random.Random(0)
    uniform = [INIT_SCHEMES["uniform"].draw(rng, 100, 100) for _ in range(500)]
    assert all(-1 <= v <= 1 for v in uniform) and max(uniform) > 0.9 and min(uniform) < -0.9
    limit = (6 / (3 + 5)) ** 0.5
    xavier = [INIT_SCHEMES["xavier_uniform"].draw(rng, 3, 5) for _ in range(500)]
    assert all(-limit <= v <= limit for v in xavier)
    assert max(xavier) > 0.9 * limit and min(xavier) < -0.9 * limit


@pytest.mark.parametrize(("written", "kind", "meant"), [
    ("ReLU", "activation", "relu"), ("Leaky-ReLU", "activation", "leaky_relu"),
    ("identity", "activation", "linear"), ("mse", "loss", "squared_error"),
    ("MAE", "loss", "absolute_error"), ("bce", "loss", "binary_cross_entropy"),
    ("CrossEntropy", "loss", "cross_entropy"), ("smooth_l1", "loss", "huber"),
])
def test_a_name_in_another_case_or_tool_is_refused_with_the_right_guess(
        written: str, kind: str, meant: str) -> None:
    """Never accepted (a spec names one thing one way), but the error line says which."""
    from derive.errors import SpecErrors
    from derive.spec import load

    layer = f"{{units: 1, activation: {written if kind == 'activation' else 'sigmoid'}}}"
    loss = written if kind == "loss" else "squared_error"
    with pytest.raises(SpecErrors) as caught:
        load(f"inputs: 1\nlayers:\n  - {layer}\nloss: {loss}\n", "s.yaml")
    assert f"got '{written}'; did you mean '{meant}'?" in str(caught.value)


def test_aliases_name_no_entry_and_point_at_one() -> None:
    for registry in (ACTIVATIONS, LOSSES):
        aliases = registry.aliases()
        assert not set(aliases) & set(registry.names())
        assert all(a == a.casefold() for a in aliases)
        assert sum(len(getattr(e, "aliases", ())) for e in registry) == len(aliases)
