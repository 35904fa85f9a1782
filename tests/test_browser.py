"""The course site in a real browser: every formula of every page rendered by MathJax.

Builds the example course with ``derive-backprop site`` and ``mkdocs build --strict``,
serves it on 127.0.0.1, opens each page in headless Chromium (Debian's ``chromium``
driven by Playwright; no browser download) and asserts: every formula rendered, no
MathJax error node, no console error, no failed or non-local request. A page with
deliberately broken formulas must fail the same check. The counts go to
``artifacts/browser/report.json``, screenshots beside it.

Skips where Playwright, Chromium or MkDocs is missing; fails instead when ``CI`` is set.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

from .browser_check import check_site, chromium_path, markdown_formulas
from .conftest import EXAMPLES, ROOT, installed_cli
from .test_site import ABS_SPEC, TRAP_SPEC, mkdocs_build, need

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts")) / "browser"
EXAMPLE_STEMS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))

BROKEN_PAGE = r"""# Broken on purpose

A fraction with a missing argument:

$$
\frac{\partial L}{\partial w} = \frac{a}
$$

An unknown macro: \(\foo{x}\). An environment closed by the wrong name:

$$
\begin{aligned} a &= b \end{align}
$$

An unbalanced brace that MathJax never finds: \(x^{2\).

Rows outside an alignment, drawn as one line:

$$
a = b \\ c = d
$$

![a picture from a CDN](https://cdn.example.com/picture.png)
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    need(importlib.util.find_spec("playwright") is not None, "playwright (pip)")
    path = chromium_path()
    need(path is not None, "chromium (apt-get install chromium)")
    assert path is not None
    return path


def build_course(course: Path, out: Path, title: str, *extra: str) -> Path:
    """``derive-backprop site`` with the installed CLI; returns the MkDocs project folder."""
    result = subprocess.run([installed_cli(), "site", str(course), "-o", str(out), "--title",
                             title, *extra], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def example_site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = build_course(EXAMPLES, tmp_path_factory.mktemp("course") / "site",
                           "Backpropagation, derived")
    mkdocs_build(project)
    return project


def test_every_formula_of_the_example_course_renders(example_site: Path, chromium: str) -> None:
    shots = {"index.html": (ARTIFACTS / "index.png", ""),
             "output-and-hidden-layers-sigmoid.html": (ARTIFACTS / "hidden-layer.png",
                                                       "backpropagation-in-four-equations")}
    reports = check_site(example_site / "site", chromium, shots=shots)
    exercise = "exercise-one-step-sigmoid-2-2-1-exercise"
    assert sorted(r.url for r in reports) == sorted(
        ["index.html", *(f"{stem}.html" for stem in EXAMPLE_STEMS),
         f"{exercise}/question.html", f"{exercise}/solution.html"])
    counts = {}
    for report in reports:
        markdown = (example_site / "docs" / report.url).with_suffix(".md").read_text("utf-8")
        counts[report.url] = {"markdown": markdown_formulas(markdown), "html": report.static,
                              "rendered": report.rendered, "errors": len(report.errors),
                              "seconds": report.seconds, "engine": report.engine}
    total = sum(report.rendered for report in reports)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.json").write_text(json.dumps(
        {"pages": counts, "formulas_rendered": total}, indent=2, sort_keys=True) + "\n")
    bad = [report.problems() for report in reports if not report.ok]
    assert bad == [], "\n".join(bad)
    lost = {url: c for url, c in counts.items() if c["markdown"] != c["html"]}
    assert lost == {}, f"formulas Markdown ate before arithmatex saw them: {lost}"
    pages = [r for r in reports if r.url != "index.html" and not r.url.endswith("question.html")]
    assert all(r.rendered > 10 and r.engine == "mathjax 3.2.2" for r in pages)
    assert total == sum(c["markdown"] for c in counts.values()) > 100


def test_trap_course_renders_and_a_broken_formula_fails(chromium: str, tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "traps" / "deeper").mkdir(parents=True)
    (course / "traps" / "traps.yaml").write_text(TRAP_SPEC, encoding="utf-8")
    (course / "traps" / "deeper" / "abs.yaml").write_text(ABS_SPEC, encoding="utf-8")
    project = build_course(course, tmp_path / "site", 'Traps <b>&</b> "quotes" | {{ x }}')
    (project / "docs" / "broken.md").write_text(BROKEN_PAGE, encoding="utf-8")
    mkdocs_build(project)
    reports = {r.url: r for r in check_site(project / "site", chromium, shots={
        "broken.html": (ARTIFACTS / "broken.png", ""),
        "traps/traps.html": (ARTIFACTS / "traps.png", "")})}
    assert set(reports) == {"index.html", "broken.html", "traps/traps.html",
                            "traps/deeper/abs.html"}
    good = [r.problems() for url, r in reports.items() if url != "broken.html" and not r.ok]
    assert good == [], "\n".join(good)
    assert reports["traps/traps.html"].rendered > 100
    broken = reports["broken.html"]
    assert not broken.ok
    messages = " | ".join(e["error"] for e in broken.errors)
    assert len(broken.errors) == 3, messages
    assert "Missing argument" in messages and "Undefined control sequence \\foo" in messages
    assert [u["tex"] for u in broken.unrendered] == [r"\(x^{2\)"]
    assert len(broken.lost_breaks) == 1 and r"a = b \\ c = d" in broken.lost_breaks[0]
    assert any("cdn.example.com" in f for f in broken.failed)


def test_pages_print_short_and_no_formula_overflows_its_column(example_site: Path,
                                                                chromium: str) -> None:
    """Issue 15: the longest page of the course prints on at most 8 A4 pages; at 1280 px no
    display formula is wider than the content column (long rows are broken)."""
    from .browser_check import page_layout
    lengths, wide = {}, {}
    for stem in EXAMPLE_STEMS:
        pages, overflowing = page_layout(chromium, example_site / "site", f"{stem}.html")
        lengths[stem] = pages
        if overflowing:
            wide[stem] = overflowing
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "lengths.json").write_text(json.dumps(lengths, indent=2, sort_keys=True) + "\n")
    assert max(lengths.values()) <= 8, lengths
    assert wide == {}, wide
