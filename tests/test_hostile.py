"""Hostile-but-valid specs through the installed CLI: user text arrives literally, never as code.

Each ``tests/hostile_specs/*.yaml`` starts with ``# exit: N`` (0, or 1 for claims that must
fail cleanly). Titles, ``about`` texts, claim notes and names carry TeX, HTML, Markdown,
Jinja and Unicode that would run or reshape a page if copied. Every output (.md, .tex, .json,
.svg, the course site and the LaTeX book) must show them through exactly one escaper:
``# `` + ``escape_markdown(title)``, ``\\title{`` + ``escape_latex(title)`` + ``}``, the
same string back from the JSON, and no ``\\input``, ``\\write18``, raw ``<script>`` or
template delimiter anywhere. Runs use the corpus runner (2 GiB, 10 s, a few at a time).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from derive.formats import escape_latex, escape_markdown

from .conftest import installed_cli
from .test_bad_specs import MEMORY, TIMEOUT, run_many, snapshot

HOSTILE = Path(__file__).resolve().parent / "hostile_specs"
FORMATS = ("md", "tex", "json")

# Never in a .md or .tex page, whatever the user wrote (the templates use none of them).
# Jinja's ``{{ {% {#`` would run under a templating MkDocs plugin; the LaTeX environment's
# ``((( ((* ((=`` are plain parentheses once rendered: that a title keeps them literally is
# checked by the exact title lines instead.
TEMPLATE_SYNTAX = ("{{", "{%", "{#")
TEX_COMMANDS = re.compile(r"\\(input|include|write|immediate|csname|catcode|def|gdef|edef|"
                          r"makeatletter|openout|openin|read|special|directlua|let)(?![A-Za-z])"
                          r"|\^\^")
HTML_TAG = re.compile(r"<[A-Za-z/!?]")
NON_FINITE = re.compile(r"(?<![A-Za-z\\])(nan|NaN|inf|Infinity)(?![A-Za-z])")


def _exit_code(path: Path) -> int:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# exit: "), f"{path.name} has no '# exit: N' first line"
    return int(first[len("# exit: "):])


CASES = {path.stem: _exit_code(path) for path in sorted(HOSTILE.glob("*.yaml"))}
ALIKE = "title-tex-and-html-injection"     # the spec the variants below re-run


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0", **extra}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every hostile spec rendered once, plus variants: name -> (run, folder, stem)."""
    root = tmp_path_factory.mktemp("hostile")
    cli = installed_cli()
    commands: dict[str, tuple] = {}
    places: dict[str, tuple[Path, str]] = {}
    for name in CASES:
        folder = root / name
        folder.mkdir()
        shutil.copy(HOSTILE / f"{name}.yaml", folder)
        commands[name] = ([cli, f"{name}.yaml", "-o", "out", "--format", "all"], folder, _env())
        places[name] = (folder, name)
    # the same spec with a byte-order mark and CRLF line ends
    folder = root / "bom-crlf"
    folder.mkdir()
    text = (HOSTILE / f"{ALIKE}.yaml").read_text(encoding="utf-8")
    (folder / f"{ALIKE}.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    commands["bom-crlf"] = ([cli, f"{ALIKE}.yaml", "-o", "out", "--format", "all"], folder,
                            _env())
    places["bom-crlf"] = (folder, ALIKE)
    # the same spec from another folder, by absolute paths, another hash seed and locale
    folder = root / "elsewhere"
    folder.mkdir()
    shutil.copy(HOSTILE / f"{ALIKE}.yaml", folder)
    commands["elsewhere"] = ([cli, str(folder / f"{ALIKE}.yaml"), "-o", str(folder / "out"),
                              "--format", "all"], Path("/"),
                             _env(PYTHONHASHSEED="4242", LC_ALL="C", LANG="C"))
    places["elsewhere"] = (folder, ALIKE)
    results = run_many(commands)
    return {name: (results[name], *places[name]) for name in commands}


