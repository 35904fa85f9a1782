"""The page in every format: Markdown, LaTeX, JSON (pages), line breaking, templates, pictures."""

from __future__ import annotations

from .pages import FORMATS, render, render_book, render_chapter, render_site

__all__ = ["FORMATS", "render", "render_book", "render_chapter", "render_site"]
