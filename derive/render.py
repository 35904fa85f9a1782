"""(Derivation, WorkedExample, CheckReport) -> ``dict[file name, text]``: the only jinja2 import.

``page_context`` turns the results into plain, finished strings (every formula
printed by ``printer.Printer``), then one Jinja template per format lays them
out. Text from the spec passes through exactly one escaper per format; math is
built only from validated names. JSON is a plain dict, not a template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import mpmath
import sympy as sp

from . import __version__
from .check import CheckReport
from .derivation import Derivation, Gradient
from .expressions import ChainProduct, Equation, Partial
from .network import LOSS, Network
from .names import symbol_names
from .notation import NOTATIONS, Notation, layered
from .printer import Printer, format_number
from .worked import WorkedExample

__all__ = ["render", "FORMATS", "page_context", "json_document"]

FORMATS = ("md", "tex", "json")
FULL_LIMIT = 24   # print every derivative in full up to this many parameters


# --------------------------------------------------------------------------- escaping

_MD_SPECIAL = set("\\`*_{}[]<>#|$&~^")
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_markdown(text: str) -> str:
    """Every Markdown, HTML, math or template character as a numeric entity: shown literally."""
    return "".join(f"&#{ord(c)};" if c in _MD_SPECIAL else c for c in text)


def escape_latex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(c, c) for c in text)


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


def _forward_section(network: Network, p: Printer) -> dict[str, Any]:
    rows = []
    for layer in network.layers:
        for j in range(layer.units):
            rows.append(rf"{p.doprint(layer.z[j])} &= {p.doprint(layer.z_sum(j))}")
        for j in range(layer.units):
            rows.append(rf"{p.doprint(layer.a[j])} &= {p.doprint(layer.a_expr[j])}")
    loss = rf"{p.doprint(LOSS)} = {p.doprint(network.loss_expr)}"
    return {"rows": rows, "loss": loss}


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
    return {"symbol": p.doprint(g.parameter), "partial": p.doprint(partial),
            "label": _label(g), "numbers": numbers,
            "chain": " + ".join(chains), "factors": factors,
            "result": p.doprint(g.value), "delta_form": p.doprint(g.delta_form),
            "has_paths": bool(g.paths), "paths": len(g.paths)}


def _derivative_section(derivation: Derivation, worked: WorkedExample | None,
                        p: Printer) -> list[dict[str, Any]]:
    network = derivation.network
    full_all = len(network.parameters) <= FULL_LIMIT
    index = {g.parameter: i for i, g in enumerate(derivation.gradients)}
    out = []
    for layer in reversed(network.layers):
        grads = [g for g in derivation.gradients if g.role.layer == layer.number]
        entries = []
        for g in grads:
            i = index[g.parameter]
            values = worked.factor_values[i] if worked and worked.factor_values else None
            grad = float(worked.first.gradients[i]) if worked else None
            entries.append(_gradient_entry(g, p, _numbers(g, values, grad)))
        if full_all:
            shown, rest = entries, []
        else:
            firsts = {g.role.kind: i for i, g in reversed(list(enumerate(grads)))}
            shown = [entries[i] for i in sorted(firsts.values())]
            rest = [e for i, e in enumerate(entries) if i not in firsts.values()]
        out.append({"number": layer.number, "is_output": layer is network.output,
                    "shown": shown, "rest": rest})
    return out


def _delta_section(derivation: Derivation, p: Printer, notation: Notation) -> dict[str, Any]:
    network = derivation.network
    rows = []
    for layer in reversed(derivation.deltas):
        for eq in layer:
            chain = ""
            if eq.layer == len(network.layers):
                a, z = network.output.a[eq.unit], network.output.z[eq.unit]
                chain = p.doprint(ChainProduct((Partial(LOSS, a), Partial(a, z)))) + " = "
            rows.append(rf"{p.doprint(eq.symbol)} &= {chain}{p.doprint(eq.value)}")
    d, w, z, a = notation.delta, notation.weight, notation.pre_activation, notation.activation
    general = {
        "output": rf"{layered(d, 'L', 'j')} &= \frac{{\partial {notation.loss}}}"
                  rf"{{\partial {layered(a, 'L', 'j')}}} \, g'\left({layered(z, 'L', 'j')}\right)",
        "hidden": rf"{layered(d, 'l', 'j')} &= \left(\sum_i {layered(w, 'l+1', 'i', 'j')}"
                  rf" {layered(d, 'l+1', 'i')}\right) g'\left({layered(z, 'l', 'j')}\right)",
        "weight": rf"\frac{{\partial {notation.loss}}}{{\partial {layered(w, 'l', 'j', 'k')}}}"
                  rf" = {layered(d, 'l', 'j')} \, {layered(a, 'l-1', 'k')}",
        "bias": rf"\frac{{\partial {notation.loss}}}{{\partial {layered(notation.bias, 'l', 'j')}}}"
                rf" = {layered(d, 'l', 'j')}",
    }
    return {"rows": rows, "general": general}


def _matrix_section(derivation: Derivation, notation: Notation) -> dict[str, Any]:
    network = derivation.network
    fans = [len(network.x)] + [layer.units for layer in network.layers]
    samples = derivation.matrix[0].samples if derivation.matrix else None
    layers = []
    for i, layer in enumerate(network.layers):
        check = derivation.matrix[i] if derivation.matrix else None
        layers.append({
            "number": layer.number, "units": layer.units, "fan_in": fans[i],
            "weight": rf"\frac{{\partial L}}{{\partial W^{{({layer.number})}}}}"
                      rf" = \underbrace{{\left(\Delta^{{({layer.number})}}\right)^{{\top}}}}"
                      rf"_{{{layer.units} \times N}} \, "
                      rf"\underbrace{{A^{{({layer.number - 1})}}}}_{{N \times {fans[i]}}}",
            "shape": rf"{layer.units} \times {fans[i]}",
            "proved": bool(check and check.weights and check.bias and check.delta),
        })
    mean = network.spec.reduction == "mean"
    return {"layers": layers, "samples": samples, "checked": bool(derivation.matrix),
            "scale": r"\frac{1}{N}" if mean else "", "mean": mean}


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


_ORACLE_NAMES = {"finite_difference": "central finite differences (50-digit mpmath)",
                 "torch": "PyTorch autograd (float64)"}


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
    oracles = [{"name": _ORACLE_NAMES.get(o.method, o.method), "compared": o.compared,
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
    """Every string a page template needs, math already printed."""
    network = derivation.network
    notation = NOTATIONS[network.spec.notation]
    p = Printer({"symbol_names": symbol_names(network, notation)})
    fmt = _Formats(text)
    notes = [_note(layer.activation.note, fmt) for layer in network.layers
             if layer.activation.note]
    return {
        "title": text(network.spec.title), "notation": notation.name,
        "network": _network_section(network, p, fmt),
        "forward": _forward_section(network, p),
        "notes": list(dict.fromkeys(notes)),
        "derivatives": _derivative_section(derivation, worked, p),
        "delta": _delta_section(derivation, p, notation),
        "matrix": _matrix_section(derivation, notation),
        "example": _example_section(derivation, worked, p),
        "check": _check_section(report, fmt),
        "full_limit": FULL_LIMIT,
    }


# --------------------------------------------------------------------------- JSON


def _float(value: mpmath.mpf | None) -> float | None:
    return None if value is None else float(value)


def json_document(derivation: Derivation, worked: WorkedExample | None,
                  report: CheckReport) -> dict[str, Any]:
    """The public JSON contract (../shared/SPEC.md), plus added fields."""
    network = derivation.network
    notation = NOTATIONS[network.spec.notation]
    p = Printer({"symbol_names": symbol_names(network, notation)})
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


# --------------------------------------------------------------------------- templates


def _template_dir() -> jinja2.BaseLoader:
    """Templates inside the installed package, or the repository's top-level folder."""
    packaged = resources.files("derive") / "templates"
    if packaged.is_dir():
        return jinja2.PackageLoader("derive", "templates")
    return jinja2.FileSystemLoader(str(Path(__file__).resolve().parent.parent / "templates"))


