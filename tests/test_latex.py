"""LaTeX output: long formulas broken to the page, text escaped, and pdflatex really compiles.

``break_align`` and ``escape_latex`` are tested as pure functions. The compile tests run
Debian's ``pdflatex -interaction=nonstopmode -halt-on-error`` over every example's
``--format tex`` document and over the course book; they skip where pdflatex is missing
but fail in CI (``CI`` set), which installs TeX Live. A PDF page is saved as a PNG in
``artifacts/latex/`` (pdftoppm) to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derive.formats import escape_latex
from derive.formats.texbreak import break_align

from .conftest import EXAMPLES, ROOT
from .test_site import ABS_SPEC, TRAP_SPEC

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts")) / "latex"
EXAMPLE_STEMS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
# The issue allows nothing wider than a hand's breadth (about 8 cm, 230 pt); we hold the
# example course to a few points, so any formula that runs off the page fails.
OVERFULL_LIMIT_PT = 5.0


def need(tool: str) -> str:
    """The tool's path; skip without it, but fail in CI, which must install it."""
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is required in CI (.ci/system-deps.sh installs it)")
    pytest.skip(f"{tool} is not installed")


# --------------------------------------------------------------------------- break_align

LONG_SUM = " + ".join(rf"\frac{{\partial L}}{{\partial w_{{{i}}}}} x_{{{i}}}" for i in range(30))


def test_short_rows_are_left_alone() -> None:
    rows = [r"z_{1} &= w_{11} x_{1} + b_{1}", r"a_{1} &= \sigma\left(z_{1}\right)"]
    assert break_align(rows) == rows


def test_a_row_without_ampersand_aligns_at_its_first_relation() -> None:
    assert break_align([r"L = \left(y - \hat{y}\right)^{2}"]) == \
        [r"L &= \left(y - \hat{y}\right)^{2}"]


def test_long_sum_breaks_at_plus_and_keeps_every_term() -> None:
    rows = break_align([rf"\frac{{\partial L}}{{\partial w}} &= {LONG_SUM}"])
    assert len(rows) > 2
    assert rows[0].startswith(r"\frac{\partial L}{\partial w} &= \frac")
    assert all(row.startswith(r"&\quad + ") for row in rows[1:])
    joined = " ".join(row.split("&", 1)[1].replace(r"\quad", "") for row in rows)
    assert joined.split() == ("= " + LONG_SUM).split()


def test_relations_start_their_own_rows() -> None:
    left = " + ".join(f"a_{{{i}}} b_{{{i}}}" for i in range(12))
    right = r" \cdot ".join(f"0.{i}12345" for i in range(12))
    rows = break_align([rf"x &= {left} = {right} = 0.5"])
    assert rows[0].startswith("x &= a_{0}")
    assert any(row.startswith("&= 0.012345") for row in rows)
    assert rows[-1] == "&= 0.5" or rows[-1].endswith("= 0.5")


def test_a_long_computation_path_breaks_at_arrows() -> None:
    path = r" \to ".join(rf"z^{{({i})}}_{{1}} \to a^{{({i})}}_{{1}}" for i in range(1, 17))
    rows = break_align([rf"&w^{{(1)}}_{{11}} \to {path} \to L"])
    assert len(rows) > 1 and all(row.startswith(r"&\to ") for row in rows[1:])
    assert rows[-1].endswith(r"\to L")


def test_leading_minus_is_not_a_break() -> None:
    rows = break_align([rf"y &= - {LONG_SUM}"])
    assert rows[0].startswith(r"y &= - \frac")


def test_a_long_bracket_opens_with_fixed_size_delimiters() -> None:
    terms = " + ".join(rf"\frac{{\left(\hat{{y}}_{{{i}}} - y_{{{i}}}\right)^{{2}}}}{{2}}"
                       for i in range(12))
    rows = break_align([rf"g &= \frac{{\partial}}{{\partial a}}\left({terms}\right) = a - y"])
    text = " ".join(rows)
    assert r"\biggl(" in text and r"\biggr)" in text and r"\left(\frac" not in text
    assert text.count(r"\left(") == text.count(r"\right)")      # pairs inside stay paired
    assert rows[-1].startswith("&= a - y")


