"""(Derivation, WorkedExample, CheckReport) -> ``dict[file name, text]``.

``page_context`` turns the results into plain, finished strings (every formula
printed by ``printer.Printer``), then one Jinja template per format lays them
out (``templating`` loads them, compiled ahead of time). Text from the spec
passes through exactly one escaper per format; math is built only from
validated names. JSON is a plain dict, not a template.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath

from .. import __version__
from ..verify import CheckReport
from ..calculus import Derivation, Gradient
from ..calculus import ChainProduct, Equation, Partial
from ..calculus import LOSS, Network
from ..calculus import symbol_names
from ..registry import MATRIX_FORMS, NOTATIONS, Notation, general_symbol, matrix_symbol
from ..calculus import Printer
from ..numerals import format_number
from .templating import template
from .texbreak import ROWS_PER_ALIGN, break_align
from ..numbers import WorkedExample

__all__ = ["render", "FORMATS", "page_context", "json_document", "render_chapter", "render_book",
           "render_site", "break_align"]

FORMATS = ("md", "tex", "json")
SHORT_ROW = 100   # characters: a row this short always fits the LaTeX line


# --------------------------------------------------------------------------- escaping

_MD_SPECIAL = set("\\`*_{}[]<>#|$&~^")
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_json(text: str) -> str:
    """JSON text with ``<``, ``>`` and ``&`` as ``\\u`` escapes: the same data, inert in HTML."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_META_SAFE = str.maketrans({"<": "‹", ">": "›", "&": "＆", "{": "｛", "}": "｝", '"': "”",
                            "\\": "∖", "|": "│", "^": "ˆ", "$": "＄", "%": "％", "`": "ˋ"})


def page_meta_title(text: str) -> str:
    """The page title for MkDocs' front matter: a JSON string (valid YAML) with no markup.

    Themes print ``page.title`` through filters that undo HTML escaping (Material's
    ``<title>{{ page.title | striptags }}``), so the characters that could open markup or a
    template are replaced by look-alikes; the page's heading keeps the exact title.
    """
    return json.dumps(text.translate(_META_SAFE), ensure_ascii=False)


def escape_markdown(text: str) -> str:
    """Every Markdown, HTML, math or template character as a numeric entity: shown literally."""
    return "".join(f"&#{ord(c)};" if c in _MD_SPECIAL else c for c in text)


# What pdflatex with utf8 + T1 + textcomp typesets as text (measured on TeX Live 2022); the
# rest of Unicode would stop pdflatex, so it becomes a math symbol or a visible code point.
_TEX_TEXT = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x125), (0x128, 0x137), (0x139, 0x13E),
             (0x141, 0x148), (0x14A, 0x165), (0x168, 0x17E), (0x2013, 0x2014), (0x2018, 0x2019),
             (0x201C, 0x201D), (0x2020, 0x2022), (0x2026, 0x2026), (0x20AC, 0x20AC),
             (0x2190, 0x2193))
_GREEK_SMALL = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
                "omicron pi rho varsigma sigma tau upsilon phi chi psi omega").split()
_GREEK_CAPITAL = ("A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X "
                  "Psi Omega")
_TEX_SYMBOLS = {
    **{chr(0x3B1 + i): "o" if name == "omicron" else rf"\ensuremath{{\{name}}}"
       for i, name in enumerate(_GREEK_SMALL)},
    **{chr(0x391 + i): name if len(name) == 1 else rf"\ensuremath{{\{name}}}"
       for i, name in enumerate(_GREEK_CAPITAL.split()) if name != "-"},
    "\u00a0": "~", "\u2212": r"\textminus{}", "\u2032": r"\ensuremath{'}",
    "\u2202": r"\ensuremath{\partial}", "\u2207": r"\ensuremath{\nabla}",
    "\u2211": r"\ensuremath{\sum}", "\u221a": r"\ensuremath{\surd}",
    "\u221e": r"\ensuremath{\infty}", "\u2208": r"\ensuremath{\in}",
    "\u2248": r"\ensuremath{\approx}", "\u2260": r"\ensuremath{\neq}",
    "\u2264": r"\ensuremath{\leq}", "\u2265": r"\ensuremath{\geq}",
    "\u2299": r"\ensuremath{\odot}", "\u22c5": r"\ensuremath{\cdot}",
}


