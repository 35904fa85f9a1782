"""SVG text: the one writer every picture uses (escaping, the number format, elements, the page).

The SVG is built from plain strings: every number goes through ``coordinate`` (one fixed
format) and every piece of text through ``escape``, so output is byte-identical across runs
and spec text cannot inject markup. No ids or markers (several pictures may share one HTML
page), no fonts beyond ``sans-serif``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

__all__ = ["Sheet", "coordinate", "escape"]

# What XML 1.0 forbids: controls but tab and newlines, surrogates, two non-characters
# (a pattern that ``re`` compiles, and caches, only if some text ever needs it).
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"


def escape(text: object, quote: bool = False) -> str:
    """XML-escape text (and quotes, for attributes); drop the characters XML 1.0 forbids.

    Those are all unprintable (controls, surrogates, non-characters), so printable text,
    nearly all of it, skips that step; text with nothing to escape, nearly all again, is
    returned as it is. ``&`` goes first, so nothing is escaped twice.
    """
    text = str(text)
    if not text.isprintable():
        text = re.sub(_NOT_XML, "", text)
    if "&" in text or "<" in text or ">" in text or (quote and '"' in text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace('"', "&quot;") if quote else text
    return text


def coordinate(value: float) -> str:
    """One coordinate format (0.1 px) so two runs give the same bytes."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attribute(key: str, value: object) -> str:
    """`` key="value"``: ``font_size`` written ``font-size``, a number as a coordinate, a
    string escaped."""
    text = coordinate(value) if isinstance(value, (int, float)) else escape(value, True)
    return f' {key.replace("_", "-")}="{text}"'


class _Attributes(dict[tuple[str, object], str]):
    """Each (key, value) pair written as an attribute, written when first asked for."""

    __slots__ = ()

    def __missing__(self, item: tuple[str, object]) -> str:
        text = self[item] = _attribute(*item)
        return text


class Sheet:
    """The markup of one picture, element by element.

    It remembers each attribute it has written: a picture repeats its colours, classes and
    coordinates element after element, and writing each afresh made a 2-10-10-1 page's
    pictures about 40 % slower (6.5 -> 9.0 ms, measured when this was a global cache).
    Equal values of other types (1, 1.0, True; 0.0, -0.0) share an entry, which is right
    because they are written alike.
    """

    __slots__ = ("_written",)

    def __init__(self) -> None:
        self._written = _Attributes()

    def tag(self, name: str, attrs: Mapping[str, object], body: str = "") -> str:
        """One element (``body`` is markup); ``font_size=`` serves for ``font-size``."""
        joined = "".join(map(self._written.__getitem__, attrs.items()))
        return f"<{name}{joined}>{body}</{name}>" if body else f"<{name}{joined}/>"

    def text(self, x: float, y: float, text: str, **attrs: object) -> str:
        """A <text> at (x, y) saying ``text`` (escaped)."""
        return self.tag("text", {"x": x, "y": y, **attrs}, escape(text))

    def titled(self, name: str, attrs: Mapping[str, object], title: str, body: str = "") -> str:
        """An element whose tooltip (and name for screen readers) is ``title``."""
        return self.tag(name, attrs, self.tag("title", {}, escape(title)) + body)

    def document(self, width: float, height: float, title: str, desc: str,
                 parts: Iterable[str]) -> str:
        """The picture: xmlns, viewBox, <title>/<desc> for screen readers, a white card."""
        w, h = math.ceil(width), math.ceil(height)
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
                f'height="{h}" role="img" font-family="sans-serif" font-size="13">')
        return "\n".join([head, self.tag("title", {}, escape(title)),
                          self.tag("desc", {}, escape(desc)),
                          self.tag("rect", {"width": w, "height": h, "fill": "#ffffff"}),
                          *parts, "</svg>"]) + "\n"
