"""``derive-backprop site``: the MkDocs project, its nav and index, the Markdown's math traps.

Pure tests of ``derive.site.course`` run everywhere. Tests that run ``mkdocs build --strict`` need
the ``site`` extra; they skip without it, but fail when ``CI`` is set (CI installs it).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from derive import build_network, check, derive, load_spec, render, work_example
from derive.errors import OutputError
from derive.site.course import MATHJAX_DIR, Lesson, build_book, build_site, mathjax_files, page_path

from .conftest import EXAMPLES, ROOT, installed_cli

EXAMPLE_STEMS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))

# A spec that walks into every trap math meets in Markdown: `_` and `*` in names, `|` from
# |x| in table cells (huber's conditions, more than FULL_LIMIT parameters so the table
# appears), `<`/`>` in conditions, SymPy's `{{`/`}}`, and a title made of specials.
TRAP_TITLE = r"Traps: a_b * c | d {{ e }} <f> & \\ $g$ 95% # ~ ^ σ"
TRAP_SPEC = f"""title: '{TRAP_TITLE}'
inputs: [x_in, learning_rate, y_hat, z3]
layers:
  - {{units: 4, activation: relu}}
  - {{units: 2, activation: linear}}
loss: {{name: huber, delta: 0.5}}
example:
  x: [0.5, -1.0, 2.0, 0.25]
  y: [1.0, -0.5]
  init: {{seed: 1, scheme: uniform}}
  learning_rate: 0.1
  steps: 2
"""
ABS_SPEC = """title: Absolute error | leaky ReLU < tanh > softplus
inputs: 2
layers:
  - {units: 2, activation: {name: leaky_relu, slope: 0.2}}
  - {units: 2, activation: tanh}
  - {units: 1, activation: softplus}
loss: absolute_error
example:
  x: [0.3, -0.7]
  y: [0.2]
"""


def need(available: bool, what: str) -> None:
    """Skip without ``what``, but fail in CI, which must install it."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed")


def has_mkdocs() -> bool:
    return all(importlib.util.find_spec(m) for m in ("mkdocs", "material", "pymdownx"))


