r"""Formula blanks ("write ∂L/∂w⁽²⁾₁₁"): asked from the derivation, graded by the claim checker.

A student's LaTeX becomes a claim of the network and is verified like an author's
``claims:`` (symbolically and at random points); a wrong formula gets the checker's
diagnosis ("sign differs", "missing factor σ′(z)") as its feedback, an unreadable one a
line saying what could not be read. Nothing a student writes raises.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..calculus import Derivation, Printer, build_network, derive, symbol_names
from ..errors import SpecError
from ..spec import Claim, Spec
from ..verify.claims import identifiers, verify_claims
from ..verify.formula import FormulaError, parse_formula, vocabulary

__all__ = ["FormulaBlank", "Verdict", "formula_blanks", "grade_formulas", "quantity_of",
           "spec_derivation"]


@dataclass(frozen=True, slots=True)
class FormulaBlank:
    """One formula to write: ``quantity`` (``L2.W[0][0].formula``), the gradient asked (LaTeX),
    and the derived formula (LaTeX, the model answer)."""

    quantity: str
    latex: str
    answer: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A graded answer: right or not, and the feedback a student reads."""

    correct: bool
    feedback: str


def spec_derivation(spec: Spec) -> Derivation:
    """The derivation the formulas are checked against (no worked example needed)."""
    return derive(build_network(spec))


def quantity_of(parameter: object) -> str:
    """``L2.W[0][1]``: layer, kind and 0-based index of a parameter symbol (as in the key)."""
    role = parameter.role  # type: ignore[attr-defined]
    return f"L{role.layer}.{role.kind}" + "".join(f"[{i}]" for i in role.index)


def formula_blanks(derivation: Derivation, asked: tuple[str, ...], file: str) -> list[FormulaBlank]:
    """The blanks for the parameters ``asked`` (in the page's notation or as ``w_2_1_1``)."""
    network = derivation.network
    names = symbol_names(network)
    vocab = vocabulary(names, identifiers(network))
    printer = Printer({"symbol_names": names})
    by_symbol = {g.parameter: g for g in derivation.gradients}
    out = []
    for text in asked:
        try:
            gradient = by_symbol.get(parse_formula(text, vocab))
        except (FormulaError, RecursionError):
            gradient = None
        if gradient is None:
            raise SpecError("exercise.ask.formula", "a parameter of this network, like "
                            "w^{(2)}_{11} or w_2_1_1", got_text=repr(text), file=file)
        symbol = printer.doprint(gradient.parameter)
        out.append(FormulaBlank(f"{quantity_of(gradient.parameter)}.formula",
                                rf"\frac{{\partial L}}{{\partial {symbol}}}",
                                printer.doprint(gradient.value)))
    return out


def _parameter_latex(derivation: Derivation, quantity: str) -> str | None:
    printer = Printer({"symbol_names": symbol_names(derivation.network)})
    for g in derivation.gradients:
        if f"{quantity_of(g.parameter)}.formula" == quantity:
            return printer.doprint(g.parameter)
    return None


def grade_formulas(derivation: Derivation, answers: list[tuple[str, str]]) -> list[Verdict]:
    """``(quantity, student LaTeX)`` pairs -> verdicts, all checked in one pass."""
    claims, verdicts = [], []
    for number, (quantity, text) in enumerate(answers):
        parameter = _parameter_latex(derivation, quantity)
        if not text.strip() or parameter is None:
            verdicts.append(Verdict(False, "no answer" if parameter else "not a formula blank"))
            continue
        verdicts.append(None)  # type: ignore[arg-type]
        claims.append(Claim(parameter, text, number + 1))
    if claims:
        network = derivation.network
        spec = dataclasses.replace(network.spec, claims=tuple(claims))
        asked = dataclasses.replace(derivation,
                                    network=dataclasses.replace(network, spec=spec))
        results = iter(verify_claims(asked))
        verdicts = [v if v is not None else _verdict(next(results)) for v in verdicts]
    return verdicts


def _verdict(result) -> Verdict:  # type: ignore[no-untyped-def]
    if result.status in ("proved", "equal at points"):
        return Verdict(True, "right")
    if result.status == "unreadable":
        return Verdict(False, f"could not read the formula: {result.message}")
    return Verdict(False, f"wrong: {result.message}")
