"""pytest plugin: ``pytest --derive-specs DIR`` turns every spec in DIR into a test item.

An item passes when derive-backprop's check passes: every symbolic gradient
agrees with every oracle (finite differences, and PyTorch when installed) and
every claim holds. A failing item reports the parameter, both values and the
difference. Each item runs ``pipeline.run``, as the command line does; derive is imported
only when an item runs, so the plugin costs nothing in a test run without specs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

__all__ = ["SpecFile", "SpecItem", "pytest_addoption", "pytest_collection_modifyitems"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("derive-backprop")
    group.addoption("--derive-specs", action="append", default=[], metavar="DIR",
                    help="check every *.yaml/*.yml spec in DIR (repeatable)")
    parser.addini("derive_specs", type="paths", default=[],
                  help="folders whose *.yaml/*.yml specs are checked as test items")
    group.addoption("--derive-oracle", default="finite_difference",
                    choices=("finite_difference", "torch", "auto"),
                    help="oracles for --derive-specs besides finite differences, as "
                         "check's --oracle (auto: torch too when installed)")


class SpecCheckError(Exception):
    """The check of one spec failed; ``lines`` say where."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class SpecItem(pytest.Item):
    """One spec: load, derive, check."""

    def runtest(self) -> None:
        from .errors import DeriveError
        from .pipeline import Options, oracle_methods, run

        try:
            methods = oracle_methods(self.config.getoption("--derive-oracle"))
            result = run(str(self.path), Options(methods=methods))
        except DeriveError as exc:
            raise SpecCheckError([str(exc)]) from None
        if not result.passed:
            raise SpecCheckError(result.problems() or [f"{self.path}: check failed"])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, SpecCheckError):
            return "\n".join(excinfo.value.lines)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"derive-backprop check: {self.name}"


class SpecFile(pytest.File):
    def collect(self):  # type: ignore[no-untyped-def]
        yield SpecItem.from_parent(self, name=self.path.name)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    folders = [*config.getoption("--derive-specs"), *config.getini("derive_specs")]
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            raise pytest.UsageError(f"--derive-specs {folder}: expected a folder of specs")
        for path in sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")):
            items.extend(SpecFile.from_parent(session, path=path.resolve()).collect())
