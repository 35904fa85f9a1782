"""The page's δ recursion, matrix form, worked example and check, as printed strings."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ..calculus import LOSS, ChainProduct, Derivation, Partial, Printer
from ..numbers import WorkedExample
from ..registry import MATRIX_FORMS, Notation, general_symbol, matrix_symbol
from ..spec import Example
from ..verify import CheckReport
from .derivative_sections import shown_units
from .prose import Prose, note, num


__all__ = ["delta_section", "matrix_section", "example_section", "check_section"]


def delta_section(derivation: Derivation, p: Printer, notation: Notation) -> dict[str, Any]:
    network = derivation.network
    rows = []
    large = len(derivation.featured) < len(derivation.gradients)
    for layer in reversed(derivation.deltas):
        units, dots = shown_units(len(layer), large)
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
    reasons = [note(eq.reason, Prose(lambda t: t)) for eq in derivation.deltas[-1][:1]
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


def matrix_section(derivation: Derivation, notation: Notation) -> dict[str, Any]:
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


def example_section(derivation: Derivation, worked: WorkedExample | None,
                     p: Printer) -> dict[str, Any] | None:
    if worked is None:
        return None
    network = derivation.network
    example = network.spec.example
    assert example is not None
    first = worked.first
    digits = example.digits
    samples = [{"n": n + 1, "x": ", ".join(num(v, digits) for v in example.x[n]),
                "y": ", ".join(num(v, digits) for v in example.y[n])}
               for n in range(len(example.x))]
    forward_rows = []
    for layer in network.layers:
        for symbol in (*layer.z, *layer.a):
            forward_rows.append({"symbol": p.doprint(symbol),
                                 "values": [num(f.env[symbol], digits) for f in first.forwards]})
    rate = example.learning_rate
    params = []
    for i, symbol in enumerate(network.parameters):
        updated = worked.updated[i] if worked.updated else None
        params.append({"symbol": p.doprint(symbol), "value": num(first.parameters[i], digits),
                       "grad": num(first.gradients[i], digits), "updated": num(updated, digits),
                       "final": num(worked.final[i], digits)})
    step_rows = [{"step": s.index + 1, "samples": ", ".join(str(n + 1) for n in s.samples),
                  "loss": num(s.loss, digits)} for s in worked.steps]
    return {"samples": samples, "batch": len(example.x), "forward": forward_rows,
            "sample_columns": [n + 1 for n in first.samples], "parameters": params,
            "loss": num(first.loss, digits), "learning_rate": num(rate, digits),
            "steps": len(worked.steps), "mode": worked.mode, "step_rows": step_rows,
            "final_loss": num(worked.losses[-1], digits), **_optimizer(example, digits)}


_OPTIMIZER_LATEX = MappingProxyType({"momentum": r"\mu", "beta1": r"\beta_1",
                                     "beta2": r"\beta_2", "eps": r"\epsilon"})


def _optimizer(example: Example, digits: int) -> dict[str, str]:
    """The optimizer's name and its values (``\\beta_1 = 0.9, ...``); "" for plain sgd."""
    choice = example.optimizer
    values = [(name, num(value, digits)) for name, value in choice.options]
    shown = values[0][1] if choice.name == "momentum" else ", ".join(
        f"{_OPTIMIZER_LATEX[name]} = {value}" for name, value in values)
    return {"optimizer": "" if choice.name == "sgd" else choice.name, "optimizer_values": shown}


_ORACLE_NAMES = MappingProxyType({"finite_difference": "central finite differences",
                                  "torch": "PyTorch autograd"})


def _claims(report: CheckReport, fmt: Prose) -> list[dict[str, Any]]:
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
                    "passed": c.passed, "diagnosis": note(tuple(message), fmt),
                    "note": fmt.text(c.note)})
    return out


def check_section(report: CheckReport, fmt: Prose) -> dict[str, Any]:
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
