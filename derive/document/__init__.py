"""(Derivation, WorkedExample, CheckReport) -> a page as data, every equation audited.

    model        Document, Section and the blocks (Text, Display, Table, Figure, Details, Callout)
    quantities   the network's quantities under SPEC.md v1.1's ASCII names; the JSON graph
    lines        display lines: printed LaTeX and SymPy sides from the same objects
    evaluate     floats at a point; ∂A/∂B by central differences through the graph
    audit        every equation evaluated before anything is written
    context      what each section builder reads
    forward, backprop, derivations, batch, example, checking   the sections, in page order
    build        the sections assembled, audited, with the banner's verdicts
    sheet        an exercise's task (the network, its training) for a question sheet, audited
"""

from __future__ import annotations

from .audit import AuditReport, FalseEquation, audit
from .build import build_document
from .model import (Block, Callout, Details, Display, Document, Equation, Figure, Line, Section,
                    Table, Text)
from .quantities import TextPrinter, graph_entries, text_of

__all__ = ["AuditReport", "Block", "Callout", "Details", "Display", "Document", "Equation",
           "FalseEquation", "Figure", "Line", "Section", "Table", "Text", "audit",
           "build_document", "graph_entries", "text_of", "TextPrinter"]
