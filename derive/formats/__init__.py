"""The page in every format: Markdown, LaTeX, JSON, pictures, and the site's and book's files.

    documents            render (a page in each format), render_chapter, render_book, render_site
    page                 Page (what one render call's formats share), page_context
    derivative_sections  the network, the forward pass, the derivations per parameter
    summary_sections     the δ recursion, the matrix form, the worked example, the check
    json_page            the JSON contract (a plain dict)
    tex_rows             the LaTeX page's display math broken into align* rows (texbreak)
    figures, svg/        the SVG pictures beside a page (svg/: network, paths, loss curve)
    escape, prose        the only escapers; sentences that mix text and math
    flavors              the page in plain Markdown (Jupyter, VS Code, GitHub)
    templating           the Jinja environments (the only jinja2 import)
"""

from __future__ import annotations

from .documents import (
    FORMATS, mathjax_config, render, render_book, render_chapter, render_site)
from .circuit_page import circuit_files
from .escape import escape_latex, escape_markdown
from .flavors import plain_markdown

__all__ = ["circuit_files", "FORMATS", "mathjax_config", "render", "render_book", "render_chapter", "render_site", "escape_latex",
           "escape_markdown", "plain_markdown"]
