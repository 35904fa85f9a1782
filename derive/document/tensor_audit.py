"""Every equation of a typed-layer page evaluated before anything is written.

The same audit as a network page's (``audit``): symbolic equations at seeded random points,
lines with the example's numbers at the example, each ``partial(A, B)`` a central difference
through the batch's graph (``evaluate``), never the reverse mode whose numbers the page
prints. A false equation stops the run (exit 1).
"""

from __future__ import annotations

import random

from ..tensor import Model
from .audit import AuditReport, FalseEquation, compare_equation
from .evaluate import OUTSIDE, Graph, Point
from .model import Document

__all__ = ["audit_tensor_page"]

RANDOM_POINTS = 2
DRAWS = 50


def _random(model: Model, graph: Graph, rng: random.Random) -> Point:
    for _ in range(DRAWS):
        leaves = dict(model.data)
        leaves.update({s: rng.uniform(-2, 2) for s in model.x.symbols})
        leaves.update({s: rng.uniform(-1, 1) for t in model.graph.parameters
                       for s in t.symbols})
        try:
            return Point(graph, leaves)
        except OUTSIDE:
            continue
    raise FalseEquation("audit", "a random point where the page's functions are defined",
                        got_text=f"none in {DRAWS} draws", stage="audit")


def audit_tensor_page(document: Document, model: Model, *, seed: int = 0) -> AuditReport:
    """What was compared (as a network page's ``audit`` reports it); ``FalseEquation`` at
    the first false one."""
    graph = Graph(list(model.graph.definitions))
    rng = random.Random(seed)
    example = Point(graph, model.values())
    randoms = [_random(model, graph, rng) for _ in range(RANDOM_POINTS)]
    compiled: dict = {}
    verified = at_example = at_kinks = 0
    for where, display in document.displays():
        for line in display.lines:
            eq = line.equation
            if eq is None:
                continue
            points = [example] if eq.at == "example" else randoms
            if any([compare_equation(eq, p, where, line.latex, compiled) for p in points]):
                verified += 1
                at_example += eq.at == "example"
            else:
                at_kinks += 1
    return AuditReport(equations=verified, example_lines=at_example, points=RANDOM_POINTS,
                       at_kinks=at_kinks)
