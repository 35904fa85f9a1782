"""The page's pictures: the names ``pages`` calls, drawn by the ``svg`` package.

Kept so ``pages`` can go on importing ``pictures`` lazily (only pages with pictures pay
for it); new code imports ``derive.formats.svg``.
"""

from __future__ import annotations

from .svg import loss_curve_svg, network_svg, path_highlight, path_svg, symbol_labels

__all__ = ["loss_curve_svg", "network_svg", "path_highlight", "path_svg", "symbol_labels"]
