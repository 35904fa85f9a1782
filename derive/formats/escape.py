"""The only escapers: text from a spec, shown literally in Markdown, LaTeX, HTML, JSON and
MkDocs' front matter; and the page math's bars made safe inside Markdown tables.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from types import MappingProxyType


__all__ = ["escape_csv_cell", "escape_html", "escape_json", "escape_markdown", "escape_latex",
           "page_meta_title"]


_MD_SPECIAL = frozenset("\\`*_{}[]<>#|$&~^")


_TEX_SPECIAL = MappingProxyType({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"})


def escape_html(text: str) -> str:
    """Text (prose or LaTeX) in an HTML element's content: ``& < >`` as entities."""
    return html.escape(text, quote=False)


def escape_csv_cell(cell: str) -> str:
    """A person's text in a CSV cell that a spreadsheet shows and never runs: a cell that
    starts like a formula (= + - @, a tab or a return) and is not a number gets a leading
    apostrophe (OWASP's CSV injection); numbers, negative ones too, stay as typed. Control
    characters but tab and newline are left out (a NUL ends a cell in some readers)."""
    cell = "".join(c for c in cell if c in "\t\n" or unicodedata.category(c) != "Cc")
    if cell[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return cell
    try:
        float(cell)
        return cell
    except ValueError:
        return "'" + cell


def escape_json(text: str) -> str:
    """JSON text with ``<``, ``>`` and ``&`` as ``\\u`` escapes: the same data, inert in HTML."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_META_SAFE = str.maketrans({"<": "‹", ">": "›", "&": "＆", "{": "｛", "}": "｝", '"': "”",
                            "\\": "∖", "|": "│", "^": "ˆ", "$": "＄", "%": "％", "`": "ˋ"})


def page_meta_title(text: str) -> str:
    """The page title for MkDocs' front matter: a JSON string (valid YAML) with no markup.

    Themes print ``page.title`` through filters that undo HTML escaping (Material's
    ``<title>{{ page.title | striptags }}``), so the characters that could open markup or a
    template are replaced by look-alikes; the page's heading keeps the exact title.
    """
    return json.dumps(text.translate(_META_SAFE), ensure_ascii=False)


def escape_markdown(text: str) -> str:
    """Every Markdown, HTML, math or template character as a numeric entity: shown literally."""
    return "".join(f"&#{ord(c)};" if c in _MD_SPECIAL else c for c in text)

# What pdflatex with utf8 + T1 + textcomp typesets as text (measured on TeX Live 2022); the
# rest of Unicode would stop pdflatex, so it becomes a math symbol or a visible code point.
_TEX_TEXT = ((0x20, 0x7E), (0xA1, 0xAC), (0xAE, 0x125), (0x128, 0x137), (0x139, 0x13E),
             (0x141, 0x148), (0x14A, 0x165), (0x168, 0x17E), (0x2013, 0x2014), (0x2018, 0x2019),
             (0x201C, 0x201D), (0x2020, 0x2022), (0x2026, 0x2026), (0x20AC, 0x20AC),
             (0x2190, 0x2193))


_GREEK_SMALL = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
                "omicron pi rho varsigma sigma tau upsilon phi chi psi omega").split()


_GREEK_CAPITAL = ("A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X "
                  "Psi Omega")


_TEX_SYMBOLS = MappingProxyType({
    **{chr(0x3B1 + i): "o" if name == "omicron" else rf"\ensuremath{{\{name}}}"
       for i, name in enumerate(_GREEK_SMALL)},
    **{chr(0x391 + i): name if len(name) == 1 else rf"\ensuremath{{\{name}}}"
       for i, name in enumerate(_GREEK_CAPITAL.split()) if name != "-"},
    "\u00a0": "~", "\u2212": r"\textminus{}", "\u2032": r"\ensuremath{'}",
    "\u2202": r"\ensuremath{\partial}", "\u2207": r"\ensuremath{\nabla}",
    "\u2211": r"\ensuremath{\sum}", "\u221a": r"\ensuremath{\surd}",
    "\u221e": r"\ensuremath{\infty}", "\u2208": r"\ensuremath{\in}",
    "\u2248": r"\ensuremath{\approx}", "\u2260": r"\ensuremath{\neq}",
    "\u2264": r"\ensuremath{\leq}", "\u2265": r"\ensuremath{\geq}",
    "\u2299": r"\ensuremath{\odot}", "\u22c5": r"\ensuremath{\cdot}",
    # subscript and superscript digits and brackets (x₁, W⁽¹⁾): small raised or lowered text
    **{chr(0x2080 + d): rf"\textsubscript{{{d}}}" for d in range(10)},
    **{chr(code): rf"\textsuperscript{{{d}}}"
       for d, code in enumerate((0x2070, 0xB9, 0xB2, 0xB3, *range(0x2074, 0x207A)))},
    "\u207a": r"\textsuperscript{+}", "\u207b": r"\textsuperscript{\textminus}",
    "\u207d": r"\textsuperscript{(}", "\u207e": r"\textsuperscript{)}",
    "\u208d": r"\textsubscript{(}", "\u208e": r"\textsubscript{)}",
})


_UNSHOWN = r"\texttt{[U+"      # a character pdflatex cannot set, shown as its code point


_SCRIPTS = MappingProxyType({"<super>": "textsuperscript", "<sub>": "textsubscript"})


def _tex_char(char: str) -> str:
    code = ord(char)
    if char in _TEX_SPECIAL:
        return _TEX_SPECIAL[char]
    if any(low <= code <= high for low, high in _TEX_TEXT):
        return char
    return _TEX_SYMBOLS.get(char) or _script_letter(char) or rf"{_UNSHOWN}{code:04X}]}}"


def _script_letter(char: str) -> str | None:
    """A raised or lowered letter (Xᵀ, a⁽ᴸ⁾, ŷᵢ, βᵏ): its letter as small raised or lowered
    text, as Unicode itself defines it (a ``<super>`` or ``<sub>`` compatibility form)."""
    tag, _, code = unicodedata.decomposition(char).partition(" ")
    if tag not in _SCRIPTS or not code or " " in code:
        return None
    base = chr(int(code, 16))
    shown = base if base.isascii() and base.isalpha() else _TEX_SYMBOLS.get(base)
    return rf"\{_SCRIPTS[tag]}{{{shown}}}" if shown else None


# combining marks NFC leaves on a letter with no precomposed form (x̂, ẑ₁): LaTeX's text accents
_ACCENTS = MappingProxyType({"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~",
                             "\u0304": "=", "\u0306": "u", "\u0307": ".", "\u0308": '"',
                             "\u030a": "r", "\u030c": "v"})


_ASCII_TEX = str.maketrans(dict(_TEX_SPECIAL))


def escape_latex(text: str) -> str:
    """Text shown literally by pdflatex: TeX specials as commands, any Unicode without an error."""
    if text.isascii() and text.isprintable():      # most prose: one table lookup per character
        return text.translate(_ASCII_TEX)
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if " " <= char <= "~":
            out.append(_TEX_SPECIAL.get(char, char))
            continue
        accent = _ACCENTS.get(char)
        if accent is not None and out:
            out[-1] = f"\\{accent}{{{out[-1]}}}"
            continue
        tex = _tex_char(char)
        parts = unicodedata.normalize("NFD", char)
        if tex.startswith(_UNSHOWN) and len(parts) > 1 and all(p in _ACCENTS for p in parts[1:]):
            tex = _tex_char(parts[0])       # ẑ: z under its accent
            for mark in parts[1:]:
                tex = f"\\{_ACCENTS[mark]}{{{tex}}}"
        out.append(tex)
    return "".join(out)


_BARS = re.compile(r"\\left\||\\right\||\\\||\|")


_BAR_MACROS = MappingProxyType({r"\left|": r"\left\lvert ", r"\right|": r"\right\rvert ", r"\|": r"\Vert ",
               "|": r"\vert "})
