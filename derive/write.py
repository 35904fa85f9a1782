"""``dict[file name, text]`` -> files: the only module that writes to disk.

Every file is written to a temporary file in the target folder, flushed,
fsynced and renamed over the old one, so a failed run leaves nothing half
written. Names are checked: no separators, no ``..``, nothing outside the
output folder. Files whose content is unchanged are not touched.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import OutputError

__all__ = ["safe_stem", "write_outputs"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str) -> str:
    """A file stem made only of letters, digits, ``.``, ``_`` and ``-``, never hidden or empty,
    never starting with ``-`` (an option to every shell command that gets it)."""
    stem = _UNSAFE.sub("_", name).lstrip("._-").rstrip("._")[:100].rstrip("._")
    return stem or "spec"


_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


def _target(folder: Path, name: str) -> Path:
    """``folder/name`` for a relative POSIX path of safe parts that stays inside ``folder``."""
    parts = name.split("/")
    if not name or "\\" in name or not all(_PART.fullmatch(p) and p != ".." for p in parts):
        raise OutputError("output", "a relative path of letters, digits, '.', '_' and '-'", name)
    target = folder.joinpath(*parts)
    root = folder.resolve()
    for parent in [target, *target.parents]:
        if parent == folder:
            break
        if parent.is_symlink():
            raise OutputError("output", "no symbolic links inside the output folder", name)
    if root not in target.resolve().parents:
        raise OutputError("output", f"a file inside {str(folder)!r}", name)
    return target


def write_outputs(files: dict[str, str | bytes], folder: Path) -> list[Path]:
    """Write every file atomically into ``folder`` (sub-folders allowed); return the paths."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError("output", "a folder that can be created", str(folder),
                          hint=exc.strerror or "") from exc
    if not folder.is_dir():
        raise OutputError("output", "a folder", str(folder))
    targets = {name: _target(folder, name) for name in sorted(files)}
    written = []
    for name, target in targets.items():
        content = files[name]
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (target.is_file() and target.read_bytes() == data):
                _atomic_write(target, data)
        except OSError as exc:
            raise OutputError("output", "a file that can be written", name,
                              hint=exc.strerror or type(exc).__name__) from exc
        written.append(target)
    return written


def _atomic_write(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
