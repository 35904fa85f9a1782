"""A folder of specs -> a MkDocs course site and a LaTeX book."""

from __future__ import annotations

from .course import Lesson, build_book, build_site, page_path

__all__ = ["Lesson", "build_book", "build_site", "page_path"]
