"""A folder of specs -> a MkDocs course site and a LaTeX book (``pipeline.run_course`` derives
the lessons)."""

from __future__ import annotations

from .course import Lesson, build_book, build_site, course_specs, mathjax_files, page_path

__all__ = ["Lesson", "build_book", "build_site", "course_specs", "mathjax_files", "page_path"]
