"""A folder of specs -> a MkDocs course site and a LaTeX book (``pipeline.run_course`` derives
the lessons); ``project`` guards an existing output folder (marker, manifest, options)."""

from __future__ import annotations

from .course import Lesson, build_book, build_site, course_specs, mathjax_files, page_path
from .project import MANIFEST, MARKER, check_book, check_target, stale_files, with_manifest

__all__ = ["MANIFEST", "MARKER", "Lesson", "build_book", "build_site", "check_book",
           "check_target", "course_specs", "mathjax_files", "page_path", "stale_files",
           "with_manifest"]
