"""The LaTeX page's display math as ``align*`` rows broken to the text width."""

from __future__ import annotations

from typing import Any

from .texbreak import ROWS_PER_ALIGN, break_align


__all__ = ["tex_rows"]


SHORT_ROW = 100   # characters: a row this short always fits the LaTeX line


def _short_or_broken(rows: list[str]) -> list[str]:
    """Table rows of wide networks are short: measure them only when one might not fit."""
    return rows if all(len(row) < SHORT_ROW for row in rows) else break_align(rows)


def tex_rows(context: dict[str, Any]) -> dict[str, Any]:
    """The context plus the LaTeX page's display math as ``align*`` rows broken to the text width.

    The rows go into new dicts: the math sections are shared with the Markdown page.
    """
    forward, delta = context["forward"], context["delta"]
    return {
        **context,
        "forward": {**forward, "tex_rows": break_align(forward["rows"]),
                    "tex_loss": break_align([forward["loss"]])},
        "derivatives": [{**layer, "shown": [_tex_gradient(g) for g in layer["shown"]],
                         "tex_rest": _tex_rest(layer["rest"])}
                        for layer in context["derivatives"]],
        "delta": {**delta, "tex_rows": break_align(delta["rows"])},
    }


def _tex_gradient(g: dict[str, Any]) -> dict[str, Any]:
    """A featured gradient's entry plus its arrows, chain, factors and result as rows."""
    result = rf"{g['partial']} &= {g['result']}"
    if g["has_paths"]:
        result += f" = {g['delta_form']}"
    numbers = [f"&= {g['numbers']}"] if g["numbers"] else []
    return {**g, "tex_arrows": break_align([f"&{arrow}" for arrow in g.get("arrows") or ()]),
            "tex_chain": break_align([rf"{g['partial']} &= {g['chain']}"]),
            "tex_factors": break_align(g["factors"]),
            "tex_result": break_align([result, *numbers])}


def _tex_rest(entries: list[dict[str, Any]]) -> list[list[str]]:
    """The other gradients of a layer as rows, in ``align*`` blocks of ``ROWS_PER_ALIGN``."""
    rest = [rf"{g['partial']} &= {g['delta_form']}" + (
        "" if g["result"] == g["delta_form"] else f" = {g['result']}") for g in entries]
    return [_short_or_broken(rest[i:i + ROWS_PER_ALIGN])
            for i in range(0, len(rest), ROWS_PER_ALIGN)]
