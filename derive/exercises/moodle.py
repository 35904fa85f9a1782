"""Moodle XML: a category, then one cloze question per variant (the network, its training and
the numbers, a NUMERICAL blank per answer with its tolerance) with the worked solution as
general feedback."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..formats import plain_markdown
from .key import Answer, numeric
from .sheets import sheet_html
from .variants import Variant

__all__ = ["category_path", "moodle_xml"]


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _question(variant: Variant, answered: list[Answer], digits: int) -> str:
    blanks = "".join(f"<li>\\({escape(a.latex)}\\) = "
                     f"{{1:NUMERICAL:={a.value!r}:{a.tolerance!r}}}</li>"
                     for a in numeric(answered))
    text = (f"<p>Variant {variant.number} (seed {variant.seed}).</p>\n{sheet_html(variant)}\n"
            f"<p>Compute, to {digits} decimals:</p><ol>{blanks}</ol>")
    solution = plain_markdown(str(variant.result.files["solution.md"]))
    title = escape(str(variant.mapping["title"]))
    return (f'  <question type="cloze">\n'
            f"    <name><text>{title}</text></name>\n"
            f'    <questiontext format="html"><text>{_cdata(text)}</text></questiontext>\n'
            f'    <generalfeedback format="markdown"><text>{_cdata(solution)}</text>'
            f"</generalfeedback>\n"
            f"    <penalty>0.3333333</penalty>\n    <hidden>0</hidden>\n  </question>\n")


def category_path(title: str) -> str:
    """Moodle's question category ``$course$/derive-backprop/TITLE``, the title one category
    whatever its slashes: Moodle splits a path at a single ``/`` and reads ``//`` as a slash
    in a name (``qformat_default::split_category_path``), and trims each name's spaces."""
    name = " ".join(title.split()).replace("/", "//")
    name = (" " + name if name.startswith("/") else name) + (" " if name.endswith("/") else "")
    return f"$course$/derive-backprop/{name}"


def moodle_xml(title: str, rows: list[tuple[Variant, list[Answer]]], digits: int) -> str:
    category = escape(category_path(title))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
            f'  <question type="category">\n    <category><text>{category}</text></category>\n'
            f"  </question>\n")
    return head + "".join(_question(v, a, digits) for v, a in rows) + "</quiz>\n"
