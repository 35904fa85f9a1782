"""``dict[file name, text]`` -> files: the only module that writes to disk.

All or nothing: every file of a call is first written to a temporary beside its target
(``.derive-tmp-<pid>-<random>``), flushed and fsynced; only when all of them are ready
are they renamed over the old files, with the signals that stop a run held back until
the last rename. A failure before that removes every temporary and every folder the call
made, and the old files are as they were; a rename that fails halfway (rare: the disk
is not touched by a rename) says which files it had already replaced. Temporaries left
by a killed run (SIGKILL, a power cut) are removed by the next run that writes there.

Nothing outside the output folder: names are relative paths of safe parts, and every
folder below the output folder is opened without following links (``O_NOFOLLOW``) and
then used by descriptor for each mkdir, open, rename and unlink in it, so a link planted
while the run works cannot redirect a write. The output folder itself may be a link.
Files whose content is unchanged are not touched (``mkdocs serve`` rebuilds nothing).
Files of an earlier run named in ``remove`` (``site``'s stale pages) go with the last rename.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from .errors import OutputError
from .held import signals_held

__all__ = ["TEMPORARY", "safe_stem", "write_outputs"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
TEMPORARY = re.compile(r"\.derive-tmp-(\d+)-[0-9a-f]{8}")
STALE_SECONDS = 600          # a temporary this old is a dead run's even if its pid lives
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def safe_stem(name: str) -> str:
    """A file stem made only of letters, digits, ``.``, ``_`` and ``-``, never hidden or empty,
    never starting with ``-`` (an option to every shell command that gets it)."""
    stem = _UNSAFE.sub("_", name).lstrip("._-").rstrip("._")[:100].rstrip("._")
    return stem or "spec"


def write_outputs(files: dict[str, str | bytes], folder: Path, *,
                  remove: Sequence[str] = ()) -> list[Path]:
    """Write every file into ``folder`` (sub-folders allowed), all or nothing; return the
    paths, in the order of the names. ``remove``: files of an earlier run to delete with
    the last rename (regular files only; a folder left empty goes too)."""
    names = sorted(files)
    data = {name: _encoded(name, files[name]) for name in names}
    [_encoded(name, b"") for name in remove]          # their names checked alike
    made = _make_folder(folder)
    run = _Run(folder, made)
    try:
        for name in names:
            try:
                run.stage(name, data[name])
            except OSError as exc:
                raise _failed(name, exc, "nothing was replaced") from exc
        run.commit(sorted(set(remove) - set(names)))
    except BaseException:
        run.discard()
        raise
    finally:
        run.close()
    return [folder.joinpath(*name.split("/")) for name in names]


def _encoded(name: str, content: str | bytes) -> bytes:
    """The file's bytes (UTF-8), after its name was checked: both before anything is written."""
    parts = name.split("/")
    if not name or "\\" in name or not all(_PART.fullmatch(p) and p != ".." for p in parts):
        raise OutputError("output", "a relative path of letters, digits, '.', '_' and '-'", name)
    if isinstance(content, bytes):
        return content
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError("output", "text that UTF-8 can encode", name,
                          hint=f"{exc.reason} at character {exc.start}") from None


