"""How the page was checked: the banner's three verdicts, the claims as "common mistakes",
and gradient checking explained with one of the page's own numbers."""

from __future__ import annotations

from types import MappingProxyType

from ..calculus import LOSS
from ..numbers import MPMATH
from ..verify.points import check_precision
from .audit import AuditReport, equations_sentence, kinks_phrase
from .context import Context
from .forward import count
from .model import Callout, Section, Text, math, plain, strong

_ORACLE_NAMES = MappingProxyType({"finite_difference": "central finite differences",
                                  "torch": "PyTorch's autograd in float64"})

__all__ = ["banner", "checking_section", "claims_section"]

_VERDICTS = MappingProxyType({"proved": "proved equal", "equal at points":
                              "equal at every test point", "differs": "differs",
                              "unreadable": "could not be read"})
_ORACLES = MappingProxyType({"finite_difference": "central finite differences",
                             "torch": "PyTorch autograd"})


def _gradient_verdict(c: Context) -> str:
    r = c.report
    oracles = " and ".join(_ORACLES.get(o.method, o.method) for o in r.oracles) or \
        "central finite differences"
    if r.disagreements:
        return (f"{count(len(r.disagreements), 'gradient value')} disagreed with {oracles}: "
                "do not trust this page")
    return (f"{count(r.compared, 'gradient value')} agree with {oracles} (largest relative "
            f"difference {r.max_rel_error:.2g})")


def _claims_verdict(c: Context) -> str:
    claims = c.report.claims
    if not claims:
        return ""
    expected = sum(cl.passed for cl in claims)
    return f"; {expected} of {count(len(claims), 'claim')} checked as expected"


def banner(c: Context, audit: AuditReport) -> Callout:
    """Three separate verdicts: equations, gradient values, claims."""
    r = c.report
    numbers = "" if not audit.example_lines else \
        f" ({audit.example_lines} of them with the example's numbers)"
    text = (f"{count(audit.equations, 'equation')} on this page evaluated at "
            f"{count(audit.points, 'random point')} and the example{numbers}"
            + kinks_phrase(audit) + "; "
            + _gradient_verdict(c) + _claims_verdict(c) + ".")
    ok = not r.disagreements and all(cl.passed for cl in r.claims)
    title = "Derived and checked by machine" if ok else \
        "Check failed" if r.disagreements else "A claim did not check as expected"
    return Callout("success" if ok else "danger", plain(title), (plain(text),))


def claims_section(c: Context) -> Section | None:
    claims = c.report.claims
    if not claims:
        return None
    # a heading that says what the section holds: formulas a student might write, some wrong
    mistakes = any(cl.status == "differs" for cl in claims)
    title = "Common mistakes, checked" if mistakes else "Hand-written formulas, checked"
    blocks = [plain("Formulas written by hand, each compared with the derivation:" if mistakes
                    else "Each compared with the derivation:")]
    for cl in claims:
        verdict = _VERDICTS.get(cl.status, cl.status)
        if cl.status == "unreadable":
            blocks.append(Text() + f"{cl.parameter}: could not be read ({cl.message}).")
            continue
        partial = rf"\frac{{\partial {c.loss}}}{{\partial {cl.parameter_latex}}}"
        sentence = (Text() + "Claimed " + math(rf"{partial} = {cl.claim_latex}") + ": " +
                    strong(verdict) + (", as expected" if cl.passed else ", NOT as expected"))
        if cl.status == "differs":
            pieces = cl.message.split("$")
            diagnosis = Text()
            for k, piece in enumerate(pieces):
                diagnosis += math(piece) if k % 2 else plain(piece)
            sentence += " (" + diagnosis + "); the derivation gives " + \
                math(cl.derived_latex) + "."
        else:
            sentence += "."
        if cl.note:
            sentence += " " + plain(cl.note.rstrip(".") + ".")
        blocks.append(sentence)
    return Section(plain(title), tuple(blocks))


def checking_section(c: Context, audit: AuditReport) -> Section:
    r = c.report
    loss = c.loss
    blocks: list = [
        Text() + "A gradient can be checked without any calculus: nudge one parameter by a "
        "small h both ways and divide the change of the loss by 2h, " +
        math(rf"\frac{{\partial {loss}}}{{\partial \theta}} \approx \frac{{{loss}(\theta + h) -"
             rf" {loss}(\theta - h)}}{{2h}}") +
        ". The error of this central difference shrinks like h², so it agrees with the exact "
        "derivative to many digits when the arithmetic is precise enough.",
    ]
    point = c.example_point()
    if point is not None:
        theta = c.network.parameters[0]
        g = float(point.partial(LOSS, theta))
        if g == g:
            blocks.append(Text() + "For " + math(c.tex(theta)) + " at the example (h = 10⁻⁵ "
                          "in double precision): " + math(rf"\frac{{\partial {loss}}}"
                          rf"{{\partial {c.tex(theta)}}} \approx {g:.6g}") + ".")
    digits = " computed in 50-digit arithmetic" if check_precision(c.network) is MPMATH else ""
    oracles = " and ".join(_ORACLE_NAMES.get(m, m) + (digits if m == "finite_difference" else "")
                           for m in r.methods) or "finite differences"
    how = (f"on both sides at {count(audit.points, 'random point')} and at the example, "
           "each ∂ by central differences through the graph")
    blocks.append(Text() + f"This page was checked {'three' if r.claims else 'two'} ways. "
                  + equations_sentence(audit, how) + f" Every gradient value ({r.compared} "
                  f"comparisons, points: {', '.join(r.points)}) was compared with {oracles}, "
                  f"largest relative difference {r.max_rel_error:.2g}"
                  + (f"; {count(r.skipped, 'comparison')} at a kink skipped" if r.skipped
                     else "") + "."
                  + (" Each claim was proved or disproved symbolically." if r.claims else ""))
    return Section(plain("How this was checked"), tuple(blocks))
