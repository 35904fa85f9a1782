"""(Derivation, WorkedExample, CheckReport) -> ``dict[file name, text]``, and the site's and
book's own files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from ..calculus import Derivation
from ..errors import NumericError
from ..numbers import WorkedExample
from ..verify import CheckReport
from ..document import build_document
from .escape import escape_json, escape_latex, escape_markdown, page_meta_title
from .figures import page_pictures
from .json_page import json_document
from .page import Page
from .page_printers import LatexPrinter, MarkdownPrinter
from .picture.svg import svg_text
from .templating import template


__all__ = ["FORMATS", "render", "render_chapter", "render_pages", "render_book", "render_site", "mathjax_config",
           "page_css"]


FORMATS = ("md", "tex", "json")


def render(derivation: Derivation, worked: WorkedExample | None, report: CheckReport, *,
           stem: str, formats: tuple[str, ...] = ("md",)) -> dict[str, str]:
    """File name -> text for each requested format (SVG pictures go with the Markdown page;
    the LaTeX page draws them in TikZ)."""
    return render_pages(derivation, worked, report, stem=stem, formats=formats)[0]


def render_pages(derivation: Derivation, worked: WorkedExample | None, report: CheckReport, *,
                 stem: str, formats: tuple[str, ...] = ("md",), chapter: bool = False
                 ) -> tuple[dict[str, str], str]:
    """(file name -> text, the course book's chapter or "") from ONE ``Document``, audited
    once before any format is printed (``FalseEquation``)."""
    out: dict[str, str] = {}
    page = Page(derivation, worked)
    drawn, links = page_pictures(page, stem) if {"md", "tex"} & set(formats) or chapter \
        else ({}, {})
    document, audited = _document(derivation, worked, report, page.printer, pictures=links)
    if "md" in formats:
        out[f"{stem}.md"] = MarkdownPrinter().page(document,
                                                   page_meta_title(derivation.network.spec.title))
        out.update((name, svg_text(picture)) for name, picture in drawn.items())
    if "tex" in formats:
        out[f"{stem}.tex"] = template("tex", "latex/page.tex.j2").render(
            title=escape_latex(derivation.network.spec.title),
            body=LatexPrinter(pictures=drawn).body(document))
    if "json" in formats:
        data = json_document(page, report, document, audited)
        out[f"{stem}.json"] = escape_json(json.dumps(data, indent=2, sort_keys=True,
                                                     ensure_ascii=False)) + "\n"
    book = template("tex", "latex/chapter.tex.j2").render(
        title=escape_latex(derivation.network.spec.title),
        body=LatexPrinter(book=True, pictures=drawn).body(document)) if chapter else ""
    return out, book


def _document(derivation: Derivation, *args: Any, **kwargs: Any) -> Any:
    """``build_document``; a float64 domain error or overflow while it evaluates the example
    (log of a softmax output that underflowed: logits 1 000 apart, which the numbers stages
    compute by log-sum-exp) is the example's numbers, refused in one line, not a bug."""
    try:
        return build_document(derivation, *args, **kwargs)
    except (OverflowError, ValueError) as exc:
        if not isinstance(exc, OverflowError) and "math domain error" not in str(exc):
            raise
        spec = derivation.network.spec
        raise NumericError("example", "numbers the page's float64 audit can evaluate",
                           got_text=f"{exc} in it (check computes them in 50 digits)",
                           file=spec.file, line=spec.line_of("example"),
                           hint="use smaller inputs, weights or learning rate") from None


def render_chapter(derivation: Derivation, worked: WorkedExample | None,
                   report: CheckReport) -> str:
    """One spec as a chapter of the course book: the body of its standalone LaTeX page."""
    return render_pages(derivation, worked, report, stem="", formats=(), chapter=True)[1]


def render_book(title: str, parts: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The course book: ``parts`` are (folder title or "", chapters from ``render_chapter``)."""
    prepared = [{"title": escape_latex(name), "chapters": list(chapters)}
                for name, chapters in parts]
    return template("tex", "latex/book.tex.j2").render(title=escape_latex(title),
                                                                parts=prepared)


NAV_TITLE = 150


SITE_TEMPLATES = MappingProxyType({"mkdocs.yml": "site/mkdocs.yml.j2", "docs/index.md": "site/index.md.j2",
                  "docs/javascripts/mathjax-config.js": "site/mathjax-config.js.j2",
                  "docs/stylesheets/derive-backprop.css": "site/derive-backprop.css.j2"})


def render_site(title: str, groups: Sequence[tuple[str, Sequence[dict[str, Any]]]],
                nav: Sequence[tuple[int, str, str]]) -> dict[str, str]:
    """The MkDocs project's own files: ``mkdocs.yml``, the index page, the MathJax settings.

    ``groups``: (folder title or "", lessons as dicts with ``title``, ``href``, ``passed``,
    ``compared``, ``max_abs_error``, ``architecture``, ``parameters``); ``nav``: (depth, title,
    page path or "" for a section). Titles arrive raw and are escaped here: for Markdown in the
    index page; in ``mkdocs.yml`` as HTML (the theme inserts nav titles and the site name
    unescaped) inside JSON strings, which YAML reads as double-quoted scalars.
    """
    import html  # only for the site

    def quote(text: str) -> str:
        return json.dumps(html.escape(text), ensure_ascii=False)

    def key(text: str) -> str:
        """A nav title as a YAML key: keys stop at 1024 characters, and escaping can grow a
        character sixfold (``"`` -> ``&quot;``), so long titles are cut to NAV_TITLE."""
        return quote(text if len(text) <= NAV_TITLE else text[:NAV_TITLE - 1] + "…")

    nav_lines = [f"{'  ' * (depth + 1)}- {key(name)}:" + (f" {quote(path)}" if path else "")
                 for depth, name, path in nav]
    lessons = [lesson for _, members in groups for lesson in members]
    passed = sum(lesson["passed"] for lesson in lessons)
    summary = (f"{len(lessons)} lesson{'s' if len(lessons) != 1 else ''}; "
               f"{passed} of {len(lessons)} passed the numeric check.")
    context = {
        "site_name": quote(title), "title": escape_markdown(title), "summary": summary,
        "nav": nav_lines,
        "groups": [{"title": escape_markdown(name), "lessons": [
            {**lesson, "title": escape_markdown(lesson["title"]), "step": step,
             "about": escape_markdown(" ".join(lesson.get("about", "").split())),
             "max_abs": f"{lesson['max_abs_error']:.2g}"}
            for step, lesson in enumerate(members, start=1)]}
            for name, members in groups],
    }
    return {name: template("md", source).render(**context)
            for name, source in SITE_TEMPLATES.items()}


def page_css() -> str:
    """The style the pages need beyond Material's (a print rule for screen-only boxes)."""
    return template("md", SITE_TEMPLATES["docs/stylesheets/derive-backprop.css"]).render()


def mathjax_config() -> str:
    """The MathJax settings the pages need (arithmatex's generic output, Material's navigation)."""
    return template("md", SITE_TEMPLATES["docs/javascripts/mathjax-config.js"]).render()
