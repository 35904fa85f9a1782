"""The formats stage as a function of its arguments: no call depends on an earlier one.

A render used to keep the printed math of the last derivation in a module-level cache keyed by
``id()``, so ``render(d, None, r)`` after ``render(d, w, r)`` still printed the worked example.
"""

from __future__ import annotations

import pytest

from derive import build_network, check, derive, load_spec, render, work_example

from .conftest import EXAMPLES

EXAMPLE = "relu-worked-example-1-1-1"


def _run(name: str = EXAMPLE):
    path = EXAMPLES / f"{name}.yaml"
    derivation = derive(build_network(load_spec(path.read_text(encoding="utf-8"), str(path))))
    worked = work_example(derivation)
    return derivation, worked, check(derivation, worked)


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_a_render_without_example_shows_none_after_one_with_it(fmt: str) -> None:
    derivation, worked, report = _run()
    with_example = render(derivation, worked, report, stem="p", formats=(fmt,))[f"p.{fmt}"]
    without = render(derivation, None, report, stem="p", formats=(fmt,))[f"p.{fmt}"]
    fresh_derivation, _, fresh_report = _run()
    fresh = render(fresh_derivation, None, fresh_report, stem="p", formats=(fmt,))[f"p.{fmt}"]
    assert without == fresh
    assert without != with_example
    assert "Worked example" in with_example and "Worked example" not in without


def test_rendering_twice_gives_the_same_bytes() -> None:
    derivation, worked, report = _run("softmax-cross-entropy-3-classes")
    first = render(derivation, worked, report, stem="p", formats=("md", "tex", "json"))
    again = render(derivation, worked, report, stem="p", formats=("md", "tex", "json"))
    assert first == again


def test_printers_only_read_the_document() -> None:
    """Markdown and LaTeX are printers of one frozen document: printing changes nothing."""
    from derive.document import build_document
    from derive.formats.page import Page
    from derive.formats.page_printers import LatexPrinter, MarkdownPrinter

    derivation, worked, report = _run("softmax-cross-entropy-3-classes")
    document, _ = build_document(derivation, worked, report, Page(derivation, worked).printer)
    before = repr(document)
    markdown = MarkdownPrinter().page(document, "t")
    latex = LatexPrinter().body(document)
    assert repr(document) == before
    assert markdown == MarkdownPrinter().page(document, "t") and latex
