"""The page as the JSON contract (../shared/SPEC.md): a plain dict, not a template."""

from __future__ import annotations

from typing import Any

import mpmath

from .. import __version__
from ..calculus import LOSS, Equation
from ..numbers import trained
from ..verify import CheckReport
from .page import Page


__all__ = ["json_document"]


def _float(value: mpmath.mpf | None) -> float | None:
    return None if value is None else float(value)


def json_document(page: Page, report: CheckReport) -> dict[str, Any]:
    """The public JSON contract (../shared/SPEC.md), plus added fields."""
    derivation, worked, p = page.derivation, page.worked, page.printer
    network = derivation.network
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
        "generator": {"name": "derive-backprop", "version": __version__},
    }