def _tex_char(char: str) -> str:
    code = ord(char)
    if char in _TEX_SPECIAL:
        return _TEX_SPECIAL[char]
    if any(low <= code <= high for low, high in _TEX_TEXT):
        return char
    return _TEX_SYMBOLS.get(char, rf"\texttt{{[U+{code:04X}]}}")


def escape_latex(text: str) -> str:
    """Text shown literally by pdflatex: TeX specials as commands, any Unicode without an error."""
    return "".join(_tex_char(c) for c in unicodedata.normalize("NFC", text))


_BARS = re.compile(r"\\left\||\\right\||\\\||\|")
_BAR_MACROS = {r"\left|": r"\left\lvert ", r"\right|": r"\right\rvert ", r"\|": r"\Vert ",
               "|": r"\vert "}


def _without_bars(value: Any) -> Any:
    r"""Every ``|`` of the page's math as ``\vert``: a bare bar ends a Markdown table cell.

    Prose is already entity-escaped (``escape_markdown``), so any bar left belongs to math.
    """
    if isinstance(value, str):
        return _BARS.sub(lambda m: _BAR_MACROS[m.group()], value) if "|" in value else value
    if isinstance(value, dict):
        return {key: _without_bars(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_without_bars(item) for item in value)
    return value


# --------------------------------------------------------------------------- printing


@dataclass(frozen=True, slots=True)
class _Formats:
    """How the page's prose is escaped and how notes mix text and math."""

    text: Callable[[str], str]


def _note(segments: tuple[str, ...], fmt: _Formats) -> str:
    return "".join(fmt.text(s) if i % 2 == 0 else rf"\({s}\)" for i, s in enumerate(segments))


def _num(value: mpmath.mpf | float | None) -> str:
    return "" if value is None else format_number(float(value))


# --------------------------------------------------------------------------- sections


def _network_section(network: Network, p: Printer, fmt: _Formats) -> dict[str, Any]:
    fans = [len(network.x)] + [layer.units for layer in network.layers]
    layers = []
    for i, layer in enumerate(network.layers):
        count = layer.units * fans[i] + len(layer.b)
        layers.append({"number": layer.number, "units": layer.units,
                       "activation": fmt.text(layer.activation.name),
                       "role": "output" if layer is network.output else "hidden",
                       "parameters": count, "bias": bool(layer.b)})
    inputs = [{"symbol": p.doprint(x), "name": fmt.text(name)}
              for x, name in zip(network.x, network.spec.inputs)]
    return {"layers": layers, "inputs": inputs, "parameter_count": len(network.parameters),
            "loss_name": fmt.text(network.loss.name),
            "reduction": network.spec.reduction}


def _shown_units(layer_units: int, large: bool) -> tuple[range, bool]:
    """Every unit, or in a large network the first one and a row of dots."""
    return (range(1), layer_units > 1) if large else (range(layer_units), False)


def _forward_section(network: Network, p: Printer, large: bool) -> dict[str, Any]:
    rows = []
    for layer in network.layers:
        units, dots = _shown_units(layer.units, large)
        for j in units:
            rows.append(rf"{p.doprint(layer.z[j])} &= {p.doprint(layer.z_sum(j))}")
        rows += [r"&\;\vdots"] if dots else []
        for j in units:
            rows.append(rf"{p.doprint(layer.a[j])} &= {p.doprint(layer.a_expr[j])}")
        rows += [r"&\;\vdots"] if dots else []
    loss = network.loss_terms[0] if large and len(network.loss_terms) > 1 else network.loss_expr
    tail = r" + \cdots" if loss is not network.loss_expr else ""
    return {"rows": rows, "loss": rf"{p.doprint(LOSS)} = {p.doprint(loss)}{tail}"}


def _label(g: Gradient) -> str:
    one = ", ".join(str(i + 1) for i in g.role.index)
    kind = "Weight" if g.role.kind == "W" else "Bias"
    return f"{kind} ({one}) of layer {g.role.layer}" if g.role.kind == "W" else \
        f"{kind} {one} of layer {g.role.layer}"


def _numbers(g: Gradient, values: tuple | None, result: float | None) -> str:
    """The result with numbers in: ``2 \\cdot 1 \\cdot 6 = 12`` (unit factors left out)."""
    if values is None or result is None:
        return ""
    terms = []
    for path in values:
        kept = [format_number(float(v)) for v in path if v != 1] or ["1"]
        terms.append(" \\cdot ".join(f"\\left({t}\\right)" if t.startswith("-") else t
                                     for t in kept))
    return " + ".join(terms) + f" = {format_number(result)}"


def _gradient_entry(g: Gradient, p: Printer, numbers: str = "") -> dict[str, Any]:
    partial = Partial(LOSS, g.parameter)
    chains = [p.doprint(ChainProduct(tuple(f.partial for f in path + (g.last,))))
              for path in g.paths]
    factors: list[str] = []
    for path in g.paths:
        for f in (*path, g.last):
            line = p.factor_row(f)
            if line not in factors:
                factors.append(line)
    if not g.paths:
        delta = Partial(LOSS, g.last.partial.numerator)
        chains = [p.doprint(ChainProduct((delta, g.last.partial)))]
        factors = [p.factor_row(g.last)]
    arrows = [r" \to ".join(p.doprint(node) for node in (
        g.parameter, g.last.partial.numerator, *(f.partial.numerator for f in reversed(path))))
        for path in g.paths]
    return {"symbol": p.doprint(g.parameter), "partial": p.doprint(partial), "arrows": arrows,
            "label": _label(g), "numbers": numbers,
            "chain": " + ".join(chains), "chains": chains, "factors": factors,
            "result_rows": p.sum_rows(g.value),
            "result": p.doprint(g.value), "delta_form": p.doprint(g.delta_form),
            "has_paths": bool(g.paths), "paths": len(g.paths)}


def _rest_entry(g: Gradient, p: Printer) -> dict[str, Any]:
    """A row of the table of the gradients not shown in full."""
    return {"symbol": p.doprint(g.parameter), "partial": p.doprint(Partial(LOSS, g.parameter)),
            "result": p.doprint(g.value), "delta_form": p.doprint(g.delta_form)}


def _derivative_section(derivation: Derivation, worked: WorkedExample | None,
                        p: Printer) -> list[dict[str, Any]]:
    """Per layer, output first: the featured gradients in full, the others as table rows."""
    network = derivation.network
    featured = set(derivation.featured)
    out = []
    for layer in reversed(network.layers):
        shown, rest = [], []
        for i, g in enumerate(derivation.gradients):
            if g.role.layer != layer.number:
                continue
            if i not in featured:
                rest.append(_rest_entry(g, p))
                continue
            values = worked.factor_values[i] if worked and worked.factor_values else None
            grad = float(worked.first.gradients[i]) if worked else None
            shown.append(_gradient_entry(g, p, _numbers(g, values, grad)))
        out.append({"number": layer.number, "is_output": layer is network.output,
                    "shown": shown, "rest": rest})
    return out


def _delta_section(derivation: Derivation, p: Printer, notation: Notation) -> dict[str, Any]:
    network = derivation.network
    rows = []
    large = len(derivation.featured) < len(derivation.gradients)
    for layer in reversed(derivation.deltas):
        units, dots = _shown_units(len(layer), large)
        for eq in (layer[j] for j in units):
            chain = ""
            if eq.layer == len(network.layers):
                a, z = network.output.a[eq.unit], network.output.z[eq.unit]
                chain = p.doprint(ChainProduct((Partial(LOSS, a), Partial(a, z)))) + " = "
                if eq.general is not None:
                    chain += p.doprint(eq.general) + " = "
            rows.append(rf"{p.doprint(eq.symbol)} &= {chain}{p.doprint(eq.value)}")
        rows += [r"&\;\vdots"] if dots else []
    g = lambda kind, layer, *ix: general_symbol(notation, kind, layer, *ix)  # noqa: E731
    loss = notation.loss
    general = {
        "output": rf"{g('delta', 'L', 'j')} &= \frac{{\partial {loss}}}"
                  rf"{{\partial {g('a', 'L', 'j')}}} \, g'\left({g('z', 'L', 'j')}\right)",
        "hidden": rf"{g('delta', 'l', 'j')} &= \left(\sum_i {g('W', 'l+1', 'i', 'j')}"
                  rf" {g('delta', 'l+1', 'i')}\right) g'\left({g('z', 'l', 'j')}\right)",
        "weight": rf"\frac{{\partial {loss}}}{{\partial {g('W', 'l', 'j', 'k')}}}"
                  rf" = {g('delta', 'l', 'j')} \, {g('a', 'l-1', 'k')}",
        "bias": rf"\frac{{\partial {loss}}}{{\partial {g('b', 'l', 'j')}}} = {g('delta', 'l', 'j')}",
    }
    reasons = [_note(eq.reason, _Formats(lambda t: t)) for eq in derivation.deltas[-1][:1]
               if eq.reason]
    return {"rows": rows, "general": general, "shortcut": reasons[0] if reasons else ""}


def _shape_line(notation: Notation, layer: int, units: int, fan_in: int) -> tuple[str, str]:
    """The weight gradient as a product with each factor's shape, and the result's shape."""
    delta = matrix_symbol(notation, r"\Delta", str(layer))
    acts = notation.matrix_input if layer == 1 else \
        matrix_symbol(notation, notation.matrix_activation, str(layer - 1))
    dW = rf"\frac{{\partial {notation.loss}}}{{\partial {matrix_symbol(notation, notation.matrix_weight, str(layer))}}}"
    if notation.convention == "row":
        return (rf"{dW} = \underbrace{{\left({acts}\right)^{{\top}}}}_{{{fan_in} \times N}} \, "
                rf"\underbrace{{{delta}}}_{{N \times {units}}}", rf"{fan_in} \times {units}")
    return (rf"{dW} = \underbrace{{\left({delta}\right)^{{\top}}}}_{{{units} \times N}} \, "
            rf"\underbrace{{{acts}}}_{{N \times {fan_in}}}", rf"{units} \times {fan_in}")


def _matrix_section(derivation: Derivation, notation: Notation) -> dict[str, Any]:
    network = derivation.network
    fans = [len(network.x)] + [layer.units for layer in network.layers]
    samples = derivation.matrix[0].samples if derivation.matrix else None
    layers = []
    for i, layer in enumerate(network.layers):
        check = derivation.matrix[i] if derivation.matrix else None
        weight, shape = _shape_line(notation, layer.number, layer.units, fans[i])
        layers.append({"number": layer.number, "weight": weight, "shape": shape,
                       "proved": bool(check and check.weights and check.bias and check.delta),
                       "entries": "" if not check or check.entries[0] == check.entries[1] else
                       f" ({check.entries[0]} of {check.entries[1]} entries)"})
    mean = network.spec.reduction == "mean"
    forms = MATRIX_FORMS[notation.convention](notation)
    return {"layers": layers, "samples": samples, "checked": bool(derivation.matrix),
            "mean": mean, "first_title": forms["first_title"], "first": forms["first"],
            "batch": forms["batch"], "transpose": forms["transpose"]}


def _example_section(derivation: Derivation, worked: WorkedExample | None,
                     p: Printer) -> dict[str, Any] | None:
    if worked is None:
        return None
    network = derivation.network
    example = network.spec.example
    assert example is not None
    first = worked.first
    samples = [{"n": n + 1, "x": ", ".join(_num(v) for v in example.x[n]),
                "y": ", ".join(_num(v) for v in example.y[n])} for n in range(len(example.x))]
    forward_rows = []
    for layer in network.layers:
        for symbol in (*layer.z, *layer.a):
            forward_rows.append({"symbol": p.doprint(symbol),
                                 "values": [_num(f.env[symbol]) for f in first.forwards]})
    rate = example.learning_rate
    params = []
    for i, symbol in enumerate(network.parameters):
        updated = worked.updated[i] if worked.updated else None
        params.append({"symbol": p.doprint(symbol), "value": _num(first.parameters[i]),
                       "grad": _num(first.gradients[i]), "updated": _num(updated),
                       "final": _num(worked.final[i])})
    step_rows = [{"step": s.index + 1, "samples": ", ".join(str(n + 1) for n in s.samples),
                  "loss": _num(s.loss)} for s in worked.steps]
    return {"samples": samples, "batch": len(example.x), "forward": forward_rows,
            "sample_columns": [n + 1 for n in first.samples], "parameters": params,
            "loss": _num(first.loss), "learning_rate": _num(rate), "steps": len(worked.steps),
            "mode": worked.mode, "step_rows": step_rows, "final_loss": _num(worked.losses[-1])}


_ORACLE_NAMES = {"finite_difference": "central finite differences", "torch": "PyTorch autograd"}


def _claims(report: CheckReport, fmt: _Formats) -> list[dict[str, Any]]:
    """Each claim with its verdict; the claim prints as parsed, never as the raw text."""
    out = []
    for c in report.claims:
        verdict = {"proved": "proved equal", "equal at points": "equal at every test point",
                   "differs": "differs", "unreadable": "could not be read"}[c.status]
        expected = "as expected" if c.passed else "unexpected"
        message = c.message.split("$") if c.status != "unreadable" else [c.message]
        out.append({"parameter": c.parameter_latex, "raw": fmt.text(c.parameter),
                    "claim": c.claim_latex,
                    "derived": c.derived_latex, "verdict": verdict, "expected": expected,
                    "passed": c.passed, "diagnosis": _note(tuple(message), fmt),
                    "note": fmt.text(c.note)})
    return out


def _check_section(report: CheckReport, fmt: _Formats) -> dict[str, Any]:
    oracles = [{"name": f"{_ORACLE_NAMES.get(o.method, o.method)} ({o.precision})",
                "compared": o.compared,
                "max_abs": f"{o.max_abs_error:.2g}", "max_rel": f"{o.max_rel_error:.2g}",
                "agreed": o.agreed} for o in report.oracles]
    return {"passed": report.passed, "methods": ", ".join(m.replace("_", " ")
                                                          for m in report.methods),
            "points": report.points, "compared": report.compared, "skipped": report.skipped,
            "max_abs": f"{report.max_abs_error:.2g}", "max_rel": f"{report.max_rel_error:.2g}",
            "paths_proved": report.paths_proved, "paths_total": report.paths_total,
            "matrix_proved": report.matrix_proved, "disagreements": len(report.disagreements),
            "oracles": oracles, "claims": _claims(report, fmt)}


def page_context(derivation: Derivation, worked: WorkedExample | None, report: CheckReport,
                 text: Callable[[str], str]) -> dict[str, Any]:
    """Every string a page template needs, math already printed.

    The math sections are the ones every format of the run shares (``_math_sections``):
    add to copies of them, never to them.
    """
    network = derivation.network
    notation = NOTATIONS[network.spec.notation]
    p = page_printer(network)
    fmt = _Formats(text)
    notes = [_note(layer.activation.note, fmt) for layer in network.layers
             if layer.activation.note]
    math = _math_sections(derivation, worked)       # shared: read, never changed
    return {
        "title": text(network.spec.title), "notation": notation.name,
        "meta_title": page_meta_title(network.spec.title),
        "about": text(network.spec.about),
        "network": _network_section(network, p, fmt),
        "notes": list(dict.fromkeys(notes)),
        "check": _check_section(report, fmt),
        **math,
    }


_MATH_CACHE: dict[int, tuple[object, dict[str, Any]]] = {}


def _math_sections(derivation: Derivation, worked: WorkedExample | None) -> dict[str, Any]:
    """The sections with no text from the spec, printed once for the Markdown and LaTeX pages."""
    key = id(derivation)
    if key not in _MATH_CACHE or _MATH_CACHE[key][0] is not derivation:
        network = derivation.network
        notation = NOTATIONS[network.spec.notation]
        p = page_printer(network)
        large = len(derivation.featured) < len(derivation.gradients)
        _MATH_CACHE.clear()
        _MATH_CACHE[key] = (derivation, {
            "forward": _forward_section(network, p, large),
            "derivatives": _derivative_section(derivation, worked, p),
            "delta": _delta_section(derivation, p, notation),
            "matrix": _matrix_section(derivation, notation),
            "loss_symbol": notation.loss,
            "example": _example_section(derivation, worked, p),
        })
    return _MATH_CACHE[key][1]


# --------------------------------------------------------------------------- JSON


def _float(value: mpmath.mpf | None) -> float | None:
    return None if value is None else float(value)


def json_document(derivation: Derivation, worked: WorkedExample | None,
                  report: CheckReport) -> dict[str, Any]:
    """The public JSON contract (../shared/SPEC.md), plus added fields."""
    network = derivation.network
    notation = NOTATIONS[network.spec.notation]
    p = page_printer(network)
    parameters = []
    updated = worked.updated if worked else None
    for i, g in enumerate(derivation.gradients):
        parameters.append({
            "layer": g.role.layer, "kind": g.role.kind, "index": list(g.role.index),
            "symbol": p.doprint(g.parameter), "gradient": p.doprint(g.value),
            "delta_form": p.doprint(g.delta_form),
            "value": _float(worked.initial[i]) if worked else None,
            "grad": _float(worked.first.gradients[i]) if worked else None,
            "updated": _float(updated[i]) if updated else None,
            "final": _float(worked.final[i]) if worked else None,
        })
    return {
        "title": network.spec.title,
        "loss": {"latex": p.doprint(Equation(LOSS, network.loss_expr)),
                 "value": _float(worked.first.loss) if worked else None},
        "losses": [float(v) for v in worked.losses] if worked else None,
        "parameters": parameters,
        "check": {"passed": report.passed, "max_abs_error": report.max_abs_error,
                  "max_rel_error": report.max_rel_error, "methods": list(report.methods),
                  "points": list(report.points), "compared": report.compared,
                  "skipped": report.skipped, "seed": report.seed,
                  "oracles": [{"method": o.method, "compared": o.compared,
                               "max_abs_error": o.max_abs_error, "agreed": o.agreed}
                              for o in report.oracles],
                  "claims": [{"parameter": c.parameter, "formula": c.formula, "line": c.line,
                              "status": c.status, "message": c.message, "passed": c.passed}
                             for c in report.claims]},
        "notation": notation.name, "reduction": network.spec.reduction,
        "generator": {"name": "derive-backprop", "version": __version__},
    }


def _short_or_broken(rows: list[str]) -> list[str]:
    """Table rows of wide networks are short: measure them only when one might not fit."""
    return rows if all(len(row) < SHORT_ROW for row in rows) else break_align(rows)


def _tex_rows(context: dict[str, Any]) -> dict[str, Any]:
    """The context plus the LaTeX page's display math as ``align*`` rows broken to the text width.

    The rows go into new dicts: the math sections are shared with the Markdown page.
    """
    forward, delta = context["forward"], context["delta"]
    return {
        **context,
        "forward": {**forward, "tex_rows": break_align(forward["rows"]),
                    "tex_loss": break_align([forward["loss"]])},
        "derivatives": [{**layer, "shown": [_tex_gradient(g) for g in layer["shown"]],
                         "tex_rest": _tex_rest(layer["rest"])}
                        for layer in context["derivatives"]],
        "delta": {**delta, "tex_rows": break_align(delta["rows"])},
    }


def _tex_gradient(g: dict[str, Any]) -> dict[str, Any]:
    """A featured gradient's entry plus its arrows, chain, factors and result as rows."""
    result = rf"{g['partial']} &= {g['result']}"
    if g["has_paths"]:
        result += f" = {g['delta_form']}"
    numbers = [f"&= {g['numbers']}"] if g["numbers"] else []
    return {**g, "tex_arrows": break_align([f"&{arrow}" for arrow in g.get("arrows") or ()]),
            "tex_chain": break_align([rf"{g['partial']} &= {g['chain']}"]),
            "tex_factors": break_align(g["factors"]),
            "tex_result": break_align([result, *numbers])}


def _tex_rest(entries: list[dict[str, Any]]) -> list[list[str]]:
    """The other gradients of a layer as rows, in ``align*`` blocks of ``ROWS_PER_ALIGN``."""
    rest = [rf"{g['partial']} &= {g['delta_form']}" + (
        "" if g["result"] == g["delta_form"] else f" = {g['result']}") for g in entries]
    return [_short_or_broken(rest[i:i + ROWS_PER_ALIGN])
            for i in range(0, len(rest), ROWS_PER_ALIGN)]



def _slug(g: Gradient) -> str:
    return f"{g.role.kind.lower()}{g.role.layer}-" + "-".join(str(i + 1) for i in g.role.index)


_PRINTERS: dict[int, tuple[Network, Printer]] = {}


def page_printer(network: Network) -> Printer:
    """One printer per network, shared by the Markdown, LaTeX and JSON of a run.

    Keyed by identity: hashing a whole network would cost more than printing it.
    """
    cached = _PRINTERS.get(id(network))
    if cached is None or cached[0] is not network:
        _PRINTERS.clear()
        names = symbol_names(network, NOTATIONS[network.spec.notation])
        cached = _PRINTERS[id(network)] = (network, Printer({"symbol_names": names}))
    return cached[1]


def picture_files(derivation: Derivation, worked: WorkedExample | None,
                  stem: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The page's SVG pictures (beside it, in ``stem/``) and what the template links to.

    The network with the example's first forward pass, each layer's first weight with its
    computation paths (and the network with those paths highlighted), the loss curve.
    """
    from . import pictures       # only pages with pictures pay for it
    network = derivation.network
    labels = pictures.symbol_labels(network, names=page_printer(network).symbol_names)
    first = worked.first.forwards[0] if worked is not None else None
    values = {**first.env, LOSS: first.loss} if first is not None else None
    files = {f"{stem}/network.svg": pictures.network_svg(network, labels, values=values)}
    paths = {}
    for layer in network.layers:
        g = next(g for g in derivation.gradients if g.role.layer == layer.number)
        files[f"{stem}/paths-{_slug(g)}.svg"] = pictures.path_svg(g, labels)
        files[f"{stem}/network-{_slug(g)}.svg"] = pictures.network_svg(
            network, labels, highlight=pictures.path_highlight(network, g.parameter))
        paths[g.parameter] = (f"{stem}/paths-{_slug(g)}.svg", f"{stem}/network-{_slug(g)}.svg")
    loss = None
    if worked is not None and len(worked.losses) > 2:
        loss = f"{stem}/loss.svg"
        files[loss] = pictures.loss_curve_svg(worked.losses, mode=worked.mode)
    return files, {"network": f"{stem}/network.svg", "paths": paths, "loss": loss}


def _with_pictures(context: dict[str, Any], links: dict[str, Any],
                   derivation: Derivation) -> dict[str, Any]:
    """Attach picture links to the page context (by parameter, for the derivative entries)."""
    by_symbol = {p.doprint(g.parameter): links["paths"].get(g.parameter)
                 for p in [page_printer(derivation.network)]
                 for g in derivation.gradients}
    for layer in context["derivatives"]:
        for entry in layer["shown"]:
            entry["pictures"] = by_symbol.get(entry["symbol"])
    return {**context, "pictures": links}


def render(derivation: Derivation, worked: WorkedExample | None, report: CheckReport, *,
           stem: str, formats: tuple[str, ...] = ("md",)) -> dict[str, str]:
    """File name -> text for each requested format (pictures go with the Markdown page)."""
    out: dict[str, str] = {}
    if "md" in formats:
        files, links = picture_files(derivation, worked, stem)
        context = _without_bars(page_context(derivation, worked, report, escape_markdown))
        context = _with_pictures(context, links, derivation)
        out[f"{stem}.md"] = template("md", "markdown/page.md.j2").render(**context)
        out.update(files)
    if "tex" in formats:
        context = _tex_rows(page_context(derivation, worked, report, escape_latex))
        out[f"{stem}.tex"] = template("tex", "latex/page.tex.j2").render(**context)
    if "json" in formats:
        document = json_document(derivation, worked, report)
        out[f"{stem}.json"] = escape_json(json.dumps(document, indent=2, sort_keys=True,
                                                     ensure_ascii=False)) + "\n"
    return out


def render_chapter(derivation: Derivation, worked: WorkedExample | None,
                   report: CheckReport) -> str:
    """One spec as a chapter of the course book: the body of its standalone LaTeX page."""
    context = _tex_rows(page_context(derivation, worked, report, escape_latex))
    return template("tex", "latex/chapter.tex.j2").render(**context)


def render_book(title: str, parts: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The course book: ``parts`` are (folder title or "", chapters from ``render_chapter``)."""
    prepared = [{"title": escape_latex(name), "chapters": list(chapters)}
                for name, chapters in parts]
    return template("tex", "latex/book.tex.j2").render(title=escape_latex(title),
                                                                parts=prepared)


NAV_TITLE = 150
SITE_TEMPLATES = {"mkdocs.yml": "site/mkdocs.yml.j2", "docs/index.md": "site/index.md.j2",
                  "docs/javascripts/mathjax-config.js": "site/mathjax-config.js.j2"}


def render_site(title: str, groups: Sequence[tuple[str, Sequence[dict[str, Any]]]],
                nav: Sequence[tuple[int, str, str]]) -> dict[str, str]:
    """The MkDocs project's own files: ``mkdocs.yml``, the index page, the MathJax settings.

    ``groups``: (folder title or "", lessons as dicts with ``title``, ``href``, ``passed``,
    ``compared``, ``max_abs_error``, ``architecture``, ``parameters``); ``nav``: (depth, title,
    page path or "" for a section). Titles arrive raw and are escaped here: for Markdown in the
    index page; in ``mkdocs.yml`` as HTML (the theme inserts nav titles and the site name
    unescaped) inside JSON strings, which YAML reads as double-quoted scalars.
    """
    import html  # only for the site

    def quote(text: str) -> str:
        return json.dumps(html.escape(text), ensure_ascii=False)

    def key(text: str) -> str:
        """A nav title as a YAML key: keys stop at 1024 characters, and escaping can grow a
        character sixfold (``"`` -> ``&quot;``), so long titles are cut to NAV_TITLE."""
        return quote(text if len(text) <= NAV_TITLE else text[:NAV_TITLE - 1] + "…")

    nav_lines = [f"{'  ' * (depth + 1)}- {key(name)}:" + (f" {quote(path)}" if path else "")
                 for depth, name, path in nav]
    lessons = [lesson for _, members in groups for lesson in members]
    passed = sum(lesson["passed"] for lesson in lessons)
    summary = (f"{len(lessons)} network{'s' if len(lessons) != 1 else ''}; "
               f"{passed} of {len(lessons)} passed the numeric check.")
    context = {
        "site_name": quote(title), "title": escape_markdown(title), "summary": summary,
        "nav": nav_lines,
        "groups": [{"title": escape_markdown(name), "lessons": [
            {**lesson, "title": escape_markdown(lesson["title"]),
             "max_abs": f"{lesson['max_abs_error']:.2g}"} for lesson in members]}
            for name, members in groups],
    }
    return {name: template("md", source).render(**context)
            for name, source in SITE_TEMPLATES.items()}
