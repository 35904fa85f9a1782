"""The render stage's shortcuts give exactly what the plain way gives.

texbreak reads small braced groups as one token and cuts a line too wide only at the
levels it has not tried; pictures make labels when asked for and skip dropping characters
from printable text; the LaTeX page adds its rows to copies of the sections it shares with
the Markdown page.
Each is compared here with the plain way, written out as it was before.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from derive import build_network, derive, load_spec
from derive.formats import texbreak as tb
from derive.verify.checking import CheckReport
from derive.calculus.names import symbol_names
from derive.formats.svg import symbol_labels, unicode_label
from derive.formats.svg.markup import escape as _esc
from derive.formats.pages import _math_sections, _tex_rows, escape_latex, page_context

from .conftest import EXAMPLES

PIECES = ["a", "x", "1", " ", "  ", "{", "}", "{x}", "{(2)}", "{a{b}}", "{a{b{c}}}", r"\{",
          r"\}", "\\\\", r"\left(", r"\right)", r"\left", r"\right", r"\leftarrow", r"\endash",
          r"\begin{cases}", r"\end{cases}", r"\begin", r"\end", "&", r"\frac", "^", "_", "+",
          "-", "=", r"\cdot", r"\partial", r"\hat{y}", r"\text{ if }", r"\!", "\\", "\n"]
formulas = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


# --------------------------------------------------------------------------- the plain parser

_ONE_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)


def plain_parse(tokens: list[str], stop: str = "") -> tuple:
    """texbreak's parser token by token, as (kind, text, children) tuples."""
    nodes: list[tuple] = []
    while tokens:
        token = tokens.pop()
        if token == stop:
            break
        if token == "{":
            nodes.append(("group", "", plain_parse(tokens, "}")))
        elif token == r"\left":
            opening = plain_delimiter(tokens)
            children = plain_parse(tokens, r"\right")
            nodes.append(("pair", f"{opening} {plain_delimiter(tokens)}", children))
        elif token == r"\begin":
            raw, depth = [token], 1
            while tokens and (depth or raw[-1] != "}"):
                raw.append(tokens.pop())
                depth += {r"\begin": 1, r"\end": -1}.get(raw[-1], 0)
            nodes.append(("env", "".join(raw), ()))
        else:
            nodes.append(("atom", token, ()))
    return tuple(nodes)


def plain_delimiter(tokens: list[str]) -> str:
    while tokens and tokens[-1].isspace():
        tokens.pop()
    return tokens.pop() if tokens else "."


def as_tuples(nodes: tuple) -> tuple:
    return tuple((n.kind, n.text, as_tuples(n.children)) for n in nodes)


@given(formulas)
def test_groups_read_as_one_token_parse_as_token_by_token(formula: str) -> None:
    assert as_tuples(tb._parse(tb._tokens(formula))) == \
        plain_parse(_ONE_TOKEN.findall(formula)[::-1])


def printed(nodes: tuple) -> str:
    """The nodes' LaTeX, or the error printing them raises (``\\left\\ `` has no delimiter)."""
    try:
        return tb._text(nodes)
    except ValueError as error:
        return repr(error)


@given(formulas)
def test_a_parsed_formula_prints_as_the_plain_parse(formula: str) -> None:
    one_by_one = tb._parse(map(tb._token_node, _ONE_TOKEN.findall(formula)))
    assert printed(tb._parse(tb._tokens(formula))) == printed(one_by_one)


def plain_split(nodes: list, separators: frozenset[str]) -> list[list]:
    """Cut before every separator that follows an operand, as texbreak did."""
    pieces: list[list] = [[]]
    previous = ""
    for node in nodes:
        if node.kind == "atom" and node.text in separators and previous not in tb._NO_OPERAND:
            pieces.append([])
        pieces[-1].append(node)
        if node.kind == "open":
            previous = ""
        elif not (node.kind == "atom" and node.text.isspace()):
            previous = node.text if node.kind == "atom" else "operand"
    return [piece for piece in pieces if piece]


@given(formulas)
def test_cut_points_are_the_plain_ones(formula: str) -> None:
    nodes = list(tb._parse(tb._tokens(formula)))
    try:
        opened = tb._opened(nodes) or nodes
    except (RecursionError, ValueError):    # \begin with no \end, \left\ : as ever
        opened = nodes
    for level, separators in enumerate(tb._LEVELS):
        for line in (nodes, opened):
            pieces = tb._pieces([node.role for node in line], 0, len(line), level)
            assert [line[a:b] for a, b in pieces] == plain_split(line, separators)


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


# --------------------------------------------------------------------------- render


def test_latex_rows_go_into_copies_not_into_the_shared_sections() -> None:
    derivation = derive(example_network())
    before = repr(_math_sections(derivation, None))
    context = _tex_rows(page_context(derivation, None, _report(), escape_latex))
    assert repr(_math_sections(derivation, None)) == before
    assert context["forward"]["tex_rows"] and "tex_rows" not in \
        _math_sections(derivation, None)["forward"]


def _report() -> CheckReport:
    return CheckReport(passed=True, methods=(), points=(), compared=0, skipped=0,
                       max_abs_error=0.0, max_rel_error=0.0, disagreements=(), paths_proved=0,
                       paths_total=0, matrix_proved=False, seed=0)
