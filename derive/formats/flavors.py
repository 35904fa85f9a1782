r"""The page's Markdown in the plain flavour that JupyterLab, VS Code and GitHub render.

The page is written for MkDocs (pymdownx.arithmatex's ``\(..\)``, admonitions, details,
front matter). The plain flavour is the same page with those four spelled the way plain
Markdown renderers read them: ``$..$``, blockquotes, ``<details>`` and no front matter.
Only our own output passes through here, so the rewrite knows every form it meets; prose
never holds a raw backslash (``escape_markdown`` writes it as an entity).
"""

from __future__ import annotations

import re

__all__ = ["plain_markdown"]

_BOX = re.compile(r'^(!!!|\?\?\?\+?) (\w+)(?: [\w-]+)* "(.*)"$')
_INLINE = re.compile(r"(?<!\\)\\\((.+?)(?<!\\)\\\)")


def plain_markdown(page: str) -> str:
    """The MkDocs page in plain Markdown (``$..$`` math, boxes as quotes or <details>)."""
    lines = _without_front_matter(page.split("\n"))
    out: list[str] = []
    display = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == "$$":
            display = not display
        box = None if display else _BOX.match(line)
        if box is None:
            out.append(line if display else _INLINE.sub(r"$\1$", line))
            i += 1
            continue
        body, i = _indented(lines, i + 1)
        out += _box(box.group(1), box.group(3), [_INLINE.sub(r"$\1$", b) for b in body])
    return "\n".join(out)


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0] == "---" and "---" in lines[1:]:
        end = lines.index("---", 1)
        return lines[end + 1:]
    return lines


def _indented(lines: list[str], start: int) -> tuple[list[str], int]:
    """The box's body: the lines indented by four spaces (and blank lines inside it)."""
    end = start
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line[4:] for line in lines[start:end]], end


def _box(kind: str, title: str, body: list[str]) -> list[str]:
    """``!!!`` (always open) as a blockquote; ``???`` (collapsible) as <details>."""
    if kind == "!!!":
        return [f"> **{title}**", ">", *(f"> {line}" if line else ">" for line in body)]
    opened = " open" if kind == "???+" else ""
    return [f"<details{opened}><summary>{title}</summary>", "", *body, "", "</details>"]
