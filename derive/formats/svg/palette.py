"""The pictures' colours: Okabe–Ito (colour-blind safe) on a white card.

Emphasis is always thickness as well as colour, so no picture relies on colour alone.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["BLUE", "EDGE", "FILLS", "GRID", "INK", "MUTED", "ORANGE", "STROKES", "VERMILLION"]

INK, MUTED, EDGE, GRID = "#222222", "#555555", "#8c8c8c", "#e3e3e3"
BLUE, ORANGE, VERMILLION = "#0072B2", "#B07800", "#D55E00"  # Okabe–Ito (orange darkened)

# By the kind of node: what a picture fills and outlines it with
FILLS = MappingProxyType({"input": "#f2f2f2", "unit": "#dcecf7", "output": "#fbe8c8", "loss": "#ffffff",
         "param": "#fde3d3", "delta": "#eeeeee"})
STROKES = MappingProxyType({"input": MUTED, "unit": BLUE, "output": ORANGE, "loss": INK, "param": VERMILLION,
           "delta": MUTED})
