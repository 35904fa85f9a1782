"""How numbers are written: one formatter for pages, one for messages (nothing else formats)."""

from __future__ import annotations

import mpmath

__all__ = ["format_number", "show_number"]


def format_number(value: float, digits: int = 6) -> str:
    """One format for every number on a page: ``digits`` significant digits (the spec's
    ``example.digits``, 6 by default)."""
    text = f"{value:.{digits}g}"
    return "0" if text == "-0" else text


def show_number(value: object) -> str:
    """A number for a message: 6 digits; beyond 1e+999999, its order of magnitude."""
    if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) and value != 0 \
            and abs(mpmath.log10(abs(value))) > 999_999:
        sign = "-" if value < 0 else ""
        return f"{sign}10^({mpmath.nstr(mpmath.log10(abs(value)), 6)})"
    return mpmath.nstr(value, 6) if isinstance(value, (mpmath.mpf, mpmath.mpc)) else repr(value)
