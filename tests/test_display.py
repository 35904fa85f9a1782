"""``derive.display``: the one rule for a name that reaches a page (issue 20.7), on its own, on
any name Hypothesis draws, and on spec files with hostile names through the installed
command."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive import write
from derive.display import (
    NAME_RULE,
    decoded_name,
    display_name,
    is_blank,
    name_problem,
    unsafe_character,
)
from derive.write import safe_stem, write_outputs

from .test_faults import RELU, cli, temporaries


@pytest.mark.parametrize("text, problem", [
    ("Réseau ∂L/∂w — σ(z) ≤ 1 😀👩\u200d💻 עברית e\u0301 a\u00a0b", None),
    ("x\nline", "control character (U+000A)"),
    ("a\tb", "control character (U+0009)"),
    ("\x1b[31mred", "control character (U+001B)"),
    ("evil\u202egpj", "RIGHT-TO-LEFT OVERRIDE (U+202E)"),
    ("\u2066isolate", "LEFT-TO-RIGHT ISOLATE (U+2066)"),
    ("zero\u200bwidth", "ZERO WIDTH SPACE (U+200B)"),
    ("\ufeffbom", "ZERO WIDTH NO-BREAK SPACE (U+FEFF)"),
    ("\u200dx", "ZERO WIDTH JOINER (U+200D)"),         # a joiner joins two characters
    ("line\u2028separator", "LINE SEPARATOR (U+2028)"),
    ("caf\udce9", "control character (U+DCE9)"),     # a lone surrogate
    ("", "nothing visible"),
    (" \u00a0 ", "nothing visible"),
    ("\u0301\u0302", "nothing visible"),              # combining marks only
    ("\u3164", "nothing visible"),                     # a Hangul filler: a blank letter
])
def test_name_problem(text: str, problem: str | None) -> None:
    assert name_problem(text) == problem
    assert is_blank(text) == (problem == "nothing visible")
    assert unsafe_character(text) == (None if problem == "nothing visible" else problem)
    assert NAME_RULE.startswith("one line")


@pytest.mark.parametrize("text, shown", [
    ("x\nline> [!danger] hi", "x line> [!danger] hi"),
    ("  a \t\r\n b  ", "a b"),
    ("evil\u202egpj", "evil\ufffdgpj"),
    ("a\x1b[31mb", "a\ufffd[31mb"),
    ("👩\u200d💻", "👩\u200d💻"),
    ("\u200b\u200b", "spec"),
    ("\u0301", "spec"),
])
def test_display_name(text: str, shown: str) -> None:
    assert display_name(text, default="spec") == shown


@pytest.mark.parametrize("name, text", [
    (b"caf\xe9", "caf\ufffd"), (os.fsdecode(b"caf\xe9"), "caf\ufffd"), ("café", "café"),
    ("a\ud800b", "a\ufffd\ufffd\ufffdb"),           # no file system gives this one
])
def test_decoded_name(name: str | bytes, text: str) -> None:
    assert decoded_name(name) == text


ODD_BYTES = [b"caf\xe9", b"x\nline> [!danger] hi", b"evil\xe2\x80\xaegpj", b"\x1b[31mred",
             b"\xe2\x80\x8b\xe2\x80\x8b", b"tab\there"]


@pytest.fixture(scope="module")
def odd_names(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple]]:
    """Each spec file named by ``ODD_BYTES``, without ``title:``, run once: (folder, runs)."""
    tmp_path = tmp_path_factory.mktemp("odd_names")
    text = "".join(line for line in RELU.read_text().splitlines(keepends=True)
                   if not line.startswith("title:"))
    for raw in ODD_BYTES:
        (tmp_path / os.fsdecode(raw + b".yaml")).write_text(text)
    return tmp_path, [(raw, cli(os.fsdecode(raw + b".yaml"), "-o", "out", cwd=tmp_path))
                      for raw in ODD_BYTES]


def test_odd_file_names_run_without_traceback_and_stay_inside(
        odd_names: tuple[Path, list[tuple]]) -> None:
    """Issue 20.7: spec files named with Latin-1 bytes, a newline, a bidi override, ESC,
    zero-width spaces and a tab: no traceback, nothing outside ``out``, no temporary, no
    folder left empty."""
    tmp_path, runs = odd_names
    for raw, run in runs:
        assert b"Traceback" not in run.stderr, (raw, run.stderr)
        assert run.returncode == 0 or (run.returncode == 2 and run.stderr.count(b"\n") == 1)
    outputs = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if not p.match("*.yaml")]
    assert all(p.parts[0] == "out" for p in outputs) and temporaries(tmp_path) == []
    assert all(any(p.iterdir()) for p in (tmp_path / "out").rglob("*") if p.is_dir())


def test_a_file_name_reaches_the_heading_by_the_name_rule(
        odd_names: tuple[Path, list[tuple]]) -> None:
    from derive.formats import escape_markdown

    tmp_path, runs = odd_names
    for raw, run in runs:
        assert run.returncode == 0, (raw, run.stderr)
        stem = os.fsdecode(raw)
        title = display_name(decoded_name(stem), default=safe_stem(stem))
        page = (tmp_path / "out" / f"{safe_stem(stem)}.md").read_text(encoding="utf-8")
        assert f"\n# {escape_markdown(title)}\n" in page and "\n> [!" not in page


file_names = st.one_of(
    st.text(),
    st.binary(max_size=40).map(os.fsdecode),                 # surrogate escapes
    st.text(st.sampled_from("a.-_/\\\n\t\x00\x1b\u202e\u2066\u200b\u200d\u0301 é😀\ud800"),
            max_size=30),
)


@given(name=file_names)
def test_any_name_gives_a_safe_stem_and_a_display_name(name: str) -> None:
    stem = safe_stem(name)
    assert write._PART.fullmatch(stem) and not stem.startswith(("-", ".")) and len(stem) <= 100
    shown = display_name(decoded_name(name), default="spec")
    assert name_problem(shown) is None
    assert display_name(shown, default="spec") == shown      # the rule holds once applied
    shown.encode("utf-8")


@given(name=file_names)
def test_any_name_is_written_inside_the_folder(name: str) -> None:
    with tempfile.TemporaryDirectory() as root:
        out = Path(root) / "out"
        page = f"{safe_stem(name)}.md"
        [written] = write_outputs({page: display_name(decoded_name(name), default="x")}, out)
        assert written.parent == out and [p.name for p in out.iterdir()] == [page]