def test_environments_and_groups_are_never_split() -> None:
    cases = r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}"
    rows = break_align([rf"r &= {cases} + {LONG_SUM}"])
    assert cases in rows[0] and all(row.count("{") == row.count("}") for row in rows)


# --------------------------------------------------------------------------- escape_latex


def test_escape_latex_specials_and_unicode() -> None:
    assert escape_latex(r"a_b & 95% #1 $x$ {y} ~ ^ \ <>|") == (
        r"a\_b \& 95\% \#1 \$x\$ \{y\} \textasciitilde{} \^{} \textbackslash{} "
        r"\textless{}\textgreater{}\textbar{}")
    assert escape_latex("Café – σ(z) ≤ Ω 😀") == (
        r"Café – \ensuremath{\sigma}(z) \ensuremath{\leq} \ensuremath{\Omega} "
        r"\texttt{[U+1F600]}")
    assert escape_latex("e\u0301") == "é"                       # NFC before the table
    assert escape_latex("h = 10⁻⁵, x₁, W⁽¹⁾") == (                # pages write these
        r"h = 10\textsuperscript{\textminus}\textsuperscript{5}, x\textsubscript{1}, "
        r"W\textsuperscript{(}¹\textsuperscript{)}")
    # a letter under an accent with no precomposed form, or one outside T1: a text accent
    assert escape_latex("x\u0302₁ ẑ δ\u0303") == (
        r"\^{x}\textsubscript{1} \^{z} \~{\ensuremath{\delta}}")
    assert escape_latex("\u0302x") == r"\texttt{[U+0302]}x"      # nothing to sit on
    # raised and lowered letters (Unicode's <super> and <sub> forms), as prose writes them
    assert escape_latex("Xᵀ, a⁽ᴸ⁾, ŷᵢ, ᵝ") == (
        r"X\textsuperscript{T}, a\textsuperscript{(}\textsuperscript{L}\textsuperscript{)}, "
        r"ŷ\textsubscript{i}, \textsuperscript{\ensuremath{\beta}}")


def test_no_latex_page_shows_a_code_point_instead_of_a_character() -> None:
    """Every page's own prose (not a spec's name) is typeset: ``[U+…]`` is for hostile
    input only (h = 10⁻⁵ printed as 10[U+207B][U+2075] on every page before)."""
    for tex in sorted((ROOT / "output").glob("*.tex")):
        assert "[U+" not in tex.read_text(encoding="utf-8"), tex.name


def test_typed_pages_draw_their_pictures_in_tikz() -> None:
    """The conv and batch-norm lessons' pictures, one drawing with the SVG beside the page."""
    for stem, words in (("convolution-2d-kernel-gradient", "outputs per sample read"),
                        ("batch-normalization-three-paths", "the sum of its three paths")):
        tex = (ROOT / "output" / f"{stem}.tex").read_text(encoding="utf-8")
        assert tex.count(r"\begin{tikzpicture}") == 1 and words in tex, stem


# --------------------------------------------------------------------------- pdflatex


def pdflatex(tex: Path, runs: int = 1) -> str:
    """Compile ``tex`` in its folder; return the log. Fails on an error or a non-zero exit."""
    binary = need("pdflatex")
    for _ in range(runs):
        result = subprocess.run([binary, "-interaction=nonstopmode", "-halt-on-error",
                                 tex.name], cwd=tex.parent, capture_output=True, text=True,
                                timeout=300, errors="replace")
        log = tex.with_suffix(".log").read_text(encoding="latin-1")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        assert result.returncode == 0 and not errors, \
            f"{tex.name}: {errors or result.stdout[-2000:]}"
    assert tex.with_suffix(".pdf").is_file()
    return log


