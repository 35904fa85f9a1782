r"""Hand-written results (``claims:`` in a spec) -> ``ClaimResult``: proved, or what differs.

Each claim is parsed in the page's notation (derive.formula), then compared with
the derived ∂L/∂θ: symbolically (expansion, with δ written out for small
networks) and at seeded random points where every z, a and δ is consistent with
the forward pass. A claim that differs gets a diagnosis: "sign differs",
"off by a factor of 2", "missing factor σ'(z)".
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..calculus import (
    ChainProduct,
    Derivation,
    Gradient,
    Network,
    Printer,
    as_expr,
    delta_symbol,
    expanded_deltas,
    prove_equal,
    symbol_names,
)
from ..errors import NumericError
from ..numbers import MPMATH, Engine, Engines, forward, parameter_env, precise, with_deltas
from ..registry import ACTIVATIONS, Registry
from ..spec import Claim
from .formula import FormulaError, expansion_size, parse_formula, vocabulary

__all__ = ["ClaimResult", "identifiers", "random_envs", "verify_claims"]

POINTS = 4
MAX_EXPANSION = 2_000     # terms of the expanded difference a symbolic proof may handle
TOLERANCE = MPMATH.decimal(1e-9)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimResult:
    """One claim's verdict; ``passed`` is whether the verdict matches ``expected``."""

    parameter: str
    formula: str
    line: int
    parameter_latex: str
    status: str           # proved | equal at points | differs | unreadable
    message: str
    claim_latex: str
    derived_latex: str
    passed: bool
    note: str = ""
    values: tuple[float, float] | None = None   # (claimed, derived) at the first random point


def identifiers(network: Network) -> dict[str, sp.Symbol]:
    """SymPy-syntax names: w_2_1_1, b_2_1, z_1_2, a_1_2, yhat, y, delta_2_1, inputs by name."""
    out: dict[str, sp.Symbol] = {}
    single = len(network.y) == 1
    for symbol, name in zip(network.x, network.spec.inputs):
        out[name] = symbol
    for j, symbol in enumerate(network.y):
        out["y" if single else f"y_{j + 1}"] = symbol
        out["yhat" if single else f"yhat_{j + 1}"] = network.output.a[j]
    for layer in network.layers:
        l = layer.number
        for j in range(layer.units):
            out[f"z_{l}_{j + 1}"], out[f"a_{l}_{j + 1}"] = layer.z[j], layer.a[j]
            out[f"delta_{l}_{j + 1}"] = delta_symbol(l, j)
            for k in range(layer.fan_in):
                out[f"w_{l}_{j + 1}_{k + 1}"] = layer.W[j][k]
        for j, b in enumerate(layer.b):
            out[f"b_{l}_{j + 1}"] = b
    return out


def _parameter(text: str, derivation: Derivation, vocab) -> Gradient:  # type: ignore[no-untyped-def]
    if r"\partial" in text:
        text = text[text.rindex(r"\partial") + len(r"\partial"):].rstrip("} ")
    symbol = parse_formula(text, vocab)
    for g in derivation.gradients:
        if g.parameter == symbol:
            return g
    raise FormulaError(f"{text!r} is not a parameter of this network")


@precise
def random_envs(derivation: Derivation, seed: int, count: int = POINTS, *,
                engine: Engine | None = None) -> list[dict]:
    """Seeded random points where every z, a and δ agrees with the forward pass (50 digits)."""
    network, rng = derivation.network, random.Random(seed)
    engine = engine or Engine()
    envs = []
    for _ in range(count):
        params = tuple(mpmath.mpf(rng.uniform(-1, 1)) for _ in network.parameters)
        x = tuple(rng.uniform(-2, 2) for _ in network.x)
        y = network.loss.sample_targets(rng, len(network.y))
        env = forward(network, parameter_env(network, params), x, y, engine=engine).env
        envs.append(with_deltas(derivation, env, engine=engine))
    return envs