def _outputs(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(folder / "out").items() if data is not None}


def _spec_texts(name: str) -> dict[str, object]:
    return yaml.safe_load((HOSTILE / f"{name}.yaml").read_text(encoding="utf-8"))


def _check_svg(name: str, text: str) -> None:
    """Well-formed XML (every text escaped), no script, no event handler, finite numbers."""
    assert not NON_FINITE.search(text), (name, NON_FINITE.search(text))
    root = ET.fromstring(text)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "iframe"), (name, tag)
        assert not any(a.lower().startswith("on") for a in element.attrib), (name, tag)
        assert not any("javascript:" in v.lower() for v in element.attrib.values()), name


def _check_safe(name: str, text: str) -> None:
    """No template syntax, TeX command, HTML tag or non-finite number from user text."""
    for token in TEMPLATE_SYNTAX:
        assert token not in text, (name, token)
    assert not TEX_COMMANDS.search(text), (name, TEX_COMMANDS.search(text))
    assert not NON_FINITE.search(text), (name, NON_FINITE.search(text))


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_spec_renders_literally(name: str, runs: dict[str, tuple]) -> None:
    run, folder, stem = runs[name]
    assert run.returncode is not None, f"killed after {TIMEOUT:g} s"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == CASES[name], run.stderr
    assert run.stdout == ""
    for line in run.stderr.splitlines():      # one line per file or per problem
        assert line.startswith("wrote out/") or re.match(rf"{re.escape(stem)}\.yaml(:\d+)?: ",
                                                         line), line
    assert {p.name for p in folder.iterdir()} == {"out", f"{stem}.yaml"}
    files = _outputs(folder)
    assert {f"{stem}.{fmt}" for fmt in FORMATS} <= set(files)
    spec = _spec_texts(name)
    title = str(spec.get("title", stem))
    md, tex = files[f"{stem}.md"].decode(), files[f"{stem}.tex"].decode()
    document = json.loads(files[f"{stem}.json"])

    assert f"# {escape_markdown(title)}\n" in md
    assert f"\\title{{{escape_latex(title)}}}" in tex
    assert document["title"] == title
    if "about" in spec:
        assert escape_markdown(str(spec["about"])) in md
        assert escape_latex(str(spec["about"])) in tex
    for claim in spec.get("claims") or []:
        if "note" in claim:
            assert escape_markdown(claim["note"]) in md
            assert escape_latex(claim["note"]) in tex
    for claim, shown in zip(spec.get("claims") or [], document["check"]["claims"]):
        assert (shown["parameter"], shown["formula"]) == (claim["parameter"], claim["formula"])

    for file, data in files.items():
        text = data.decode("utf-8")
        if file.endswith(".json"):
            assert not re.search(r"[<>&]", text), file     # \u003c, \u003e, \u0026 instead
            assert not NON_FINITE.search(text), file
            continue
        if file.endswith(".svg"):             # XML: user text escaped, inert, shown as typed
            _check_svg(file, text)
            continue
        _check_safe(file, text)
        assert not HTML_TAG.search(text), (file, HTML_TAG.search(text))
    assert tex.count(r"\end{document}") == 1 and tex.rstrip().endswith(r"\end{document}")


def test_bom_and_crlf_change_nothing(runs: dict[str, tuple]) -> None:
    plain, crlf = runs[ALIKE], runs["bom-crlf"]
    assert crlf[0].returncode == 0, crlf[0].stderr
    assert _outputs(crlf[1]) == _outputs(plain[1])


def test_same_bytes_whatever_the_hash_seed_locale_and_folder(runs: dict[str, tuple]) -> None:
    plain, elsewhere = runs[ALIKE], runs["elsewhere"]
    assert elsewhere[0].returncode == 0, elsewhere[0].stderr
    assert _outputs(elsewhere[1]) == _outputs(plain[1])


