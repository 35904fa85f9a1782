"""Text in the SVG pictures: escaping of hostile text, labels of every symbol."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from derive import build_network, load_spec
from derive.calculus.names import symbol_names
from derive.formats.svg import symbol_labels, unicode_label
from derive.formats.svg.markup import escape as _esc

from .conftest import EXAMPLES


# --------------------------------------------------------------------------- pictures

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)
               | st.sampled_from(["&", "<", ">", '"', "\ud800", "\udfff", "\ufffe", "\x0b"])),
       st.booleans())
def test_escaping_drops_what_xml_forbids_then_escapes(text: str, quote: bool) -> None:
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", **({'"': "&quot;"} if quote else {})}
    assert _esc(text, quote) == _NOT_XML.sub("", text).translate(str.maketrans(table))


def example_network(name: str = "softmax-cross-entropy-3-classes"):
    path = EXAMPLES / f"{name}.yaml"
    return build_network(load_spec(path.read_text(encoding="utf-8"), str(path)))


def test_labels_made_when_asked_are_the_labels_of_every_name() -> None:
    network = example_network()
    names = symbol_names(network)
    labels = symbol_labels(network)
    assert dict(labels) == {symbol: unicode_label(latex) for symbol, latex in names.items()}
    assert list(labels) == list(names) and len(labels) == len(names)
    assert dict(symbol_labels(network, names=names)) == dict(labels)
