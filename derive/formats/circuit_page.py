"""The page of a ``graph:`` spec: its JSON (SPEC.md's contract), its Markdown (MkDocs flavour)
and LaTeX (a standalone article), both printed from one ``Document``
(derive.formats.circuit_document), and its picture, as ``{relative path: text}``."""

from __future__ import annotations

import json
from dataclasses import replace

from ..circuit import CircuitDerivation
from ..document import Document, TextPrinter
from ..document.audit import kinks_phrase
from ..document.circuit_audit import audit_circuit_page, local_nodes
from ..document.model import plain
from .circuit_document import circuit_document
from .circuit_picture import circuit_picture, circuit_svg
from .circuit_tex import CircuitTex
from .escape import escape_json, escape_latex, page_meta_title
from .json_page import equations_of
from .page_printers import LatexPrinter, MarkdownPrinter
from .templating import template

__all__ = ["circuit_chapter", "circuit_files", "circuit_json", "circuit_latex",
           "circuit_markdown"]

_PICTURE = "circuit.svg"     # the LaTeX's figure: its name only keys the drawing


def circuit_json(result: CircuitDerivation, title: str, document: Document | None = None
                 ) -> dict:
    """``{"title", "output", "value", "nodes": [{"name", "value", "grad", "definition"}]}``
    and, given the page's ``document``, SPEC.md v1.1's ``graph`` and ``equations``: every
    node, and a node per wire (the child's formula, its other inputs held at their values:
    what a local derivative ∂child/∂parent differentiates); all equations are at the
    circuit's inputs (``"at": "example"``)."""
    text = TextPrinter(0)
    mathematics = {} if document is None else {
        "graph": _graph(result, text), "equations": equations_of(document, text)}
    return {**mathematics, "title": title, "output": result.output.name,
            "value": float(result.output.value),
            "nodes": [{"name": q.name, "value": float(q.value), "grad": float(q.grad),
                       "definition": q.definition} for q in result.quantities]}


def _graph(result: CircuitDerivation, text: TextPrinter) -> list[dict]:
    tex = CircuitTex(result)
    nodes = [{"name": n.name, "latex": tex.name(n.name),
              "role": "input" if n.formula is None else "value",
              "definition": None if n.formula is None else text.side(n.formula.expr)}
             for n in result.circuit.nodes]
    return nodes + [{"name": s.name, "latex": s.name, "role": "value",
                     "definition": text.side(e)} for s, e in local_nodes(result)]


def _audited(result: CircuitDerivation, title: str, picture: str, about: str = "") -> Document:
    """The page's document, every equation evaluated first (``FalseEquation``: exit 1)."""
    document = circuit_document(result, title, picture, about)
    report = audit_circuit_page(document, result)
    how = ("at the circuit's inputs, each derivative by finite differences through its "
           "formulas, before this page was written")
    said = plain(f"Checked by machine: the {report.equations} equations below were "
                 f"evaluated {how}." if not report.at_kinks else
                 f"Checked by machine: the equations below were evaluated {how}: "
                 f"{report.equations} compared{kinks_phrase(report, 'the inputs')}.")
    return replace(document, banner=replace(document.banner,
                                            blocks=document.banner.blocks + (said,)))


def circuit_markdown(result: CircuitDerivation, title: str, picture: str,
                     document: Document | None = None) -> str:
    """The page in MkDocs Markdown; ``picture`` is the SVG's path relative to the page."""
    document = document or _audited(result, title, picture)
    return MarkdownPrinter().page(document, page_meta_title(title))


def circuit_latex(result: CircuitDerivation, title: str, document: Document | None = None,
                  picture: str = _PICTURE) -> str:
    """The page as a standalone LaTeX article, the circuit drawn in TikZ."""
    document = document or _audited(result, title, picture)
    printer = LatexPrinter(pictures={picture: circuit_picture(result, title)})
    return template("tex", "latex/page.tex.j2").render(title=escape_latex(title),
                                                       body=printer.body(document))


def circuit_files(result: CircuitDerivation, title: str, stem: str,
                  about: str = "") -> dict[str, str]:
    """``{stem.json, stem.md, stem/circuit.svg, stem.tex}`` as texts, for derive.write: one
    audited document behind the three."""
    beside = f"{stem.rsplit('/', 1)[-1]}/circuit.svg"
    document = _audited(result, title, beside, about)
    data = json.dumps(circuit_json(result, title, document), indent=2, ensure_ascii=False)
    return {f"{stem}.json": escape_json(data) + "\n",
            f"{stem}.md": circuit_markdown(result, title, beside, document),
            f"{stem}/circuit.svg": circuit_svg(result, title),
            f"{stem}.tex": circuit_latex(result, title, document, beside)}


def circuit_chapter(result: CircuitDerivation, title: str, about: str = "") -> str:
    """The page as a chapter of the course's LaTeX book."""
    document = _audited(result, title, _PICTURE, about)
    printer = LatexPrinter(book=True, pictures={_PICTURE: circuit_picture(result, title)})
    return template("tex", "latex/chapter.tex.j2").render(
        title=escape_latex(title), body=printer.body(document))
