"""A typed-layer spec's files: its page in Markdown and LaTeX (one audited ``Document``), its
JSON and its pictures, as ``{relative path: text}``."""

from __future__ import annotations

import json

from ..document import AuditReport, Document, TextPrinter
from ..document.tensor_build import build_tensor_document
from ..document.tensor_page import TensorTex
from ..tensor import Model, TensorCheck, TensorWorked
from .escape import escape_json, escape_latex, page_meta_title
from .json_page import equations_of
from .page_printers import LatexPrinter, MarkdownPrinter
from .templating import template
from .picture.svg import svg_text
from .tensor_pictures import tensor_drawings

__all__ = ["tensor_files", "tensor_json"]


def _graph(model: Model, tex: TensorTex, text: TextPrinter) -> list[dict]:
    """Every node of the batch in forward order, as SPEC.md v1.1's ``graph`` (the whole
    batch: a typed layer may couple samples, so the names carry theirs); a node's role is its
    tensor's kind: input, target, parameter, value or loss."""
    kinds = {s: t.kind for t in reversed(model.graph.tensors) for s in t.symbols}
    leaves = [s for t in model.graph.tensors if t.kind in ("input", "target", "parameter")
              for s in t.symbols]
    nodes = [(s, None) for s in leaves] + list(model.graph.definitions)  # definitions' order:
    return [{"name": s.name, "latex": tex.symbol(s), "role": kinds[s],  # an RNN interleaves
             "definition": None if definition is None else text.side(definition)}
            for s, definition in nodes]


def tensor_json(model: Model, worked: TensorWorked, check: TensorCheck, audited: AuditReport,
                document: Document | None = None) -> dict:
    """The page's numbers at full precision, with its graph and every displayed equation
    (docs/layers.md describes the fields)."""
    spec = model.spec
    text = TextPrinter(0)
    mathematics = {} if document is None else {
        "graph": _graph(model, TensorTex(model), text),
        "equations": equations_of(document, text)}
    return {**mathematics,
        "title": spec.title, "kind": "layers", "input_shape": list(spec.shape),
        "loss": spec.loss.name, "reduction": spec.reduction, "samples": model.graph.samples,
        "layers": [{"type": r.spec.type, "output_shape": list(r.output.sample_shape),
                    "parameters": {t.name: list(t.shape) for t in r.parameters}}
                   for r in model.layers],
        "parameters": [{"name": s.name, "value": worked.values[s],
                        "grad": worked.grads.get(s, 0.0), "updated": worked.updated[s],
                        "final": worked.final[s]}
                       for t in model.graph.parameters for s in t.symbols],
        "losses": list(worked.losses),
        "verified": {"equations": audited.equations, "equations_at_kinks": audited.at_kinks,
                     "gradients": check.compared,
                     "skipped_at_kinks": check.skipped, "max_rel_error": check.max_rel_error,
                     "oracles": list(check.methods), "against_torch": check.torch_compared,
                     "passed": check.passed},
    }


def tensor_files(model: Model, worked: TensorWorked, check: TensorCheck, *, stem: str,
                 formats: tuple[str, ...], seed: int = 0,
                 chapter: bool = False) -> tuple[dict[str, str], str]:
    """(the files asked for, the course book's chapter or ""); the pictures go with the
    Markdown page as SVG files and into the LaTeX as TikZ (one drawing each)."""
    document, _, audited = build_tensor_document(model, worked, check, stem=stem, seed=seed)
    title = model.spec.title
    out: dict[str, str] = {}
    drawn = tensor_drawings(model, worked, stem) if {"md", "tex"} & set(formats) or chapter \
        else {}
    figures = {"/".join(path.split("/")[-2:]): picture for path, picture in drawn.items()}
    if "md" in formats:
        out[f"{stem}.md"] = MarkdownPrinter().page(document, page_meta_title(title))
        out.update((path, svg_text(picture)) for path, picture in drawn.items())
    if "tex" in formats:
        out[f"{stem}.tex"] = template("tex", "latex/page.tex.j2").render(
            title=escape_latex(title), body=LatexPrinter(pictures=figures).body(document))
    if "json" in formats:
        text = json.dumps(tensor_json(model, worked, check, audited, document), indent=2,
                          sort_keys=True, ensure_ascii=False)
        out[f"{stem}.json"] = escape_json(text) + "\n"
    book = template("tex", "latex/chapter.tex.j2").render(
        title=escape_latex(title), body=LatexPrinter(book=True, pictures=figures).body(document)) \
        if chapter else ""
    return out, book