def mkdocs_build(project: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` on a generated project, with this interpreter's MkDocs."""
    need(has_mkdocs(), "mkdocs with mkdocs-material and pymdown-extensions (extra [site])")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                             str(project / "mkdocs.yml")], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return result


def run_cli(cli: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def markdown_page(text: str, name: str = "spec.yaml") -> str:
    spec = load_spec(text, name, default_title=Path(name).stem)
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    files = render(derivation, worked, check(derivation, worked), stem="page", formats=("md",))
    return files["page.md"]


def lesson(page: str, title: str, *, passed: bool = True, source: str | None = None,
           extra: tuple[tuple[str, str | bytes], ...] = ()) -> Lesson:
    stem = page.rpartition("/")[2]
    return Lesson(source=source or f"{page}.yaml", page=page, title=title, passed=passed,
                  compared=12, max_abs_error=1.5e-31, parameters=2, architecture="1-1-1",
                  files=((f"{stem}.md", f"# {title}\n"), *extra), chapter=f"\\chapter{{{stem}}}\n")


# --------------------------------------------------------------------------- derive.site.course


def test_page_path_keeps_safe_names_and_renames_index_pages() -> None:
    assert page_path(["basics", "deep"], "relu") == "basics/deep/relu"
    assert page_path([], "index") == "index-network"
    assert page_path(["a"], "README") == "a/README-network"


def test_site_has_every_page_its_pictures_mathjax_and_config() -> None:
    lessons = [lesson("b/z", "Zeta"), lesson("a", "Alpha"),
               lesson("b/c/y", "Ypsilon", extra=(("y.network.svg", "<svg/>"),
                                                  ("y.png", b"\x89PNG")))]
    files = build_site(lessons, title="Course")
    assert {"mkdocs.yml", "docs/index.md", "docs/javascripts/mathjax-config.js",
            "docs/a.md", "docs/b/z.md", "docs/b/c/y.md", "docs/b/c/y.network.svg",
            "docs/b/c/y.png", f"{MATHJAX_DIR}/tex-chtml.js", f"{MATHJAX_DIR}/LICENSE"} <= set(files)
    assert files["docs/b/c/y.png"] == b"\x89PNG"
    assert f"{MATHJAX_DIR}/SOURCE.txt" not in files


def test_nav_groups_pages_by_folder_pages_first() -> None:
    lessons = [lesson("b/z", "Zeta", source="B folder/z.yaml"), lesson("a", "Alpha"),
               lesson("b/c/y", "Ypsilon", source="B folder/c/y.yaml"),
               lesson("b/x", "Xi", source="B folder/x.yaml")]
    config = yaml.safe_load(build_site(lessons, title="Course")["mkdocs.yml"])
    assert config["nav"] == [
        {"Overview": "index.md"}, {"Alpha": "a.md"},
        {"B folder": [{"Xi": "b/x.md"}, {"Zeta": "b/z.md"}, {"c": [{"Ypsilon": "b/c/y.md"}]}]},
    ]


def test_mkdocs_config_uses_material_arithmatex_generic_and_local_mathjax() -> None:
    text = build_site([lesson("a", "A")], title="Course")["mkdocs.yml"]
    config = yaml.safe_load(text)
    assert config["theme"]["name"] == "material" and config["theme"]["font"] is False
    extensions = {next(iter(e)) if isinstance(e, dict) else e: e
                  for e in config["markdown_extensions"]}
    assert extensions["pymdownx.arithmatex"] == {"pymdownx.arithmatex": {"generic": True}}
    assert {"pymdownx.details", "pymdownx.superfences"} <= set(extensions)
    assert config["extra_javascript"] == ["javascripts/mathjax-config.js",
                                          "assets/mathjax/tex-chtml.js"]
    assert "://" not in text                        # no CDN, no remote theme assets


def test_index_lists_every_network_with_its_check_status() -> None:
    lessons = [lesson("good", "Good one"), lesson("sub/bad", "Bad one", passed=False)]
    index = build_site(lessons, title="My course")["docs/index.md"]
    assert index.startswith("# My course\n")
    assert "2 lessons; 1 of 2 passed the numeric check." in index
    assert "| 1 | [Good one](good.md) |  | 1-1-1, 2 parameters | passed: 12 comparisons, " \
        "largest error 1.5e-31 |" in index
    assert "## sub\n" in index and \
        "| 1 | [Bad one](sub/bad.md) |  | 1-1-1, 2 parameters | **failed**" in index


def test_titles_are_escaped_for_yaml_html_and_markdown() -> None:
    nasty = 'A <b>x</b> & "q" | _y_ {{ z }} \\ $w$ #: - [k]'
    files = build_site([lesson("a", nasty)], title=nasty)
    config = yaml.safe_load(files["mkdocs.yml"])
    escaped = 'A &lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; | _y_ {{ z }} \\ $w$ #: - [k]'
    assert config["site_name"] == escaped and config["nav"][1] == {escaped: "a.md"}
    row = next(line for line in files["docs/index.md"].splitlines() if "(a.md)" in line)
    assert row.startswith("| 1 | [A &#60;b&#62;x&#60;/b&#62; &#38; \"q\" &#124; &#95;y&#95; "
                          "&#123;&#123; z &#125;&#125; &#92; &#36;w&#36; &#35;: - "
                          "&#91;k&#93;](a.md)")


def test_two_specs_on_one_page_are_refused() -> None:
    with pytest.raises(OutputError) as caught:
        build_site([lesson("a", "A", source="a.yaml"), lesson("a", "A", source="a.yml")],
                   title="C")
    assert "a.yaml" in str(caught.value) and "a.yml" in str(caught.value)


def test_book_has_a_part_per_folder_in_nav_order() -> None:
    book = build_book([lesson("b/z", "Z", source="Part B/z.yaml"), lesson("a", "A")],
                      title="Book & co")
    assert book.index(r"\chapter{a}") < book.index(r"\part{Part B}") < book.index(r"\chapter{z}")
    assert r"\title{Book \& co}" in book and book.rstrip().endswith(r"\end{document}")


def test_mathjax_is_vendored_whole_and_pinned() -> None:
    files = mathjax_files()
    source = (ROOT / "templates" / "site" / "mathjax" / "SOURCE.txt").read_text()
    digest = hashlib.sha256(files["tex-chtml.js"]).hexdigest()
    assert f"tex-chtml.js sha256 {digest}" in source
    assert b'"3.2.2"' in files["tex-chtml.js"] or b"3.2.2" in files["tex-chtml.js"][:4000]
    fonts = [name for name in files if name.startswith("output/chtml/fonts/woff-v2/")]
    extensions = [name for name in files if name.startswith("input/tex/extensions/")]
    assert len(fonts) >= 20 and "input/tex/extensions/boldsymbol.js" in extensions
    assert "LICENSE" in files and b"Apache License" in files["LICENSE"]


# --------------------------------------------------------------------------- Markdown traps

_DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.M | re.S)
# Only LaTeX that MathJax 3 and KaTeX both render (recipes/mkdocs-math.md, section 7).
_NOT_PORTABLE = re.compile(r"\\begin\{(align|equation|multline|gather|eqnarray)\*?\}|\\label|"
                           r"\\eqref|\\tag|\\bm\b|\\coloneqq|\\intertext|\\DeclareMathOperator|"
                           r"\\require|\\bbox|\\unicode")


def math_traps(page: str) -> list[str]:
    """Every way the page's Markdown could break its math before MathJax sees it."""
    problems = []
    lines = page.split("\n")
    for i, line in enumerate(lines):
        if line == "$$" and i and lines[i - 1].strip() and lines[i - 1] != "$$" \
                and not _inside_display(lines, i):
            problems.append(f"line {i + 1}: $$ right after text")
        if line.startswith("|") and re.search(r"\\\((?:(?!\\\)).)*(?<!\\)\|(?:(?!\\\)).)*\\\)",
                                              line):
            problems.append(f"line {i + 1}: a bare | inside math in a table row")
    for block in _DISPLAY.findall(page):
        if "\n\n" in block or "\n \n" in block:
            problems.append(f"blank line inside display math: {block[:60]!r}")
    for found in _NOT_PORTABLE.finditer(page):
        problems.append(f"not portable to KaTeX: {found.group()}")
    if re.search(r"(?<!\\)%", "".join(_DISPLAY.findall(page))):
        problems.append("unescaped % in display math")
    return problems


def _inside_display(lines: list[str], i: int) -> bool:
    """Whether line ``i`` closes a ``$$`` block (an odd number of ``$$`` lines before it)."""
    return sum(1 for line in lines[:i] if line.strip() == "$$") % 2 == 1


def test_trap_detector_sees_each_trap() -> None:
    page = ("Text\n$$\nx\n$$\n\n| a | \\(\\left|x\\right|\\) |\n\n$$\na \\\\\n\nb\n$$\n\n"
            "$$\n\\begin{align}x\\end{align} 95%\n$$\n")
    problems = math_traps(page)
    assert [p.split(":")[0] for p in problems[:2]] == ["line 2", "line 6"]
    assert any("blank line" in p for p in problems)
    assert any("align" in p for p in problems) and any("%" in p for p in problems)


@pytest.mark.parametrize("stem", EXAMPLE_STEMS)
def test_example_pages_have_no_markdown_math_traps(stem: str) -> None:
    """Every example's page (networks, circuits, typed layers), as committed in output/."""
    page = (ROOT / "output" / f"{stem}.md").read_text(encoding="utf-8")
    assert math_traps(page) == []


def test_trap_spec_page_keeps_its_math_intact() -> None:
    page = markdown_page(TRAP_SPEC, "traps.yaml")
    assert math_traps(page) == []
    assert r"\left|" in page                       # |x| of huber's conditions, in display math
    table_rows = [line for line in page.splitlines() if line.startswith("| \\(w")]
    assert table_rows and all(line.count("\\(") == line.count("\\)") for line in table_rows)
    title = next(line for line in page.splitlines() if line.startswith("# "))
    assert "&#95;" in title and "&#124;" in title and "&#123;&#123;" in title
    assert "<f>" not in page and "$g$" not in page


def test_bars_become_vert_only_in_math() -> None:
    page = markdown_page(ABS_SPEC, "abs.yaml")
    assert math_traps(page) == []
    assert "Absolute error &#124; leaky ReLU &#60; tanh &#62; softplus" in page


# --------------------------------------------------------------------------- the command


def test_readme_site_command_builds_a_strict_site(cli_path: str, tmp_path: Path) -> None:
    """Run the README's own command (paths moved into a temporary folder)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines()
                if "derive-backprop site" in line and "mkdocs build" in line)
    commands = [shlex.split(part) for part in line.strip().split("&&")]
    site_args = next(c for c in commands if "site" in c and "derive-backprop" in c[0])
    args = [str(EXAMPLES) if a == "examples" else
            str(tmp_path / a) if a.startswith("build/") else a for a in site_args[1:]]
    result = run_cli(cli_path, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    project = tmp_path / args[args.index("-o") + 1]
    assert any("mkdocs build --strict" in " ".join(c) for c in commands)
    assert sorted(p.stem for p in (project / "docs").glob("*.md")) == sorted(
        ["index", *EXAMPLE_STEMS])
    assert (project / MATHJAX_DIR / "tex-chtml.js").is_file()   # from the installed package
    if "--book" in args:
        assert (tmp_path / args[args.index("--book") + 1]).read_text().startswith(
            "\\documentclass")
    mkdocs_build(project)
    built = project / "site"
    assert {p.name for p in built.glob("*.html")} >= {"index.html",
                                                      *(f"{s}.html" for s in EXAMPLE_STEMS)}
    assert (built / "assets" / "mathjax" / "tex-chtml.js").is_file()


def _small_spec(n: int) -> str:
    activation = ("sigmoid", "tanh", "relu", "linear", "softplus")[n % 5]
    return (f"title: Course network {n} ({activation})\ninputs: {1 + n % 2}\nlayers:\n"
            f"  - {{units: {1 + n % 3}, activation: {activation}}}\n"
            f"  - {{units: 1, activation: linear}}\nloss: half_squared_error\n"
            f"example:\n  x: [{', '.join(['0.5'] * (1 + n % 2))}]\n  y: [1.0]\n")


def test_course_of_twenty_specs_builds_in_parallel(cli_path: str, tmp_path: Path) -> None:
    course = tmp_path / "course"
    folders = ["", "01 basics", "01 basics/deeper", "02 more"]
    for n in range(20):
        folder = course / folders[n % 4]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"net-{n:02d}.yaml").write_text(_small_spec(n))
    result = run_cli(cli_path, "site", str(course), "-o", "out", "--jobs", "2",
                     "--title", "Twenty", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Deriving" in result.stderr                          # the progress bar's label
    docs = tmp_path / "out" / "docs"
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    assert len(pages) == 21 and "01_basics/deeper/net-02.md" in pages
    nav = yaml.safe_load((tmp_path / "out" / "mkdocs.yml").read_text())["nav"]
    assert [next(iter(item)) for item in nav] == ["Overview", *(f"Course network {n} (" + (
        "sigmoid", "tanh", "relu", "linear", "softplus")[n % 5] + ")" for n in (0, 4, 8, 12, 16)),
        "01 basics", "02 more"]
    basics = nav[6]["01 basics"]
    assert next(iter(basics[-1])) == "deeper" and len(basics[-1]["deeper"]) == 5
    index = (docs / "index.md").read_text()
    assert index.count("](") == 20 and "20 lessons; 20 of 20 passed" in index
    assert "## 01 basics / deeper" in index
    mkdocs_build(tmp_path / "out")


def test_invalid_spec_stops_the_site_with_its_error(cli_path: str, tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "good.yaml").write_text(_small_spec(1))
    (course / "bad.yaml").write_text(
        "inputs: [x]\nlayers:\n  - {units: 1, activation: rleu}\nloss: squared_error\n")
    result = run_cli(cli_path, "site", str(course), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{course / 'bad.yaml'}:3: layers[0].activation:" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_empty_course_folder_is_bad_input(cli_path: str, tmp_path: Path) -> None:
    (tmp_path / "course").mkdir()
    result = run_cli(cli_path, "site", "course", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and "no spec files" in result.stderr


def test_site_free_of_absolute_paths(cli_path: str, tmp_path: Path) -> None:
    """Determinism: no absolute path of the machine leaks into the generated project."""
    result = run_cli(cli_path, "site", str(EXAMPLES), "-o", "out", "--title", "T",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in (".md", ".yml", ".js") and "mathjax" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert str(tmp_path) not in text and str(ROOT) not in text, path


def test_order_puts_lessons_in_teaching_order_then_the_rest_by_name() -> None:
    from dataclasses import replace as with_order
    lessons = [with_order(lesson("zeta", "Zeta"), order=1), lesson("alpha", "Alpha"),
               with_order(lesson("mid", "Mid"), order=2), lesson("beta", "Beta")]
    files = build_site(lessons, title="C")
    nav = yaml.safe_load(files["mkdocs.yml"])["nav"]
    assert [next(iter(item)) for item in nav] == ["Overview", "Zeta", "Mid", "Alpha", "Beta"]
    index = files["docs/index.md"]
    assert index.index("[Zeta]") < index.index("[Mid]") < index.index("[Alpha]")
    assert "| 1 | [Zeta](zeta.md)" in index and "| 4 | [Beta](beta.md)" in index


def test_an_exercise_spec_brings_its_question_and_solution_pages(tmp_path: Path) -> None:
    """Issue 19: the course site shows an exercise's question sheet and its solution page."""
    course = tmp_path / "course"
    course.mkdir()
    stem = "exercise-one-step-sigmoid-2-2-1"
    (course / f"{stem}.yaml").write_text((EXAMPLES / f"{stem}.yaml").read_text("utf-8"))
    result = subprocess.run([installed_cli(), "site", str(course), "-o", str(tmp_path / "site")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    docs = tmp_path / "site" / "docs" / f"{stem}-exercise"
    question = (docs / "question.md").read_text("utf-8")
    assert "Variant 1, seed " in question and "(solution.md)" in question
    assert "Derived and checked by machine" in (docs / "solution.md").read_text("utf-8")
    nav = yaml.safe_load((tmp_path / "site" / "mkdocs.yml").read_text("utf-8"))["nav"]
    pages = [next(iter(item.values())) for item in nav]
    assert pages[1:] == [f"{stem}.md", f"{stem}-exercise/question.md",
                         f"{stem}-exercise/solution.md"]
