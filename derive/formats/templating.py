"""The Jinja environments, with templates compiled ahead of time (the only jinja2 import).

Compiling a template (parse, generate Python, ``compile``) costs more than rendering it: about
50 ms of every run for the four page templates. So the templates are compiled once, by
``python -m derive.compiled_templates``, into Python modules in that folder, which ship with
the package (and get their ``.pyc`` at install like any module). A module is named
after a hash of everything the generated code depends on (Jinja's version, the environment's
syntax options, the template's name and source): an edited template simply misses its module
and is compiled from source, as Jinja always does, until the folder is regenerated
(``tests/test_templating.py`` fails while it is stale).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["template", "environment", "compiled_modules", "COMPILED_PACKAGE", "COMPILED_DIR"]

COMPILED_PACKAGE = "derive.compiled_templates"
_HERE = Path(__file__).resolve().parent
COMPILED_DIR = _HERE.parent / "compiled_templates"

# What the generated code depends on besides the template source (Environment attributes).
_SYNTAX = ("block_start_string", "block_end_string", "variable_start_string",
           "variable_end_string", "comment_start_string", "comment_end_string",
           "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
           "newline_sequence", "keep_trailing_newline", "autoescape", "optimized", "is_async")


def _template_folder() -> Path:
    """Templates inside the installed package (the wheel puts them there), or the repository's."""
    packaged = _HERE.parent / "templates"
    return packaged if packaged.is_dir() else _HERE.parent.parent / "templates"


def module_name(env: jinja2.Environment, name: str, source: str) -> str:
    """``<stem>_<hash>``: readable in a listing, different whenever the generated code may be."""
    signature = repr((jinja2.__version__, [getattr(env, key) for key in _SYNTAX], name, source))
    digest = hashlib.sha256(signature.encode("utf-8")).hexdigest()[:20]
    stem = Path(name).name.split(".")[0].replace("-", "_")
    return f"{stem}_{digest}"


class PrecompiledLoader(jinja2.FileSystemLoader):
    """A file loader that takes a template's code from its compiled module when it is current.

    Jinja's own loader does the same with code it has just compiled: ``Template.from_code``
    runs it in a fresh namespace, so two environments never share the generated code's globals.
    """

    def load(self, environment: jinja2.Environment, name: str,
             globals: Any = None) -> jinja2.Template:
        source, _, uptodate = self.get_source(environment, name)
        module = module_name(environment, name, source)
        path = COMPILED_DIR / f"{module}.py"
        if not path.is_file():
            return super().load(environment, name, globals)
        # Python's own source loader, not the import system: it reads the .pyc that pip wrote
        # (or compiles once), and no import hook (pytest's assertion rewriter) stands between.
        loader = importlib.machinery.SourceFileLoader(f"{COMPILED_PACKAGE}.{module}", str(path))
        code = loader.get_code(loader.name)
        return environment.template_class.from_code(environment, code, globals or {}, uptodate)


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


def _environments() -> dict[str, jinja2.Environment]:
    common: dict[str, Any] = dict(
        loader=PrecompiledLoader(str(_template_folder())), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    tex = _Environment(block_start_string="((*", block_end_string="*))",
                       variable_start_string="(((", variable_end_string=")))",
                       comment_start_string="((=", comment_end_string="=))", **common)
    return {"md": _Environment(**common), "tex": tex}


_ENVIRONMENTS: dict[str, jinja2.Environment] = {}

# Which environment reads which templates (the LaTeX ones use TeX-safe delimiters).
TEMPLATES = {"md": ("markdown/page.md.j2", "site/mkdocs.yml.j2", "site/index.md.j2",
                    "site/mathjax-config.js.j2"),
             "tex": ("latex/page.tex.j2", "latex/chapter.tex.j2", "latex/book.tex.j2",
                     "latex/body.tex.j2", "latex/preamble.tex.j2")}


def environment(fmt: str) -> jinja2.Environment:
    if not _ENVIRONMENTS:
        _ENVIRONMENTS.update(_environments())
    return _ENVIRONMENTS[fmt]


def template(fmt: str, name: str) -> jinja2.Template:
    """The template ``name`` of the ``fmt`` ("md" or "tex") environment."""
    return environment(fmt).get_template(name)


def compiled_modules() -> dict[str, str]:
    """File name -> Python source of every template's compiled module (pure: nothing written)."""
    modules: dict[str, str] = {}
    for fmt, names in TEMPLATES.items():
        env = environment(fmt)
        for name in names:
            source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            code = env.compile(source, name, None, raw=True)
            header = f"# Generated by `python -m {COMPILED_PACKAGE}` from templates/{name}.\n"
            modules[f"{module_name(env, name, source)}.py"] = header + code + "\n"
    return modules
