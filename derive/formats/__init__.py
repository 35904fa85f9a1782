"""The page in every format: Markdown, LaTeX, JSON, pictures, and the site's and book's files.

    documents            render (a page in each format), render_chapter, render_book, render_site
    page                 Page (the derivation, example and printer one render call shares)
    page_printers        the Document printed as Markdown, LaTeX and HTML (block by block)
    json_page            the JSON contract (a plain dict), with the page's graph and equations
    texbreak, texnodes, texwidth   long display rows broken to the width (both formats)
    figures, svg/        the SVG pictures beside a page (svg/: network, paths, loss curve)
    numpy_module, numpy_forms      --format numpy: a standalone NumPy module of the spec
    escape               the only escapers
    flavors              the page in plain Markdown (Jupyter, VS Code, GitHub)
    templating           the Jinja environments (the only jinja2 import)
"""

from __future__ import annotations

from .documents import (
    FORMATS, mathjax_config, page_css, render, render_book, render_chapter, render_pages,
    render_site)
from .escape import escape_latex, escape_markdown
from .flavors import plain_markdown

__all__ = ["circuit_files", "FORMATS", "mathjax_config", "page_css", "render", "render_book", "render_chapter", "render_pages", "render_site", "escape_latex",
           "escape_markdown", "plain_markdown"]


def __getattr__(name: str) -> object:
    """``circuit_files``, loaded on first use: a network's run never draws a circuit."""
    if name == "circuit_files":
        from .circuit_page import circuit_files

        return circuit_files
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
