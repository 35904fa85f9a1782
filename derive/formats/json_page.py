"""The page as the JSON contract (../shared/SPEC.md): a plain dict, not a template."""

from __future__ import annotations

from typing import Any

import mpmath

from .. import __version__
from ..calculus import LOSS, Equation
from ..numbers import trained
from ..document import AuditReport, Document, TextPrinter, graph_entries
from ..verify import CheckReport
from .page import Page
from .page_printers import printed_rows


__all__ = ["equations_of", "json_document"]


def _float(value: mpmath.mpf | None) -> float | None:
    return None if value is None else float(value)


def equations_of(document: Document, text: TextPrinter) -> list[dict[str, Any]]:
    """Every displayed equation with its block (page order), printed LaTeX and sides."""
    out = []
    for block, (_, display) in enumerate(document.displays()):
        for line, latex in printed_rows(display):
            eq = line.equation
            if eq is None:
                continue
            entry: dict[str, Any] = {"block": block, "latex": latex,
                                     "sides": [text.side(s) for s in eq.sides]}
            if eq.at is not None:
                entry["at"] = eq.at
            if eq.samples is not None:
                entry["samples"] = eq.samples
            out.append(entry)
    return out


def _optimizer(page: Page) -> dict[str, Any]:
    """``{"optimizer": {name, options, "steps": [{"step": 1, "m": [...], ...}]}}`` for an
    example that trains with momentum or Adam (state per parameter, null when frozen); {} for
    plain sgd, so that pages without the key stay as they were."""
    example, worked = page.derivation.network.spec.example, page.worked
    if example is None or worked is None or example.optimizer.name == "sgd":
        return {}
    steps = [{"step": step.index + 1,
              **{name: [_float(v) for v in values] for name, values in step.state}}
             for step in worked.steps]
    return {"optimizer": {"name": example.optimizer.name, **dict(example.optimizer.options),
                          "steps": steps}}


def _custom_functions(page: Page) -> dict[str, Any]:
    """The activations and losses the spec gave by formula, with the derivative the tool
    derived (LaTeX) and their parameters; {} when there are none."""
    network, p = page.derivation.network, page.printer
    entries = [("activation", layer.activation) for layer in network.layers] + \
        [("loss", network.loss)]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, entry in entries:
        custom = entry.custom
        if custom is not None and (kind, entry.name) not in seen:
            seen[kind, entry.name] = {
                "kind": kind, "name": entry.name, "formula": custom.text,
                "latex": p.doprint(custom.expr), "derivative": p.doprint(custom.derivative),
                "parameters": {o.name: o.default for o in entry.options}}
    return {"functions": list(seen.values())} if seen else {}


def json_document(page: Page, report: CheckReport, document: Document,
                  audited: AuditReport) -> dict[str, Any]:
    """The public JSON contract (../shared/SPEC.md), plus added fields."""
    derivation, worked, p = page.derivation, page.worked, page.printer
    network = derivation.network
    text = TextPrinter(len(network.layers))      # the graph's and the equations' sides
    trains = trained(network)
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
            **({} if trains[i] else {"trainable": False}),
            **({"shared": True} if g.role.kind == "b"
               and network.layers[g.role.layer - 1].shared else {}),
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
        **({"regularization": {"l2": network.spec.l2}} if network.spec.l2 else {}),
        "notation": page.notation.name, "reduction": network.spec.reduction,
        **_optimizer(page), **_custom_functions(page),
        "generator": {"name": "derive-backprop", "version": __version__},
        "graph": graph_entries(network, p.symbol_names, text),
        "equations": equations_of(document, text),
        "verified": {"equations": audited.equations, "example_lines": audited.example_lines,
                     "random_points": audited.points,
                     "equations_at_kinks": audited.at_kinks, "gradients": report.compared,
                     "claims": len(report.claims)},
    }
