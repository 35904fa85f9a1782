"""The SVG writer's text primitives, kept where the pictures' modules and tests import them
from (they live with the picture model's writers, derive/formats/picture/markup.py)."""

from __future__ import annotations

from ..picture.markup import Sheet, coordinate, escape

__all__ = ["Sheet", "coordinate", "escape"]
