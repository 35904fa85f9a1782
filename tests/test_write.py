"""``write.write_outputs``: all or nothing, idempotent, and never outside the output folder,
not even through a link planted while it works."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from derive import write
from derive.errors import OutputError
from derive.write import safe_stem, write_outputs


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) by relative POSIX path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- writing


def test_writes_exact_content_and_no_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    files: dict[str, str | bytes] = {
        "page.md": "# Title\n\nα ∂L/∂w\n",
        "page.json": "{}\n",
        "pictures/net.svg": b"<svg/>\x00\xff",
    }
    written = write_outputs(files, out)
    assert written == [out / "page.json", out / "page.md", out / "pictures" / "net.svg"]
    assert tree(out) == {"page.json": b"{}\n", "page.md": "# Title\n\nα ∂L/∂w\n".encode(),
                         "pictures/net.svg": b"<svg/>\x00\xff"}


def test_newlines_are_written_as_given(tmp_path: Path) -> None:
    write_outputs({"a.txt": "one\ntwo\n"}, tmp_path)
    assert (tmp_path / "a.txt").read_bytes() == b"one\ntwo\n"


def test_creates_the_folder_and_files_are_world_readable(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    write_outputs({"x.md": "x\n"}, out)
    assert stat.S_IMODE((out / "x.md").stat().st_mode) == 0o644


def test_replaces_changed_file(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("old\n")
    write_outputs({"x.md": "new\n"}, tmp_path)
    assert tree(tmp_path) == {"x.md": b"new\n"}


def test_unchanged_file_is_not_touched(tmp_path: Path) -> None:
    target = tmp_path / "x.md"
    target.write_text("same\n")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    inode = target.stat().st_ino
    written = write_outputs({"x.md": "same\n", "y.md": "new\n"}, tmp_path)
    assert written == [target, tmp_path / "y.md"]   # reported even when skipped
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert target.stat().st_ino == inode
    assert tree(tmp_path) == {"x.md": b"same\n", "y.md": b"new\n"}


def test_changed_file_gets_a_new_mtime(tmp_path: Path) -> None:
    target = tmp_path / "x.md"
    target.write_text("old\n")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    write_outputs({"x.md": "new\n"}, tmp_path)
    assert target.stat().st_mtime_ns != 1_000_000_000


def test_every_file_is_ready_before_the_first_rename(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """All or nothing: each temporary is written and fsynced, then all are renamed, then the
    folders are synced; each temporary sits beside its target under a recognisable name."""
    calls: list[tuple[str, str]] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace(src: str, dst: str, **fds: int) -> None:
        assert write.TEMPORARY.fullmatch(src) and src.split("-")[2] == str(os.getpid())
        assert fds["src_dir_fd"] == fds["dst_dir_fd"]      # in the target's own folder
        calls.append(("replace", dst))
        real_replace(src, dst, **fds)

    def fsync(fd: int) -> None:
        calls.append(("fsync", "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"))
        real_fsync(fd)

    monkeypatch.setattr(write.os, "replace", replace)
    monkeypatch.setattr(write.os, "fsync", fsync)
    write_outputs({"x.md": "x\n", "sub/y.md": "y\n"}, tmp_path)
    assert calls == [("fsync", "file"), ("fsync", "file"), ("replace", "y.md"),
                     ("replace", "x.md"), ("fsync", "folder"), ("fsync", "folder")]
    assert tree(tmp_path) == {"sub/y.md": b"y\n", "x.md": b"x\n"}


# --------------------------------------------------------------------------- failures


def test_failed_replace_leaves_old_file_and_no_temporary(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.md").write_text("old\n")

    def broken(src: str, dst: str, **fds: int) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(write.os, "replace", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_outputs({"x.md": "new\n"}, tmp_path)
    assert tree(tmp_path) == {"x.md": b"old\n"}


def test_failed_write_of_data_leaves_no_temporary(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.md").write_text("old\n")

    def broken(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write.os, "fsync", broken)
    with pytest.raises(KeyboardInterrupt):
        write_outputs({"x.md": "new\n"}, tmp_path)
    assert tree(tmp_path) == {"x.md": b"old\n"}


def test_directory_in_the_way_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.md").write_text("keep\n")
    with pytest.raises((OSError, OutputError)):
        write_outputs({"a": "new\n"}, tmp_path)
    assert tree(tmp_path) == {"a/keep.md": b"keep\n"}


def test_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder\n")
    with pytest.raises(OutputError) as info:
        write_outputs({"x.md": "x\n"}, blocker)
    assert info.value.key == "output"
    assert info.value.expected == "a folder that can be created"
    assert info.value.exit_code == 2


@pytest.mark.parametrize("existing, name", [("file", "a/b.md"), ("dir", "a")])
def test_os_errors_while_writing_are_output_errors(tmp_path: Path, existing: str,
                                                   name: str) -> None:
    if existing == "file":
        (tmp_path / "a").write_text("x\n")
    else:
        (tmp_path / "a").mkdir()
    with pytest.raises(OutputError):
        write_outputs({name: "new\n"}, tmp_path)


# --------------------------------------------------------------------------- refused names


REFUSED = ["../x", "/etc/passwd", "/x", "a/../b", "..", ".", ".hidden", "sub/.hidden",
           "a\\b", "..\\x", "a\x00b", "", "a//b", "a/", "./a", "sp ace"]


@pytest.mark.parametrize("name", REFUSED)
def test_refused_names(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError) as info:
        write_outputs({"ok.md": "fine\n", name: "bad\n"}, out)
    err = info.value
    assert (err.key, err.got, err.exit_code) == ("output", name, 2)
    assert str(err) == ("derive-backprop: output: expected a relative path of letters, digits, "
                        f"'.', '_' and '-', got {name!r}")
    assert tree(tmp_path) == {}    # checked before anything is written


def test_refused_through_a_symlinked_sub_folder(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError) as info:
        write_outputs({"sub/x.md": "x\n"}, out)
    assert info.value.expected == "no symbolic links inside the output folder"
    assert list(outside.iterdir()) == []


def test_refused_through_a_symlinked_file(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("keep\n")
    (out / "x.md").symlink_to(victim)
    with pytest.raises(OutputError) as info:
        write_outputs({"x.md": "x\n"}, out)
    assert info.value.expected == "no symbolic links inside the output folder"
    assert victim.read_text() == "keep\n"


def test_output_folder_may_itself_be_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    write_outputs({"x.md": "x\n", "s/y.md": "y\n"}, tmp_path / "link")
    assert tree(real) == {"s/y.md": b"y\n", "x.md": b"x\n"}


def test_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    written = write_outputs({"x.md": "x\n", "a/b.md": "b\n"}, Path("out"))
    assert written == [Path("out/a/b.md"), Path("out/x.md")]
    assert tree(tmp_path / "out") == {"a/b.md": b"b\n", "x.md": b"x\n"}


# --------------------------------------------------------------------------- links planted mid-run


def _plant(monkeypatch: pytest.MonkeyPatch, call: str, name: str,
           plant: Callable[[], None]) -> None:
    """Run ``plant`` right after write.py's first ``os.<call>(name, ...)``, even if it raised."""
    real = getattr(os, call)
    planted = []

    def hooked(*args: object, **kwargs: object) -> object:
        try:
            return real(*args, **kwargs)
        finally:
            if args[0] == name and not planted:
                planted.append(plant())

    monkeypatch.setattr(write.os, call, hooked)


