"""Build hook: the wheel ships its Jinja templates compiled (hatchling's custom build hook).

Compiling the templates costs more than rendering them (about 50 ms of every run), so the
wheel gets them compiled by Jinja itself (``Environment.compile_templates``), one folder per
environment, because the LaTeX environment has its own delimiters. The folder is built in a
temporary directory and force-included as ``derive/templates_compiled``, with the Jinja
version that compiled it in ``jinja2-version.txt``; at run time
``derive.formats.templating`` uses them only when the running Jinja is that version.
Nothing generated is ever committed. Editable installs skip it: they read ``templates/``.

``compile_templates`` is also what ``benchmarks/run.py`` and the tests call on a copied tree.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _templating(root: Path) -> ModuleType:
    """``derive/formats/templating.py`` on its own: it needs jinja2 only, not the package."""
    spec = importlib.util.spec_from_file_location("_derive_templating",
                                                  root / "derive" / "formats" / "templating.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_templates(root: Path, target: Path) -> None:
    """Compile ``root/templates`` into ``target/<fmt>/`` for each environment, then stamp it."""
    import jinja2

    templating = _templating(root)
    source = jinja2.FileSystemLoader(root / "templates")
    for fmt in templating.FORMATS:
        env = templating.new_environment(fmt, source)
        env.compile_templates(target / fmt, zip=None, ignore_errors=False,
                              filter_func=lambda name, fmt=fmt: templating.owns(fmt, name))
    (target / templating.STAMP).write_text(jinja2.__version__ + "\n", encoding="utf-8")


class CompiledTemplatesHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds ``derive/templates_compiled/`` to the standard wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="derive-templates-"))
        target = self._scratch / "templates_compiled"
        compile_templates(Path(self.root), target)
        build_data["force_include"][str(target)] = "derive/templates_compiled"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
