"""The page of a ``graph:`` spec: its JSON (SPEC.md's contract), its Markdown (MkDocs flavour,
``$$`` display math and ``\\( \\)`` inline) and its picture, as ``{relative path: text}``."""

from __future__ import annotations

import json
import re
from types import MappingProxyType

import sympy as sp

from ..calculus import Printer
from ..circuit import CircuitDerivation, Edge, Quantity
from ..numerals import format_number
from .circuit_picture import circuit_svg
from .escape import escape_json, escape_markdown, page_meta_title

__all__ = ["circuit_files", "circuit_json", "circuit_markdown"]

_RULES = MappingProxyType({
    "add": "an add gate distributes: each input receives the upstream gradient unchanged "
           "(every local derivative is 1)",
    "multiply": "a multiply gate swaps: each input receives the upstream gradient times the "
                "other input's value",
    "max": "a max gate routes: the larger input receives the whole upstream gradient, the "
           "other 0 (at a tie each receives half, as torch.maximum does)",
    "min": "a min gate routes: the smaller input receives the whole upstream gradient, the "
           "other 0 (at a tie each receives half, as torch.minimum does)",
})


def circuit_json(result: CircuitDerivation, title: str) -> dict:
    """``{"title", "output", "value", "nodes": [{"name", "value", "grad", "definition"}]}``."""
    return {"title": title, "output": result.output.name,
            "value": float(result.output.value),
            "nodes": [{"name": q.name, "value": float(q.value), "grad": float(q.grad),
                       "definition": q.definition} for q in result.quantities]}


def _symbol(name: str) -> str:
    """A name in LaTeX: ``w0`` as w₀, a one-letter name as is, anything else upright."""
    if (match := re.fullmatch(r"([A-Za-z])_?(\d+)", name)) is not None:
        return f"{match.group(1)}_{{{match.group(2)}}}"
    return name if len(name) == 1 else r"\mathit{" + name.replace("_", r"\_") + "}"


class _Tex:
    """LaTeX of this circuit's names, formulas and numbers."""

    def __init__(self, result: CircuitDerivation) -> None:
        names = {sp.Symbol(q.name, real=True): _symbol(q.name) for q in result.quantities}
        self.printer = Printer({"symbol_names": names})
        self.result = result

    def name(self, name: str) -> str:
        return _symbol(name)

    def expr(self, expr: sp.Expr) -> str:
        return self.printer.doprint(expr)

    @staticmethod
    def number(value: sp.Expr, factor: bool = False) -> str:
        text = format_number(float(value))
        return f"\\left({text}\\right)" if factor and text.startswith("-") else text

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {self.name(top)}}}{{\partial {self.name(bottom)}}}"

    def definition(self, quantity: Quantity) -> str:
        node = self.result.circuit.node(quantity.name)
        return f"{self.name(quantity.name)} = {self.expr(node.formula.expr)}"


def _display(rows: list[str]) -> list[str]:
    body = " \\\\\n".join(rows)
    return ["$$", "\\begin{aligned}", body, "\\end{aligned}", "$$", ""]


def _forward(tex: _Tex, result: CircuitDerivation) -> list[str]:
    lines = ["## Forward pass", "", "| quantity | definition | value |", "|---|---|---|"]
    for q in result.quantities:
        what = "input" if q.definition is None else rf"\({tex.definition(q)}\)"
        lines.append(rf"| \({tex.name(q.name)}\) | {what} | {tex.number(q.value)} |")
    return lines + [""]


def _locals(tex: _Tex, result: CircuitDerivation) -> list[str]:
    rows = [rf"{tex.partial(e.child, e.parent)} &= {tex.expr(e.local)}"
            + ("" if e.local.is_Number else f" = {tex.number(e.local_value)}")
            for e in result.edges]
    return ["## Local derivatives", "",
            "Each wire's local derivative: the consumer's formula differentiated with respect "
            "to its input, at the forward values.", "", *_display(rows)]


def _product(tex: _Tex, out: str, edges: tuple[Edge, ...], numbers: bool) -> str:
    if numbers:
        return " + ".join(f"{tex.number(e.upstream, True)} \\cdot {tex.number(e.local_value, True)}"
                          for e in edges)
    return " + ".join(f"{tex.partial(out, e.child)} {tex.partial(e.child, e.parent)}"
                      for e in edges)


def _backward(tex: _Tex, result: CircuitDerivation) -> list[str]:
    out = result.output.name
    rows = [rf"{tex.partial(out, out)} &= 1"]
    for q in reversed(result.quantities):
        edges = result.edges_out_of(q.name)
        if q.name == out or not edges:
            continue
        rows.append(rf"{tex.partial(out, q.name)} &= {_product(tex, out, edges, False)} = "
                    rf"{_product(tex, out, edges, True)} = {tex.number(q.grad)}")
    return ["## Backward pass: upstream × local", "",
            f"From the output back, each gradient is the sum over the wires out of a node of "
            f"upstream × local (\\({tex.partial(out, out)} = 1\\)).", "", *_display(rows)]


def _patterns(tex: _Tex, result: CircuitDerivation) -> list[str]:
    lines = []
    for q in result.quantities:
        if q.rule is not None:
            lines.append(rf"- \({tex.definition(q)}\): {_RULES[q.rule]}.")
        if q.consumers > 1:
            children = ", ".join(rf"\({tex.name(e.child)}\)" for e in result.edges_out_of(q.name))
            lines.append(rf"- \({tex.name(q.name)}\) fans out to {children}: the gradients "
                         f"flowing back along its {q.consumers} wires add.")
    return ["## Patterns", "", *(lines or ["No plain gate or fan-out in this circuit."]), ""]


def circuit_markdown(result: CircuitDerivation, title: str, picture: str) -> str:
    """The page in MkDocs Markdown; ``picture`` is the SVG's path relative to the page."""
    tex = _Tex(result)
    out = result.output
    lines = ["---", f"title: {page_meta_title(title)}", "---", "",
             f"# {escape_markdown(title)}", "",
             f"![The circuit: forward values in green above each wire, gradients in red below]"
             f"({picture})", "",
             rf"The output is \({tex.name(out.name)} = {tex.number(out.value)}\). Below: every "
             rf"node's value, every wire's local derivative, and the gradient of "
             rf"\({tex.name(out.name)}\) with respect to every node.", "",
             *_forward(tex, result), *_locals(tex, result), *_backward(tex, result),
             *_patterns(tex, result)]
    return "\n".join(lines)


def circuit_files(result: CircuitDerivation, title: str, stem: str) -> dict[str, str]:
    """``{stem.json, stem.md, stem/circuit.svg}`` as texts, for derive.write to save."""
    document = json.dumps(circuit_json(result, title), indent=2, ensure_ascii=False)
    beside = f"{stem.rsplit('/', 1)[-1]}/circuit.svg"
    return {f"{stem}.json": escape_json(document) + "\n",
            f"{stem}.md": circuit_markdown(result, title, beside),
            f"{stem}/circuit.svg": circuit_svg(result, title)}