def overfull(log: str) -> list[float]:
    return [float(x) for x in re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\)", log, re.M)]


def save_page_png(pdf: Path, page: int, name: str) -> Path | None:
    """PDF page -> ``artifacts/latex/<name>.png`` with pdftoppm, when it is installed."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / pdf.name)
    subprocess.run([tool, "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(ARTIFACTS / name)], check=True, timeout=120)
    return ARTIFACTS / f"{name}.png"


def write_tex(specs: list[Path], out: Path) -> None:
    """``derive-backprop SPEC... --format tex`` with the installed CLI."""
    from .conftest import installed_cli

    result = subprocess.run([installed_cli(), *map(str, specs), "-o", str(out), "--format",
                             "tex"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def example_tex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example's standalone document, from the installed CLI."""
    need("pdflatex")
    out = tmp_path_factory.mktemp("tex")
    write_tex(sorted(EXAMPLES.glob("*.yaml")), out)
    return out


@pytest.mark.parametrize("stem", EXAMPLE_STEMS)
def test_pdflatex_compiles_each_page_without_overfull_boxes(example_tex: Path, stem: str) -> None:
    log = pdflatex(example_tex / f"{stem}.tex")
    wide = [w for w in overfull(log) if w > OVERFULL_LIMIT_PT]
    assert wide == [], f"{stem}.tex: overfull boxes of {wide} pt"
    if stem == "output-and-hidden-layers-sigmoid":
        save_page_png(example_tex / f"{stem}.pdf", 6, "page-hidden-layer-derivatives")


@pytest.mark.parametrize("stem, spec", [("traps", TRAP_SPEC), ("abs", ABS_SPEC)])
def test_trap_specs_compile_and_fit(tmp_path: Path, stem: str, spec: str) -> None:
    """Specials and Unicode in the title, cases and bars in long results, wide sums."""
    need("pdflatex")
    (tmp_path / f"{stem}.yaml").write_text(spec, encoding="utf-8")
    write_tex([tmp_path / f"{stem}.yaml"], tmp_path)
    log = pdflatex(tmp_path / f"{stem}.tex")
    wide = [w for w in overfull(log) if w > OVERFULL_LIMIT_PT]
    assert wide == [], f"{stem}.tex: overfull boxes of {wide} pt"


def test_pdflatex_compiles_the_course_book(tmp_path: Path) -> None:
    from .conftest import installed_cli

    need("pdflatex")
    result = subprocess.run([installed_cli(), "site", str(EXAMPLES), "-o", str(tmp_path / "site"),
                             "--book", str(tmp_path / "book" / "book.tex"), "--title",
                             "Backpropagation, derived & checked"], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    book = tmp_path / "book" / "book.tex"
    text = book.read_text(encoding="utf-8")
    assert text.count(r"\chapter{") == len(EXAMPLE_STEMS)
    log = pdflatex(book, runs=2)                          # the second run fills the contents
    wide = [w for w in overfull(log) if w > OVERFULL_LIMIT_PT]
    assert wide == [], f"book.tex: overfull boxes of {wide} pt"
    assert "Label(s) may have changed" not in log
    save_page_png(book.with_suffix(".pdf"), 2, "book-contents")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
       | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2300), max_size=40))
def test_escape_latex_is_its_characters_escaped_one_by_one(text: str) -> None:
    """The ASCII shortcuts give what the character-by-character rule gives (accents aside:
    a combining mark joins the letter before it)."""
    from derive.formats.escape import _ACCENTS, _tex_char

    normal = unicodedata.normalize("NFC", text)
    assume(not any(c in _ACCENTS or len(unicodedata.normalize("NFD", c)) > 1 for c in normal))
    assert escape_latex(text) == "".join(_tex_char(c) for c in normal)
