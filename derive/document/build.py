"""(Derivation, WorkedExample, CheckReport) -> the audited ``Document`` of one page.

The order teaches: the network and its forward pass, the four equations in a box, the
derivatives every chain reuses (derived once), one worked derivation per kind of parameter,
the δ recursion, every parameter in a table (its full chain in a closed box), the batch in
matrix form, the worked example, the hand-written claims and how it was all checked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..calculus import Derivation, Printer
from ..numbers import WorkedExample, precise
from ..verify import CheckReport
from .audit import AuditReport, audit
from .backprop import delta_section, derivatives_section, summary_box
from .batch import batch_section
from .checking import banner, checking_section, claims_section
from .context import Context
from .derivations import bias_section, featured, gradient_section, table_section
from .example import example_section
from .forward import forward_section, network_section
from .model import Callout, Document, Section, plain

__all__ = ["build_document"]


def _sections(c: Context, pictures: dict[str, Any]) -> list[Section]:
    shown = featured(c)
    sections = [network_section(c, pictures.get("network")), forward_section(c),
                Section(plain("Backpropagation in four equations"), (summary_box(c),)),
                derivatives_section(c)]
    sections += [gradient_section(c, i, pictures.get("paths", {})) for i in shown]
    sections += [s for s in (bias_section(c) if len(shown) < len(c.derivation.gradients)
                             else None,) if s is not None]
    sections += [delta_section(c), table_section(c, shown), batch_section(c)]
    sections += [s for s in (example_section(c, pictures.get("loss")), claims_section(c))
                 if s is not None]
    return sections


@precise
def build_document(derivation: Derivation, worked: WorkedExample | None, report: CheckReport,
                   printer: Printer, *, pictures: dict[str, Any] | None = None
                   ) -> tuple[Document, AuditReport]:
    """The page as data, every equation on it evaluated (``FalseEquation`` if one is false);
    ``printer``: the render's, in the spec's notation. A point float64 cannot evaluate is
    evaluated in mpmath's numbers at the check's 50 digits (``precise``): a sigmoid at
    z = 40 is 1 − 4e-18, which 53 bits round to 1, and BCE's log(1 − ŷ) is then log 0."""
    c = Context(derivation, worked, report, printer)
    spec = derivation.network.spec
    body = _sections(c, pictures or {})
    draft = Document(title=spec.title, about=spec.about,
                     banner=Callout("note", plain(""), ()), sections=tuple(body))
    checked = audit(draft, derivation.network, worked, seed=report.seed, graphs=c.graphs)
    document = replace(draft, banner=banner(c, checked),
                       sections=(*draft.sections, checking_section(c, checked)))
    return document, checked
