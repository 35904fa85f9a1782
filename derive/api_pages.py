"""What ``derive.load`` returns for a spec that is not a layers: network: a ``graph:``
circuit (``GraphPage``) or a typed-layer spec (``TensorPage``): its numbers, its page in every
format and its pictures."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .formats import plain_markdown
from .pipeline import GraphResult, TensorResult

__all__ = ["GraphPage", "TensorPage", "page_file", "pictures"]


def pictures(files: Mapping[str, str | bytes]) -> dict[str, str]:
    """The page's pictures by file name."""
    return {name.rpartition("/")[2]: str(text) for name, text in files.items()
            if name.endswith(".svg")}


def page_file(files: Mapping[str, str | bytes], suffix: str) -> str:
    """The page itself in one format (``.md``, ``.tex``, ``.json``), not a picture."""
    return next(str(text) for name, text in files.items()
                if name.endswith(suffix) and "/" not in name)


class GraphPage:
    """A ``graph:`` spec's results: node values and gradients, the page and its picture."""

    def __init__(self, run: GraphResult) -> None:
        self._run = run

    @property
    def passed(self) -> bool:
        return True

    def gradients(self) -> dict[str, float]:
        """∂output/∂node for every input and node, by name."""
        return {n["name"]: n["grad"] for n in self.json()["nodes"]}

    def json(self) -> dict[str, Any]:
        return json.loads(self._file(".json"))

    def markdown(self, flavor: str = "mkdocs") -> str:
        text = self._file(".md")
        return plain_markdown(text) if flavor == "plain" else text

    def latex(self) -> str:
        """The standalone LaTeX document."""
        return self._file(".tex")

    def svg(self) -> dict[str, str]:
        return pictures(self._run.files)

    def _repr_markdown_(self) -> str:
        return self.markdown("plain")

    def _file(self, suffix: str) -> str:
        return page_file(self._run.files, suffix)


def _pictures(files: Mapping[str, str | bytes]) -> dict[str, str]:
    """The page's pictures by file name."""
    return {name.rpartition("/")[2]: str(text) for name, text in files.items()
            if name.endswith(".svg")}


def _page_file(files: Mapping[str, str | bytes], suffix: str) -> str:
    """The page itself in one format (``.md``, ``.tex``, ``.json``), not a picture."""
    return next(str(text) for name, text in files.items()
                if name.endswith(suffix) and "/" not in name)


class TensorPage(GraphPage):
    """A typed-layer spec's results: every parameter's gradient, the losses, its page."""

    def __init__(self, run: TensorResult) -> None:     # type: ignore[override]
        self._run = run         # type: ignore[assignment]

    @property
    def passed(self) -> bool:
        return self._run.passed

    def gradients(self) -> dict[str, float]:
        """∂L/∂θ for every parameter at the example, by name (``W1_1_2``)."""
        worked = self._run.worked
        return {s.name: worked.grads.get(s, 0.0) for t in self._run.model.graph.parameters
                for s in t.symbols}

    def losses(self) -> list[float]:
        """The loss before each step, then after the last."""
        return list(self._run.worked.losses)