def _environments() -> dict[str, jinja2.Environment]:
    common = dict(loader=_template_dir(), undefined=jinja2.StrictUndefined, trim_blocks=True,
                  lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    tex = jinja2.Environment(block_start_string="((*", block_end_string="*))",
                             variable_start_string="(((", variable_end_string=")))",
                             comment_start_string="((=", comment_end_string="=))", **common)
    return {"md": jinja2.Environment(**common), "tex": tex}


_ENVIRONMENTS: dict[str, jinja2.Environment] = {}


def _env(fmt: str) -> jinja2.Environment:
    if not _ENVIRONMENTS:
        _ENVIRONMENTS.update(_environments())
    return _ENVIRONMENTS[fmt]


def render(derivation: Derivation, worked: WorkedExample | None, report: CheckReport, *,
           stem: str, formats: tuple[str, ...] = ("md",)) -> dict[str, str]:
    """File name -> text for each requested format."""
    out: dict[str, str] = {}
    if "md" in formats:
        context = page_context(derivation, worked, report, escape_markdown)
        out[f"{stem}.md"] = _env("md").get_template("markdown/page.md.j2").render(**context)
    if "tex" in formats:
        context = page_context(derivation, worked, report, escape_latex)
        out[f"{stem}.tex"] = _env("tex").get_template("latex/page.tex.j2").render(**context)
    if "json" in formats:
        document = json_document(derivation, worked, report)
        out[f"{stem}.json"] = json.dumps(document, indent=2, sort_keys=True,
                                         ensure_ascii=False) + "\n"
    return out