# --------------------------------------------------------------------------- site and book


LIVE_MARKUP = ("<script>alert", "<img src=x", "<svg onload", "<b>bold</b>",
               "<details open>", "</title></svg>")
HEAD = re.compile(r"<head>.*?</head>", re.DOTALL)
SITE_TITLE = "Course <script>alert(1)</script> & {{ 7*7 }} \\input{/etc/passwd} ((( x )))"


def _limited(argv: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course of every hostile spec that renders (exit 0), with a hostile course title."""
    root = tmp_path_factory.mktemp("hostile_site")
    course = root / "course <b>&amp;"          # the folder name becomes nothing but a path
    course.mkdir()
    for name, code in CASES.items():
        if code == 0:
            shutil.copy(HOSTILE / f"{name}.yaml", course)
    result = _limited([installed_cli(), "site", str(course), "-o", "site", "--book", "book.tex",
                       "--title", SITE_TITLE, "-j", "2"], root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return root


def test_site_and_book_keep_hostile_text_literal(site: Path) -> None:
    config = yaml.safe_load((site / "site" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == html.escape(SITE_TITLE)
    titles = [next(iter(entry)) for entry in config["nav"] if isinstance(entry, dict)]
    assert titles and all("<" not in t and ">" not in t for t in titles)   # HTML-escaped
    texts = {path: path.read_text(encoding="utf-8") for path in sorted((site / "site").rglob("*"))
             if path.suffix in (".md", ".yml", ".svg")}
    texts[site / "book.tex"] = (site / "book.tex").read_text(encoding="utf-8")
    for path, text in texts.items():
        if path.name == "mkdocs.yml":             # parsed above: JSON-quoted, HTML-escaped
            assert "<" not in text
            continue
        if path.suffix == ".svg":
            _check_svg(path.name, text)
            continue
        _check_safe(path.name, text)
        assert not HTML_TAG.search(text), (path.name, HTML_TAG.search(text))
    assert escape_latex(SITE_TITLE) in texts[site / "book.tex"]
    assert f"# {escape_markdown(SITE_TITLE)}\n" in texts[site / "site" / "docs" / "index.md"]


def test_mkdocs_builds_the_hostile_site_without_live_markup(site: Path) -> None:
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("mkdocs", "material", "pymdownx")):
        if os.environ.get("CI"):
            pytest.fail("mkdocs is not installed in CI")
        pytest.skip("mkdocs with mkdocs-material and pymdown-extensions is not installed")
    result = _limited([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                       str(site / "site" / "mkdocs.yml")], site, timeout=300)
    assert result.returncode == 0, result.stderr
    for page in sorted((site / "site" / "site").rglob("*.html")):
        text = HEAD.sub("", page.read_text(encoding="utf-8"))   # the head: the xfail below
        for live in LIVE_MARKUP:
            assert live not in text, (page.name, live)
    pages = list((site / "site" / "site").rglob("title-template-delimiters*.html"))
    assert pages and "{{ 7*7 }}" in pages[0].read_text(encoding="utf-8")    # shown, not run


def test_mkdocs_page_head_is_inert(site: Path) -> None:
    if not list((site / "site" / "site").rglob("*.html")):
        test_mkdocs_builds_the_hostile_site_without_live_markup(site)
    for page in sorted((site / "site" / "site").rglob("*.html")):
        for head in HEAD.findall(page.read_text(encoding="utf-8")):
            for live in LIVE_MARKUP:
                assert live not in head, (page.name, live)


def test_pdflatex_reads_no_file_and_runs_no_command(site: Path, tmp_path: Path) -> None:
    binary = shutil.which("pdflatex")
    if binary is None:
        pytest.skip("pdflatex is not installed")
    pages = tmp_path / "pages"
    result = _limited([installed_cli(), str(HOSTILE / f"{ALIKE}.yaml"),
                       str(HOSTILE / "title-tex-primitives.yaml"), "-o", str(pages), "--format",
                       "tex"], tmp_path)
    assert result.returncode == 0, result.stderr
    shutil.copy(site / "book.tex", pages / "book.tex")
    for tex in sorted(pages.glob("*.tex")):
        run = subprocess.run([binary, "-no-shell-escape", "-interaction=nonstopmode",
                              "-halt-on-error", tex.name], cwd=pages, capture_output=True,
                             text=True, errors="replace", timeout=300, check=False)
        log = tex.with_suffix(".log").read_text(encoding="latin-1")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        assert run.returncode == 0, f"{tex.name}: {errors}"
        assert "(/etc/passwd" not in log and "(/etc/shadow" not in log   # no file opened
        assert "runsystem" not in log


# --------------------------------------------------------------------------- file names, links


ODD_NAMES = ["a b.yaml", "<script>.yaml", "$(touch pwned).yaml", ".hidden.yaml", "-dash.yaml",
             "é名ok.yaml", "name\nline.yaml", "x" * 200 + ".yaml", "..yaml"]
SAFE_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


def test_odd_spec_file_names_give_safe_output_names(tmp_path: Path) -> None:
    """Output files are named from the spec file's stem, sanitised, inside the folder."""
    spec = (HOSTILE / "title-tex-primitives.yaml").read_bytes()
    for name in ODD_NAMES:
        (tmp_path / name).write_bytes(spec)
    run = run_many({"odd": ([installed_cli(), *(f"./{n}" for n in ODD_NAMES), "-o", "out",
                             "--format", "all"], tmp_path)})["odd"]
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    written = [p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")]
    assert written and all(SAFE_PART.fullmatch(part) for p in written for part in p.parts)
    stems = {p.parts[0].rsplit(".", 1)[0] for p in written if len(p.parts) == 1}
    assert stems == {"a_b", "script", "touch_pwned", "hidden", "dash", "ok", "name_line",
                     "x" * 100, "spec"}
    assert {p.name for p in tmp_path.iterdir()} == {"out", *ODD_NAMES}   # nothing else, no pwned
    assert not list(tmp_path.rglob("pwned"))


def test_links_inside_the_output_folder_are_refused_and_nothing_is_written(
        tmp_path: Path) -> None:
    """A page or picture folder that is a link (to a file or folder outside) is not followed."""
    (tmp_path / "spec.yaml").write_bytes((HOSTILE / "title-tex-primitives.yaml").read_bytes())
    (tmp_path / "victim.txt").write_text("victim\n")
    (tmp_path / "elsewhere").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "spec.md").symlink_to(tmp_path / "victim.txt")
    (out / "spec").symlink_to(tmp_path / "elsewhere")
    before = snapshot(tmp_path)
    run = run_many({"links": ([installed_cli(), "spec.yaml", "-o", "out", "--format", "all"],
                              tmp_path)})["links"]
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith("derive-backprop: output: expected no symbolic links inside "
                                 "the output folder, got ") and run.stderr.count("\n") == 1
    assert snapshot(tmp_path) == before
    assert (tmp_path / "victim.txt").read_text() == "victim\n"
    assert not list((tmp_path / "elsewhere").iterdir())


def test_colliding_output_names_are_refused(tmp_path: Path) -> None:
    spec = (HOSTILE / "title-tex-primitives.yaml").read_bytes()
    (tmp_path / "a b.yaml").write_bytes(spec)
    (tmp_path / "a_b.yaml").write_bytes(spec)
    run = run_many({"same": ([installed_cli(), "a b.yaml", "a_b.yaml", "-o", "out"],
                             tmp_path)})["same"]
    assert run.returncode == 2
    assert run.stderr == ("derive-backprop: SPEC: expected spec files whose names give "
                          "different output files, got 'a b.yaml' and 'a_b.yaml' both give "
                          "a_b.*\n")
    assert not (tmp_path / "out").exists()
