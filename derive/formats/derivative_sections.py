"""The page's network, forward pass and per-parameter derivations, as printed strings."""

from __future__ import annotations

from typing import Any

from ..calculus import LOSS, ChainProduct, Derivation, Gradient, Network, Partial, Printer
from ..numbers import WorkedExample
from ..numerals import format_number
from .prose import Prose


__all__ = ["network_section", "forward_section", "derivative_section", "shown_units"]


def network_section(network: Network, p: Printer, fmt: Prose) -> dict[str, Any]:
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


def shown_units(layer_units: int, large: bool) -> tuple[range, bool]:
    """Every unit, or in a large network the first one and a row of dots."""
    return (range(1), layer_units > 1) if large else (range(layer_units), False)


def forward_section(network: Network, p: Printer, large: bool) -> dict[str, Any]:
    rows = []
    for layer in network.layers:
        units, dots = shown_units(layer.units, large)
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


def _numbers(g: Gradient, values: tuple | None, result: float | None, digits: int = 6) -> str:
    """The result with numbers in: ``2 \\cdot 1 \\cdot 6 = 12`` (unit factors left out)."""
    if values is None or result is None:
        return ""
    terms = []
    for path in values:
        kept = [format_number(float(v), digits) for v in path if v != 1] or ["1"]
        terms.append(" \\cdot ".join(f"\\left({t}\\right)" if t.startswith("-") else t
                                     for t in kept))
    return " + ".join(terms) + f" = {format_number(result, digits)}"


def _gradient_entry(g: Gradient, p: Printer, numbers: str = "") -> dict[str, Any]:
    partial = Partial(LOSS, g.parameter)
    chains = [p.doprint(ChainProduct(tuple(f.partial for f in path + (g.last_of(path),))))
              for path in g.paths]
    factors: list[str] = []
    for path in g.paths:
        for f in (*path, g.last_of(path)):
            line = p.factor_row(f)
            if line not in factors:
                factors.append(line)
    if not g.paths:     # ∂L/∂z_j · ∂z_j/∂θ, for each unit a shared bias feeds
        lasts = g.units_last or (g.last,)
        chains = [p.doprint(ChainProduct((Partial(LOSS, f.partial.numerator), f.partial)))
                  for f in lasts]
        factors = [p.factor_row(f) for f in lasts]
    arrows = [r" \to ".join(p.doprint(node) for node in (
        g.parameter, g.last_of(path).partial.numerator,
        *(f.partial.numerator for f in reversed(path)))) for path in g.paths]
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


def derivative_section(derivation: Derivation, worked: WorkedExample | None,
                        p: Printer) -> list[dict[str, Any]]:
    """Per layer, output first: the featured gradients in full, the others as table rows."""
    example = derivation.network.spec.example
    digits = example.digits if example is not None else 6
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
            shown.append(_gradient_entry(g, p, _numbers(g, values, grad, digits)))
        out.append({"number": layer.number, "is_output": layer is network.output,
                    "shown": shown, "rest": rest})
    return out
