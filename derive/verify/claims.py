r"""Hand-written results (``claims:`` in a spec) -> ``ClaimResult``: proved, or what differs.

Each claim is parsed in the page's notation (derive.formula), then compared with
the derived ∂L/∂θ: symbolically (expansion, with δ written out for small
networks) and at seeded random points where every z, a and δ is consistent with
the forward pass. A claim that differs gets a diagnosis: "sign differs",
"off by a factor of 2", "missing factor σ'(z)".
"""

from __future__ import annotations

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
    symbol_names,
)
from ..errors import NumericError
from ..numbers import MPMATH, Engine, Engines, precise
from ..registry import ACTIVATIONS, Registry
from ..spec import Claim
from .claim_points import POINTS, domain_envs
from .claim_proof import Budget, Decision, decide
from .formula import FormulaError, parse_formula, vocabulary

__all__ = ["ClaimResult", "identifiers", "random_envs", "verify_claims"]

TOLERANCE = MPMATH.decimal(1e-9)   # how close a ratio or factor must be, for a diagnosis
AGREE = mpmath.mpf(10) ** -35      # |claimed − derived| allowed, relative to the terms' size:
                                   # 50 digits' rounding, with 15 digits to spare


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
    """SymPy-syntax names: w_2_1_1, b_2_1, z_1_2, a_1_2, yhat, y (or yhat_1, y_1), delta_2_1,
    inputs by name."""
    out: dict[str, sp.Symbol] = {}
    single = len(network.y) == 1
    for symbol, name in zip(network.x, network.spec.inputs):
        out[name] = symbol
    for j, symbol in enumerate(network.y):
        out["y" if single else f"y_{j + 1}"] = symbol
        out["yhat" if single else f"yhat_{j + 1}"] = network.output.a[j]
    if single:        # the JSON graph's names, y_1 and yhat_1, are also read (unless an input's)
        out.setdefault("y_1", network.y[0])
        out.setdefault("yhat_1", network.output.a[0])
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
    return domain_envs(derivation, seed, engine=engine or Engine(), near=count)[0]


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


def _exact(expr: sp.Expr) -> sp.Expr:
    """Decimals as the exact fractions the author wrote (0.1 is 1/10, not a binary float)."""
    return expr.xreplace({f: sp.Rational(str(f)) for f in expr.atoms(sp.Float)})


def _size(expr: sp.Expr, env: dict, engine: Engine) -> mpmath.mpf:
    """How large the numbers in ``expr`` get at ``env``: sums of |terms|, so that a claim
    whose terms cancel (s⁹ − s⁸·s at s = 10⁴) is allowed their rounding, not its result's."""
    if isinstance(expr, sp.Add):
        return mpmath.fsum(_size(arg, env, engine) for arg in expr.args)
    if isinstance(expr, sp.Mul):
        return mpmath.fprod(_size(arg, env, engine) for arg in expr.args)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp > 0:
        return _size(expr.base, env, engine) ** int(expr.exp)
    return abs(engine.evaluate(expr, env))


def _agree(claimed: sp.Expr, derived: sp.Expr, env: dict, engine: Engine) -> bool:
    """Equal to far within 50 digits' own error (a constant 1e-12 off is not equal)."""
    difference = abs(engine.evaluate(claimed, env) - engine.evaluate(derived, env))
    if difference == 0:
        return True
    return difference <= AGREE * max(1, _size(claimed, env, engine), _size(derived, env, engine))


def _verify(claim: Claim, derivation: Derivation, vocab,  # type: ignore[no-untyped-def]
            envs: tuple[list, list], full: dict, p: Printer, engine: Engine,
            budget: Budget) -> ClaimResult:
    evaluate = engine.evaluate
    g = _parameter(claim.parameter, derivation, vocab)
    value = parse_formula(claim.formula, vocab)
    exact, derived = _exact(value), as_expr(g.value)
    near, far = envs
    points = near + far
    numeric = all(_agree(exact, derived, e, engine) for e in points)
    close = numeric or all(_close(evaluate(exact, e), evaluate(derived, e)) for e in near)
    decision = (decide(derivation.network, exact.xreplace(full), derived.xreplace(full), budget)
                if close else Decision("not tried"))
    equal = numeric and decision.verdict != "differs"
    status = "proved" if decision.verdict == "proved" and numeric else (
        "equal at points" if equal else "differs")
    if equal:
        message = "" if status == "proved" else f"unproved, checked at {len(points)} points"
    elif not close:
        message = _diagnose(exact, g, near, p, engine)
    elif decision.difference is not None:
        difference = decision.difference
        message = (f"they differ by {float(difference):.3g}" if difference.is_Number
                   else rf"they differ by ${p.doprint(difference)}$")
    elif all(_agree(exact, derived, e, engine) for e in near):
        message = "they differ far from the origin (large inputs, targets or weights)"
    else:
        message = "they differ by less than 1e-9 of their size"
    values = (float(evaluate(exact, near[0])), float(evaluate(derived, near[0])))
    return ClaimResult(parameter=claim.parameter, formula=claim.formula, line=claim.line,
                       parameter_latex=p.doprint(g.parameter), status=status, message=message,
                       claim_latex=p.doprint(value), derived_latex=p.doprint(g.value),
                       note=claim.note, values=values, passed=equal == (claim.expect == "equal"))


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
    envs = domain_envs(derivation, seed, engine=engine)
    full = expanded_deltas(network, derivation.deltas)
    budget = Budget()
    results = []
    for claim in network.spec.claims:
        try:
            results.append(_verify(claim, derivation, vocab, envs, full, p, engine, budget))
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


