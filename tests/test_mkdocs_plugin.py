"""The MkDocs plugin: a stock MkDocs project with ``plugins: [derive-backprop]`` and a folder
of specs builds strictly, every formula renders in Chromium, and under a real ``mkdocs serve``
an edited spec's page changes while only that spec is derived again."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from .conftest import EXAMPLES
from .test_site import need

# Material (what course sites use), with Google Fonts off: the browser check blocks every
# host but the local one. MkDocs' own theme loads highlight.js from a CDN and its bootstrap
# throws on load in headless Chromium, whatever the page.
STOCK = """site_name: A course that already exists
theme:
  name: material
  font: false
plugins:
  - derive-backprop
"""
SPECS = ("relu-worked-example-1-1-1", "softmax-cross-entropy-3-classes")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _project(root: Path, mkdocs_yml: str = STOCK) -> Path:
    (root / "docs" / "specs" / "week1").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Welcome\n\nThe author's own page.\n")
    for stem in SPECS:
        shutil.copy(EXAMPLES / f"{stem}.yaml", root / "docs" / "specs" / "week1" / f"{stem}.yml")
    (root / "mkdocs.yml").write_text(mkdocs_yml)
    return root


def _build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(root / "mkdocs.yml")], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    root = _project(tmp_path_factory.mktemp("stock"))
    result = _build(root)
    assert result.returncode == 0, result.stderr
    return root


def test_a_stock_project_builds_strictly_with_a_page_per_spec(built: Path) -> None:
    site = built / "site"
    for stem in SPECS:
        page = site / "specs" / "week1" / stem / "index.html"
        assert page.is_file(), sorted(p.name for p in (site / "specs" / "week1").iterdir())
        text = page.read_text(encoding="utf-8")
        assert 'class="arithmatex"' in text and "\\begin{aligned}" in text
        assert (site / "specs" / "week1" / stem / "network.svg").is_file()
    assert not any(site.rglob("*.yml")), "specs are not published"
    assert (site / "assets" / "derive-backprop-mathjax" / "tex-chtml.js").is_file()


def test_every_formula_renders_in_chromium(built: Path) -> None:
    from .browser_check import check_site, chromium_path
    need(_has("playwright"), "playwright (pip)")
    chromium = chromium_path()
    need(chromium is not None, "chromium (apt-get install chromium)")
    pages = [f"specs/week1/{stem}/index.html" for stem in SPECS]
    reports = check_site(built / "site", chromium, pages=pages)
    bad = [r.problems() for r in reports if not r.ok]
    assert bad == [], "\n".join(bad)
    assert all(r.rendered > 10 for r in reports)


def test_a_bad_spec_fails_the_build_with_one_line(tmp_path: Path) -> None:
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    root = _project(tmp_path)
    (root / "docs" / "specs" / "broken.yaml").write_text(
        "inputs: 1\nlayers:\n  - {units: 1, activation: sigmod}\nloss: squared_error\n")
    result = _build(root)
    assert result.returncode != 0
    line = next(l for l in result.stderr.splitlines() if "derive-backprop:" in l)
    assert "broken.yaml:3: layers[0].activation" in line and "did you mean 'sigmoid'" in line
    assert "Traceback" not in result.stderr


def test_a_circuit_spec_becomes_a_page_too(tmp_path: Path) -> None:
    """A ``graph:`` spec (cs231n's circuits) stopped the build: the plugin read every spec
    as a network ('graph: expected one of about, claims, ...')."""
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    root = _project(tmp_path)
    shutil.copy(EXAMPLES / "cs231n-circuit-add-multiply.yaml",
                root / "docs" / "specs" / "circuit.yaml")
    result = _build(root)
    assert result.returncode == 0, result.stderr
    page = root / "site" / "specs" / "circuit" / "index.html"
    assert "a scalar computational graph" in page.read_text(encoding="utf-8").lower()
    assert (root / "site" / "specs" / "circuit" / "circuit.svg").is_file()


def test_a_failing_claim_is_a_warning_that_stops_a_strict_build(tmp_path: Path) -> None:
    """Its page was published without a word at build time."""
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    root = _project(tmp_path)
    wrong = (EXAMPLES / "output-and-hidden-layers-sigmoid.yaml").read_text(encoding="utf-8")
    (root / "docs" / "specs" / "wrong.yaml").write_text(
        wrong.replace("expect: different", "expect: equal"), encoding="utf-8")
    result = _build(root)
    assert result.returncode != 0
    warnings = [l for l in result.stderr.splitlines() if l.startswith("WARNING")]
    assert len(warnings) == 1 and "wrong.yaml" in warnings[0] and "claim" in warnings[0], \
        result.stderr
    assert "Traceback" not in result.stderr


def test_arithmatex_without_generic_is_refused_in_one_line(tmp_path: Path) -> None:
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    root = _project(tmp_path, STOCK + "markdown_extensions:\n  - pymdownx.arithmatex:\n"
                                      "      generic: false\n")
    result = _build(root)
    assert result.returncode != 0 and "expected generic: true" in result.stderr


def test_serve_rebuilds_derive_only_the_edited_spec(tmp_path: Path) -> None:
    """MkDocs calls on_config and on_files again on each rebuild, with the same plugin."""
    need(_has("mkdocs") and _has("pymdownx"), "mkdocs and pymdown-extensions (extra [site])")
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    root = _project(tmp_path)
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["derive-backprop"]

    def rebuild() -> dict[str, str]:
        files = config.plugins.on_files(get_files(config), config=config)
        return {f.src_uri: f.content_string for f in files if f.src_uri.endswith(".md")}

    first = rebuild()
    assert plugin.runs == 2
    spec = root / "docs" / "specs" / "week1" / f"{SPECS[0]}.yml"
    spec.write_text(spec.read_text().replace("title: ", "title: Edited - ", 1))
    second = rebuild()
    assert plugin.runs == 3, "only the edited spec is derived again"
    page = f"specs/week1/{SPECS[0]}.md"
    assert "Edited - " in second[page] and "Edited - " not in first[page]
    other = f"specs/week1/{SPECS[1]}.md"
    assert second[other] == first[other]


T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError):
        return None


def _until(value: Callable[[], T | None], seconds: float, what: str,
           server: subprocess.Popen, log: Path) -> T:
    """Poll ``value`` until it is truthy; fail naming ``what`` (and the server's log)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = value()
        if found:
            return found
        if server.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(f"{what} within {seconds:g} s (server rc {server.poll()}); log:\n"
                + log.read_text(encoding="utf-8", errors="replace")[-3000:])


def _article(html: str) -> str:
    """The page's own content, without the site's nav (which lists every page's title)."""
    start = html.index("<article")
    return html[start:html.index("</article>", start)]


def _derived(log: Path) -> list[str]:
    """The specs the plugin derived, in order, from its INFO lines."""
    return [line.split("derive-backprop: derived ", 1)[1].split(" (")[0]
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if "derive-backprop: derived " in line]


def test_mkdocs_serve_updates_an_edited_specs_page_deriving_only_that_spec(
        tmp_path: Path) -> None:
    need(_has("mkdocs") and _has("pymdownx") and _has("material"),
         "mkdocs, mkdocs-material and pymdown-extensions (extra [site])")
    root = _project(tmp_path / "project")
    port, log = _free_port(), tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f",
             str(root / "mkdocs.yml")], stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        edited, other = (f"http://127.0.0.1:{port}/specs/week1/{stem}/" for stem in SPECS)
        before = _until(lambda: _fetch(edited), 240, "the first page served", server, log)
        other_before = _fetch(other)
        assert other_before and "Edited - " not in before
        assert sorted(_derived(log)) == [f"specs/week1/{stem}.yml" for stem in SPECS]
        spec = root / "docs" / "specs" / "week1" / f"{SPECS[0]}.yml"
        spec.write_text(spec.read_text().replace("title: ", "title: Edited - ", 1))
        after = _until(lambda: (page := _fetch(edited)) and "Edited - " in page and page, 120,
                       "the edited spec's page served changed", server, log)
        assert "Edited - " in after
        assert _derived(log)[2:] == [f"specs/week1/{SPECS[0]}.yml"], \
            "only the edited spec is derived again"
        assert _article(_fetch(other) or "") == _article(other_before), \
            "the other page is as it was (its nav names the new title)"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