def _failed(name: str, exc: OSError, done: str) -> OutputError:
    if exc.errno == errno.ELOOP:
        return OutputError("output", "no symbolic links inside the output folder", name,
                           hint=done)
    return OutputError("output", "a file that can be written", name,
                       hint=f"{exc.strerror or type(exc).__name__}; {done}")


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones made, deepest first."""
    missing = []
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output", "a folder that can be created", str(folder),
                          hint=exc.strerror or "") from exc
    return missing


class _Run:
    """One call's folders (open by descriptor), the folders it made and its temporaries."""

    def __init__(self, folder: Path, made: list[Path]) -> None:
        self.made = made                                  # outside the output folder
        self.folders: dict[str, int] = {}                 # relative folder -> descriptor
        self.created: list[tuple[str, str]] = []          # (parent, name) made below it
        self.staged: list[tuple[str, str, str]] = []      # (folder, temporary, final name)
        try:
            self._open("", os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
        except OSError as exc:
            self.discard()
            raise OutputError("output", "a folder", str(folder),
                              hint=exc.strerror or "") from exc

    def _open(self, relative: str, descriptor: int) -> int:
        self.folders[relative] = descriptor
        _sweep(descriptor)
        return descriptor

    def _folder(self, relative: str) -> int:
        """The descriptor of ``relative`` (made if missing), each part opened without links."""
        if relative in self.folders:
            return self.folders[relative]
        parent, _, name = relative.rpartition("/")
        above = self._folder(parent)
        try:
            os.mkdir(name, 0o755, dir_fd=above)
            self.created.append((parent, name))
        except FileExistsError:
            pass
        try:
            return self._open(relative, os.open(name, _FOLDER, dir_fd=above))
        except NotADirectoryError:      # what Linux says of a link opened with O_NOFOLLOW
            if stat.S_ISLNK(os.stat(name, dir_fd=above, follow_symlinks=False).st_mode):
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), relative) from None
            raise

    def stage(self, name: str, data: bytes) -> None:
        """Write ``data`` to a temporary beside ``name``, unless ``name`` already holds it."""
        relative, _, base = name.rpartition("/")
        where = self._folder(relative)
        with suppress(FileNotFoundError):
            found = os.stat(base, dir_fd=where, follow_symlinks=False)
            if stat.S_ISLNK(found.st_mode):
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), name)
            if stat.S_ISDIR(found.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
            if stat.S_ISREG(found.st_mode) and found.st_size == len(data) \
                    and _read(base, where) == data:
                return
        temporary = f".derive-tmp-{os.getpid()}-{secrets.token_hex(4)}"
        self.staged.append((relative, temporary, base))   # before it exists: always removed
        handle = os.open(temporary, _NEW, 0o644, dir_fd=where)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(handle, 0o644)
            os.fsync(handle)

    def commit(self, remove: Sequence[str] = ()) -> None:
        """Rename every temporary over its file, remove ``remove``, make it all durable."""
        replaced: list[str] = []
        touched = {relative for relative, _, _ in self.staged}
        with signals_held():
            for relative, temporary, base in self.staged:
                where = self.folders[relative]
                name = f"{relative}/{base}" if relative else base
                try:
                    os.replace(temporary, base, src_dir_fd=where, dst_dir_fd=where)
                except OSError as exc:
                    done = f"replaced before it: {', '.join(replaced)}" if replaced \
                        else "nothing was replaced"
                    raise _failed(name, exc, done + "; the other files are as they were") \
                        from exc
                replaced.append(name)
            self.staged.clear()
            self._remove(remove)
            for relative in sorted(touched):
                with suppress(OSError):       # some file systems cannot sync a folder
                    os.fsync(self.folders[relative])

    def _remove(self, names: Sequence[str]) -> None:
        """Delete each regular file of ``names`` that is there, then its folders if empty."""
        for relative, _, base in (name.rpartition("/") for name in names):
            where = self._existing(relative)
            if where is None:
                continue
            with suppress(OSError):
                if stat.S_ISREG(os.stat(base, dir_fd=where, follow_symlinks=False).st_mode):
                    os.unlink(base, dir_fd=where)
                while relative:                 # OSError (not empty) ends the climb
                    parent, _, folder = relative.rpartition("/")
                    os.rmdir(folder, dir_fd=self.folders[parent])
                    relative = parent

    def _existing(self, relative: str) -> int | None:
        """An existing folder's descriptor (opened without links), or None."""
        if relative not in self.folders and relative:
            parent, _, name = relative.rpartition("/")
            above = self._existing(parent)
            with suppress(OSError):
                if above is not None:
                    self.folders[relative] = os.open(name, _FOLDER, dir_fd=above)
        return self.folders.get(relative)

    def discard(self) -> None:
        """Remove every temporary left and every folder this call made (if still empty)."""
        with signals_held():
            for relative, temporary, _ in self.staged:
                with suppress(OSError):
                    os.unlink(temporary, dir_fd=self.folders[relative])
            self.staged.clear()
            for parent, name in reversed(self.created):
                with suppress(OSError):
                    os.rmdir(name, dir_fd=self.folders[parent])
            self.created.clear()
            for path in self.made:
                with suppress(OSError):
                    path.rmdir()
            self.made = []

    def close(self) -> None:
        for descriptor in self.folders.values():
            os.close(descriptor)
        self.folders.clear()


def _read(base: str, where: int) -> bytes | None:
    """The bytes of a regular file (None if it changed into something else meanwhile)."""
    try:
        handle = os.open(base, _READ, dir_fd=where)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        return stream.read() if stat.S_ISREG(os.fstat(handle).st_mode) else None


def _sweep(where: int) -> None:
    """Remove the temporaries a killed run left in this folder: its process is gone, or
    the temporary is older than any run's writing takes."""
    now = time.time()
    try:
        entries = os.listdir(where)
    except OSError:               # a folder we may write but not list: nothing to sweep
        return
    for entry in entries:
        match = TEMPORARY.fullmatch(entry)
        if match is None:
            continue
        with suppress(OSError):
            age = now - os.stat(entry, dir_fd=where, follow_symlinks=False).st_mtime
            if age > STALE_SECONDS or not _alive(int(match[1])):
                os.unlink(entry, dir_fd=where)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # another user's process: alive
        return True
    return True
