"""What every table of the registry shares: named entries in a fixed order, their options,
and the fields an activation and a loss have in common.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import sympy as sp

__all__ = ["Option", "Entry", "Registry"]


@dataclass(frozen=True, slots=True)
class Option:
    """A numeric option of an entry (leaky_relu's slope, huber's delta)."""

    name: str
    default: float
    expected: str = "a number"
    valid: Callable[[float], bool] = lambda value: True


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A function a spec names, its forward form next to its derivative (micrograd's habit).

    ``note`` alternates plain text and LaTeX (odd items are math), so each output
    format can typeset it its own way; ``torch`` is the same function in PyTorch,
    for the second oracle. ``custom`` is set on an entry a spec gave by formula
    (``formulas.Custom``: the formula and its derivative, for the page to print).
    ``aliases`` are names other tools use (mse, bce): never accepted, only the guess an
    error line offers.
    """

    name: str
    formula: str
    form: Callable[..., sp.Expr]
    derivative: Callable[..., sp.Expr]
    note: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    torch: Callable[..., Any] | None = None
    custom: Any = None
    aliases: tuple[str, ...] = ()


class _Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=_Named)


class Registry(Generic[T]):
    """Named entries in a fixed order; a duplicate name is a programming error."""

    def __init__(self, kind: str, entries: tuple[T, ...]) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"duplicate {kind} {entry.name!r}")
            self._entries[entry.name] = entry

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._entries))

    def aliases(self) -> dict[str, str]:
        """Another tool's name -> the entry's (for an error's guess only)."""
        return {alias: entry.name for entry in self._entries.values()
                for alias in getattr(entry, "aliases", ())}
