"""A course's rendered pages -> a complete MkDocs project, ``dict[relative path, text | bytes]``.

Input: one ``Lesson`` per spec of a course folder, already derived, checked and rendered
(the CLI does that in parallel). Output, all relative to the site folder:

- ``mkdocs.yml``: Material, ``pymdownx.arithmatex`` in generic mode, details, superfences,
  and a nav grouped by the course's folders;
- ``docs/index.md``: every network with its layers, parameters and check status;
- ``docs/<folder>/<spec>.md``: one page per spec, its pictures beside it;
- ``docs/assets/mathjax/``: MathJax 3.2.2, vendored inside this package, so the site needs
  no CDN to build or to view.

``build_book`` makes the LaTeX course book: one chapter per spec, a part per folder.
``course_specs`` lists a course folder's specs. Nothing here writes; the only reads are that
listing and the packaged MathJax files. Deriving the lessons is ``pipeline.run_course``'s job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

from ..calculus import Derivation
from ..display import decoded_name, display_name
from ..errors import OutputError
from ..formats import render_book, render_site
from ..verify import CheckReport

__all__ = ["MATHJAX_DIR", "Lesson", "build_book", "build_site", "course_order", "course_specs",
           "mathjax_files", "page_path"]

MATHJAX_DIR = "docs/assets/mathjax"
_RESERVED = frozenset({"index", "readme"})       # MkDocs turns these into a folder's index page
_NOT_SPECS = frozenset({"mkdocs.yml", "mkdocs.yaml"})   # a project's own settings, never a spec


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    """One spec of the course: where it came from, where its page goes, what its check said."""

    source: str                        # the spec inside the course folder: "basics/relu.yaml"
    page: str                          # its page under docs/, without ".md": "basics/relu"
    title: str                         # raw text, escaped by render for each format
    passed: bool
    compared: int
    max_abs_error: float
    parameters: int
    architecture: str                  # units from input to output: "2-2-1"
    files: tuple[tuple[str, str | bytes], ...]   # the page and its pictures, by file name
    chapter: str = ""                  # the LaTeX chapter, when a book is wanted
    order: int | None = None           # the spec's ``order:``, its place in its folder
    about: str = ""                    # the spec's ``about:``: what the lesson teaches
    extras: tuple[tuple[str, str], ...] = ()   # (title, page beside it): an exercise's sheets
    network: str = ""                  # the index's network column, when not units: "a circuit"
    verdict: str = ""                  # the index's check column, when not comparisons

    @classmethod
    def from_derivation(cls, *, source: str, page: str, derivation: Derivation,
                        report: CheckReport, files: Mapping[str, str | bytes],
                        chapter: str = "") -> Lesson:
        """The lesson of one derived, checked and rendered spec."""
        network = derivation.network
        units = (len(network.x), *(layer.units for layer in network.layers))
        return cls(source=source, page=page, title=network.spec.title, passed=report.passed,
                   compared=report.compared, max_abs_error=report.max_abs_error,
                   parameters=len(network.parameters), architecture="-".join(map(str, units)),
                   files=tuple(sorted(files.items())), chapter=chapter,
                   order=network.spec.order, about=network.spec.about)


def course_specs(folder: Path, skip: Path | None = None) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``folder``, in name order, outside hidden folders and
    ``skip``; a ``mkdocs.yml`` (a generated project's or the author's) is never a spec."""
    found = []
    for path in sorted(folder.rglob("*")):
        inside = path.relative_to(folder)
        if (path.suffix in (".yaml", ".yml") and path.name not in _NOT_SPECS and path.is_file()
                and not any(part.startswith(".") for part in inside.parts)
                and (skip is None or skip.resolve() not in path.resolve().parents)):
            found.append(path)
    return found


def page_path(folders: Sequence[str], stem: str) -> str:
    """The page's place under docs/ from already safe names; ``index``/``readme`` get a suffix."""
    name = f"{stem}-network" if stem.lower() in _RESERVED else stem
    return "/".join([*folders, name])


def _sort_key(lesson: Lesson) -> tuple[tuple[int, int, str], ...]:
    """Pages before sub-folders at every level; pages in their ``order:`` (teaching order),
    then those without one; each kind in name order."""
    *folders, name = lesson.page.split("/")
    place = lesson.order if lesson.order is not None else 1_000_001
    return (*((1, 0, folder) for folder in folders), (0, place, name))


