"""``site -o``: an author's mkdocs.yml is never overwritten (unless --force), -o never lies
inside the specs, --book is checked before any work, and pages of deleted specs go away
(only files the manifest says an earlier run wrote). Issues 18 and 20.11, 20.12."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.site import MANIFEST, MARKER
from derive.write import write_outputs

SMALL = "inputs: [x]\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n"
AUTHOR = "site_name: My own site\nnav: [index.md]\n"


def site(*args: str | Path) -> object:
    return CliRunner().invoke(cli, ["site", *map(str, args), "-j", "1"],
                              prog_name="derive-backprop", catch_exceptions=False)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    (folder / "week1").mkdir(parents=True)
    (folder / "one.yaml").write_text(SMALL, encoding="utf-8")
    (folder / "week1" / "two.yml").write_text(SMALL.replace("sigmoid", "tanh"), encoding="utf-8")
    return folder


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_an_authors_mkdocs_yml_is_refused_and_untouched(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "mkdocs.yml").write_text(AUTHOR, encoding="utf-8")
    result = site(course, "-o", out)
    assert result.exit_code == 2
    assert result.stderr == (f"site: --out: expected a folder whose mkdocs.yml derive-backprop "
                             f"wrote, got {str(out / 'mkdocs.yml')!r}, which it did not write; "
                             f"pass --force to overwrite it\n")
    assert files_under(out) == {"mkdocs.yml"}
    assert (out / "mkdocs.yml").read_text(encoding="utf-8") == AUTHOR


def test_force_overwrites_it_and_a_second_run_needs_no_force(course: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "mkdocs.yml").write_text(AUTHOR, encoding="utf-8")
    assert site(course, "-o", out, "--force").exit_code == 0
    assert (out / "mkdocs.yml").read_text(encoding="utf-8").startswith(MARKER)
    assert site(course, "-o", out).exit_code == 0


@pytest.mark.parametrize("inside", [".", "week1", "week1/site"])
def test_out_inside_the_specs_is_refused_before_any_work(course: Path, inside: str) -> None:
    before = files_under(course)
    result = site(course, "-o", course / inside)
    assert result.exit_code == 2
    assert "--out: expected a folder outside the folder of specs" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and files_under(course) == before


def test_a_mkdocs_yml_among_the_specs_is_not_a_spec(course: Path, tmp_path: Path) -> None:
    (course / "mkdocs.yml").write_text(AUTHOR, encoding="utf-8")
    result = site(course, "-o", tmp_path / "site")
    assert result.exit_code == 0, result.stderr
    assert "(2 pages)" in result.stderr


@pytest.mark.parametrize("book", ["", "my book.tex", "book.pdf", "."])
def test_a_bad_book_is_refused_before_any_work(course: Path, tmp_path: Path, book: str) -> None:
    result = site(course, "-o", tmp_path / "site", "--book", book)
    assert result.exit_code == 2
    assert result.stderr.startswith("site: --book: expected a .tex file name")
    assert not (tmp_path / "site").exists()


def test_pages_of_deleted_specs_are_removed(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert site(course, "-o", out).exit_code == 0
    first = files_under(out)
    assert "docs/week1/two.md" in first and MANIFEST in first
    listed = (out / MANIFEST).read_text(encoding="utf-8").splitlines()[1:]
    assert set(listed) == first - {MANIFEST}
    (out / "docs" / "notes.md").write_text("mine\n", encoding="utf-8")   # the author's file
    (course / "week1" / "two.yml").unlink()
    (course / "week1").rmdir()
    result = site(course, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert f"removed {out / 'docs/week1/two.md'} (its spec is gone)" in result.stderr
    assert not (out / "docs" / "week1").exists()          # its pictures and folder too
    assert (out / "docs" / "notes.md").read_text(encoding="utf-8") == "mine\n"
    assert files_under(out) == {p for p in first if not p.startswith("docs/week1/")} | {
        "docs/notes.md"}


def test_an_edited_manifest_removes_nothing_outside(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert site(course, "-o", out).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    (out / "docs" / "link.md").symlink_to(victim)
    with (out / MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write("../victim.txt\n/etc/passwd\ndocs/link.md\n")
    assert site(course, "-o", out).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep\n"
    assert (out / "docs" / "link.md").is_symlink()


def test_write_outputs_removes_only_regular_files(tmp_path: Path) -> None:
    write_outputs({"a/old.txt": "x", "a/keep.txt": "y", "b/gone.txt": "z"}, tmp_path)
    os.symlink(tmp_path / "a" / "keep.txt", tmp_path / "a" / "link.txt")
    write_outputs({"a/keep.txt": "y"}, tmp_path,
                  remove=["a/old.txt", "b/gone.txt", "a/link.txt", "c/missing.txt"])
    assert files_under(tmp_path) == {"a/keep.txt", "a/link.txt"}
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_counts_are_in_grammar(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "only.yaml").write_text(SMALL, encoding="utf-8")
    result = site(folder, "-o", tmp_path / "site")
    assert result.exit_code == 0 and "(1 page);" in result.stderr