def _close(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    return abs(a - b) <= TOLERANCE * max(1, abs(b))


def _diagnose(claim: sp.Expr, g: Gradient, envs: list[dict], p: Printer, engine: Engine) -> str:
    """What turns the claim into the derived result, tried at the random points."""
    evaluate = engine.evaluate
    got = [evaluate(claim, e) for e in envs]
    want = [evaluate(g.value, e) for e in envs]
    ratios = [c / d for c, d in zip(got, want) if abs(d) > 1e-12]
    if ratios and all(_close(r, -1) for r in ratios):
        return "sign differs"
    if ratios and all(_close(r, ratios[0]) for r in ratios) and abs(ratios[0]) > 1e-12:
        return f"off by a factor of {mpmath.nstr(ratios[0], 6)}"
    factors = [f for f in (g.value.factors if isinstance(g.value, ChainProduct) else ())]
    for path in g.paths:
        factors += [f.value for f in path]
    factors += [arg for f in factors if isinstance(f, sp.Mul) for arg in f.args
                if not arg.is_number]
    for factor in dict.fromkeys(factors):
        values = [evaluate(factor, e) for e in envs]
        if all(_close(c * f, d) for c, f, d in zip(got, values, want)):
            return rf"missing factor ${p.doprint(factor)}$"
        if all(_close(c, d * f) for c, f, d in zip(got, values, want)):
            return rf"extra factor ${p.doprint(factor)}$"
    return "no single sign, factor or missing factor explains the difference"


def _verify(claim: Claim, derivation: Derivation, vocab, envs: list[dict], full: dict,
            p: Printer, engine: Engine) -> ClaimResult:  # type: ignore[no-untyped-def]
    evaluate = engine.evaluate
    g = _parameter(claim.parameter, derivation, vocab)
    value = parse_formula(claim.formula, vocab)
    derived = as_expr(g.value)
    numeric = all(_close(evaluate(value, e), evaluate(derived, e)) for e in envs)
    left, right = value.xreplace(full), derived.xreplace(full)
    # a proof expands both sides: a claim that would expand enormously is compared at points only
    symbolic = (numeric and expansion_size(left - right) <= MAX_EXPANSION
                and prove_equal(derivation.network, left, right))
    status = "proved" if symbolic else ("equal at points" if numeric else "differs")
    message = "" if numeric else _diagnose(value, g, envs, p, engine)
    values = (float(evaluate(value, envs[0])), float(evaluate(derived, envs[0])))
    return ClaimResult(parameter=claim.parameter, formula=claim.formula, line=claim.line,
                       parameter_latex=p.doprint(g.parameter), status=status, message=message,
                       claim_latex=p.doprint(value), derived_latex=p.doprint(g.value),
                       note=claim.note, values=values, passed=numeric == (claim.expect == "equal"))


def _activations(network: Network) -> Registry:
    """The built-in activations and the spec's own (given by formula), which claims may name."""
    own = {layer.activation.name: layer.activation for layer in network.layers
           if layer.activation.custom is not None}
    return Registry("activation", (*ACTIVATIONS, *own.values())) if own else ACTIVATIONS


@precise
def verify_claims(derivation: Derivation, *, seed: int = 0,
                  engines: Engines | None = None) -> tuple[ClaimResult, ...]:
    """Every claim of the spec, checked; an unreadable claim is a failed result, not an error.

    In 50 digits, with the run's ``engines`` when given.
    """
    network = derivation.network
    if not network.spec.claims:
        return ()
    names = symbol_names(network)
    vocab = vocabulary(names, identifiers(network), _activations(network))
    p = Printer({"symbol_names": names})
    engine = (engines or Engines())[MPMATH]
    envs = random_envs(derivation, seed, engine=engine)
    full = expanded_deltas(network, derivation.deltas)
    results = []
    for claim in network.spec.claims:
        try:
            results.append(_verify(claim, derivation, vocab, envs, full, p, engine))
        except (FormulaError, TypeError, ArithmeticError, NumericError, RecursionError,
                KeyError) as exc:
            message = exc.got_text if isinstance(exc, NumericError) else str(exc)
            if isinstance(exc, RecursionError):
                message = "the formula is nested too deeply"
            if isinstance(exc, KeyError):      # a symbol with no value at the points, e.g. L
                message = f"{p.doprint(exc.args[0])} has no value at the test points"
            results.append(ClaimResult(parameter=claim.parameter, formula=claim.formula,
                                       line=claim.line, parameter_latex="",
                                       status="unreadable", message=message,
                                       claim_latex="", derived_latex="", passed=False,
                                       note=claim.note))
    return tuple(results)


