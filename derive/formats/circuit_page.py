"""The page of a ``graph:`` spec: its JSON (SPEC.md's contract), its Markdown (MkDocs flavour)
and LaTeX (a standalone article), both printed from one ``Document``
(derive.formats.circuit_document), and its picture, as ``{relative path: text}``."""

from __future__ import annotations

import json
from dataclasses import replace

from ..circuit import CircuitDerivation
from ..document.circuit_audit import audit_circuit_page
from ..document.model import plain
from .circuit_document import circuit_document
from .circuit_picture import circuit_picture, circuit_svg
from .escape import escape_json, escape_latex, page_meta_title
from .page_printers import LatexPrinter, MarkdownPrinter
from .templating import template

__all__ = ["circuit_chapter", "circuit_files", "circuit_json", "circuit_latex",
           "circuit_markdown"]

_PICTURE = "circuit.svg"     # the LaTeX's figure: its name only keys the drawing


def circuit_json(result: CircuitDerivation, title: str) -> dict:
    """``{"title", "output", "value", "nodes": [{"name", "value", "grad", "definition"}]}``."""
    return {"title": title, "output": result.output.name,
            "value": float(result.output.value),
            "nodes": [{"name": q.name, "value": float(q.value), "grad": float(q.grad),
                       "definition": q.definition} for q in result.quantities]}


def _audited(result: CircuitDerivation, title: str, picture: str):  # type: ignore[no-untyped-def]
    """The page's document, every equation evaluated first (``FalseEquation``: exit 1)."""
    document = circuit_document(result, title, picture)
    count = audit_circuit_page(document, result)
    said = plain(f"Checked by machine: the {count} equations below were evaluated at the "
                 "circuit's inputs, each derivative by finite differences through its "
                 "formulas, before this page was written.")
    return replace(document, banner=replace(document.banner,
                                            blocks=document.banner.blocks + (said,)))


def circuit_markdown(result: CircuitDerivation, title: str, picture: str) -> str:
    """The page in MkDocs Markdown; ``picture`` is the SVG's path relative to the page."""
    document = _audited(result, title, picture)
    return MarkdownPrinter().page(document, page_meta_title(title))


def circuit_latex(result: CircuitDerivation, title: str) -> str:
    """The page as a standalone LaTeX article, the circuit drawn in TikZ."""
    document = _audited(result, title, _PICTURE)
    printer = LatexPrinter(pictures={_PICTURE: circuit_picture(result, title)})
    return template("tex", "latex/page.tex.j2").render(title=escape_latex(title),
                                                       body=printer.body(document))


def circuit_files(result: CircuitDerivation, title: str, stem: str) -> dict[str, str]:
    """``{stem.json, stem.md, stem/circuit.svg, stem.tex}`` as texts, for derive.write."""
    document = json.dumps(circuit_json(result, title), indent=2, ensure_ascii=False)
    beside = f"{stem.rsplit('/', 1)[-1]}/circuit.svg"
    return {f"{stem}.json": escape_json(document) + "\n",
            f"{stem}.md": circuit_markdown(result, title, beside),
            f"{stem}/circuit.svg": circuit_svg(result, title),
            f"{stem}.tex": circuit_latex(result, title)}


def circuit_chapter(result: CircuitDerivation, title: str) -> str:
    """The page as a chapter of the course's LaTeX book."""
    document = _audited(result, title, _PICTURE)
    printer = LatexPrinter(book=True, pictures={_PICTURE: circuit_picture(result, title)})
    return template("tex", "latex/chapter.tex.j2").render(
        title=escape_latex(title), body=printer.body(document))
