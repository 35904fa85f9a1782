"""The Jinja environments: format name -> ``jinja2.Environment`` (the only jinja2 import).

Two environments, each with its own syntax: ``md`` (Markdown and the site files, Jinja's
delimiters) and ``tex`` (LaTeX, TeX-safe delimiters ``((* *))``, ``((( )))``, ``((= =))``).

Compiling a template (parse, generate Python, ``compile``) costs more than rendering it, so
the wheel ships them compiled: ``hatch_build.py`` calls Jinja's own
``Environment.compile_templates`` for each environment at build time into
``derive/templates_compiled/<fmt>/``, stamped with the Jinja version that compiled them, and
pip byte-compiles them like any module. Here ``jinja2.ModuleLoader`` reads them when the stamp
matches the running Jinja; otherwise (a source checkout, an editable install, another Jinja)
the templates are compiled from ``templates/`` as Jinja always does. Nothing here writes.

This module imports nothing from derive, so the build hook can load it without the
package's dependencies.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["COMPILED_FOLDER", "FORMATS", "STAMP", "environment", "new_environment", "owns",
           "template", "template_folder", "template_loader"]

FORMATS = ("md", "tex")
COMPILED_FOLDER = "templates_compiled"      # inside the installed package
STAMP = "jinja2-version.txt"                # beside the compiled folders: who compiled them

# Top-level folders of templates/ that each environment reads.
_FOLDERS = (("md", ("markdown", "site")), ("tex", ("latex",)))
_TEX_SYNTAX = (("block_start_string", "((*"), ("block_end_string", "*))"),
               ("variable_start_string", "((("), ("variable_end_string", ")))"),
               ("comment_start_string", "((="), ("comment_end_string", "=))"))
_PACKAGE = Path(__file__).resolve().parent.parent


def template_folder() -> Path:
    """Templates inside the installed package (the wheel puts them there), or the repository's."""
    packaged = _PACKAGE / "templates"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "templates"


def owns(fmt: str, name: str) -> bool:
    """Whether the template ``name`` (relative to templates/) belongs to environment ``fmt``."""
    return name.endswith(".j2") and name.split("/")[0] in dict(_FOLDERS)[fmt]


def template_loader(fmt: str, compiled: Path | None = None) -> jinja2.BaseLoader:
    """Jinja's ModuleLoader over ``compiled/<fmt>`` when a matching Jinja compiled it, else the
    source templates. ``compiled`` defaults to the installed package's folder."""
    folder = _PACKAGE / COMPILED_FOLDER if compiled is None else compiled
    try:
        stamp = (folder / STAMP).read_text(encoding="utf-8").strip()
    except OSError:
        stamp = None
    if stamp == jinja2.__version__ and (folder / fmt).is_dir():
        return jinja2.ModuleLoader(folder / fmt)
    return jinja2.FileSystemLoader(template_folder())


class _Environment(jinja2.Environment):
    """Jinja's environment with dict keys looked up before attributes.

    The page context is plain dicts, and Jinja tries ``getattr`` first, so each ``g.symbol``
    raised and caught an AttributeError (a third of the template time at 971 parameters).
    A dict without the key, and every other object, take Jinja's own lookup.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def new_environment(fmt: str, loader: jinja2.BaseLoader) -> jinja2.Environment:
    """A fresh environment of format ``fmt`` ("md" or "tex") reading templates from ``loader``."""
    if fmt not in FORMATS:
        raise ValueError(f"no template environment {fmt!r}")
    syntax = dict(_TEX_SYNTAX) if fmt == "tex" else {}
    return _Environment(loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True,
                        lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                        **syntax)


@functools.cache
def environment(fmt: str) -> jinja2.Environment:
    """The process's environment of format ``fmt``.

    Cached (a pure function of a format name): Jinja keeps each loaded template inside its
    environment, so every spec after the first in one process (a site worker, the pytest
    plugin) skips loading them again.
    """
    return new_environment(fmt, template_loader(fmt))


def template(fmt: str, name: str) -> jinja2.Template:
    """The template ``name`` of the ``fmt`` ("md" or "tex") environment."""
    return environment(fmt).get_template(name)