def course_order(lessons: Sequence[Lesson]) -> list[Lesson]:
    """The lessons in nav order; two specs that would share one page are an error."""
    ordered = sorted(lessons, key=_sort_key)
    for before, after in zip(ordered, ordered[1:]):
        if before.page == after.page:
            raise OutputError("site", "one spec per page name",
                              got_text=f"{before.source!r} and {after.source!r} -> "
                                       f"{before.page}.md")
    return ordered


def _folder_titles(lessons: Sequence[Lesson]) -> dict[tuple[str, ...], str]:
    """Safe folder path -> the folder's own name as the course spells it (the first seen)."""
    titles: dict[tuple[str, ...], str] = {}
    for lesson in lessons:
        safe = lesson.page.split("/")[:-1]
        raw = PurePosixPath(lesson.source).parts[:-1]
        for depth in range(len(safe)):
            shown = display_name(decoded_name(raw[depth]), default=safe[depth]) \
                if depth < len(raw) else safe[depth]
            titles.setdefault(tuple(safe[:depth + 1]), shown)
    return titles


def _nav(ordered: Sequence[Lesson], titles: dict[tuple[str, ...], str]) -> list[tuple[int, str,
                                                                                      str]]:
    """(depth, title, page or "" for a folder) in order, the index page first."""
    nav = [(0, "Overview", "index.md")]
    open_folders: tuple[str, ...] = ()
    for lesson in ordered:
        folders = tuple(lesson.page.split("/")[:-1])
        shared = 0
        while shared < min(len(folders), len(open_folders)) and \
                folders[shared] == open_folders[shared]:
            shared += 1
        for depth in range(shared, len(folders)):
            nav.append((depth, titles[folders[:depth + 1]], ""))
        nav.append((len(folders), lesson.title, f"{lesson.page}.md"))
        base = "/".join(folders)
        nav += [(len(folders), title, f"{base}/{extra}.md" if base else f"{extra}.md")
                for title, extra in lesson.extras]
        open_folders = folders
    return nav


def _groups(ordered: Sequence[Lesson],
            titles: dict[tuple[str, ...], str]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Index sections: one per folder ("" for the course's top level), in nav order."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for lesson in ordered:
        folders = tuple(lesson.page.split("/")[:-1])
        groups.setdefault(folders, []).append({
            "title": lesson.title, "href": f"{lesson.page}.md", "passed": lesson.passed,
            "compared": lesson.compared, "max_abs_error": lesson.max_abs_error,
            "architecture": lesson.architecture, "parameters": lesson.parameters,
            "about": lesson.about, "network": lesson.network, "verdict": lesson.verdict})
    return [(" / ".join(titles[folders[:d + 1]] for d in range(len(folders))), members)
            for folders, members in groups.items()]


def _mathjax_root() -> Traversable:
    """MathJax inside the installed package, or in the repository's templates folder."""
    packaged = resources.files("derive") / "templates" / "site" / "mathjax"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates" / "site" / "mathjax"


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            yield from _walk(item, f"{prefix}{item.name}/")
        else:
            yield f"{prefix}{item.name}", item


def mathjax_files() -> dict[str, bytes]:
    """The vendored MathJax files by path under ``assets/mathjax/`` (its notes left out)."""
    return {name: item.read_bytes() for name, item in _walk(_mathjax_root(), "")
            if name != "SOURCE.txt"}


def build_site(lessons: Sequence[Lesson], *, title: str) -> dict[str, str | bytes]:
    """Every file of the MkDocs project, by path relative to the site folder."""
    ordered = course_order(lessons)
    titles = _folder_titles(ordered)
    files: dict[str, str | bytes] = dict(render_site(title, _groups(ordered, titles),
                                                     _nav(ordered, titles)))
    for lesson in ordered:
        folder = PurePosixPath("docs", lesson.page).parent
        for name, content in lesson.files:
            files[str(folder / name)] = content
    for name, content in mathjax_files().items():
        files[f"{MATHJAX_DIR}/{name}"] = content
    return files


def build_book(lessons: Sequence[Lesson], *, title: str) -> str:
    """The course as one LaTeX document: a chapter per spec, a part per folder, in nav order."""
    ordered = course_order(lessons)
    titles = _folder_titles(ordered)
    parts: list[tuple[str, list[str]]] = []
    for lesson in ordered:
        folders = tuple(lesson.page.split("/")[:-1])
        name = " / ".join(titles[folders[:d + 1]] for d in range(len(folders)))
        if not parts or parts[-1][0] != name:
            parts.append((name, []))
        parts[-1][1].append(lesson.chapter)
    return render_book(title, parts)