def _swap_for_link(folder: Path, target: Path) -> None:
    folder.rename(folder.with_name(folder.name + "-moved"))
    folder.symlink_to(target, target_is_directory=True)


@pytest.mark.parametrize("moment", ["mkdir", "open"])
def test_a_folder_swapped_for_a_link_mid_run_gets_nothing_outside(
        moment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20.5: the pictures' folder becomes a link after it was made (before it is
    opened: refused) or after it was opened (the writes stay in the folder opened)."""
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    _plant(monkeypatch, moment, "pics", lambda: _swap_for_link(out / "pics", outside))
    files = {"page.md": "page\n", "pics/net.svg": "<svg/>\n"}
    try:
        write_outputs(files, out)
    except OutputError as exc:
        assert moment == "mkdir" and exc.expected == "no symbolic links inside the output folder"
    else:
        assert moment == "open" and (out / "pics-moved" / "net.svg").read_text() == "<svg/>\n"
    assert list(outside.iterdir()) == [] and not any(".derive-tmp-" in name for name in tree(tmp_path))


def test_a_file_swapped_for_a_link_mid_run_replaces_the_link_not_its_target(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("victim\n")
    _plant(monkeypatch, "stat", "page.md", lambda: (out / "page.md").symlink_to(victim))
    write_outputs({"page.md": "page\n"}, out)
    assert victim.read_text() == "victim\n"
    assert not (out / "page.md").is_symlink() and (out / "page.md").read_text() == "page\n"


# --------------------------------------------------------------------------- safe_stem


@pytest.mark.parametrize("name, stem", [
    ("nine-derivatives-2-2-1-linear", "nine-derivatives-2-2-1-linear"),
    ("net-1.v2", "net-1.v2"),
    ("my spec", "my_spec"),
    ("a  b", "a_b"),
    (".hidden", "hidden"),
    ("..", "spec"),
    ("...", "spec"),
    ("", "spec"),
    ("___", "spec"),
    ("a/b", "a_b"),
    ("../../etc/passwd", "etc_passwd"),
    ("a\\b", "a_b"),
    ("C:\\x", "C_x"),
    ("ünïcode", "n_code"),
    ("a\x00b", "a_b"),
    (" spaced ", "spaced"),
    ("x" * 150, "x" * 100),
])
def test_safe_stem(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_safe_stem_output_is_a_writable_name(tmp_path: Path) -> None:
    for name in ("../../x", ".env", "a b/c", "\x00", "😀"):
        stem = safe_stem(name)
        write_outputs({f"{stem}.md": "x\n"}, tmp_path)
        assert (tmp_path / f"{stem}.md").is_file()
