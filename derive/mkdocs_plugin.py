"""The MkDocs plugin ``derive-backprop``: each spec under ``docs/specs`` becomes a page.

    plugins:
      - derive-backprop:          # options, all optional:
          specs: specs            # the folder of specs, under docs_dir
          notation: nielsen       # print every page in this notation
          oracle: finite_difference

At build time every ``.yaml``/``.yml`` spec there (a network, a ``graph:`` circuit or typed
layers) is derived, checked and rendered (page and pictures as generated files; the spec
itself is not published); a check or claim that fails is a warning per problem, which
``mkdocs build --strict`` makes an error. The plugin adds what the
pages need when it is missing (admonition, pymdownx.details, pymdownx.superfences,
pymdownx.arithmatex in generic mode, the MathJax settings and the bundled MathJax 3), and
says in one line what is incompatible. Under ``mkdocs serve`` MkDocs watches docs_dir and
rebuilds after an edit with the same plugin object (``on_startup`` makes it persistent); the
plugin keeps each spec's pages by the hash of its text and options, so only an edited spec
is derived again, and says so in one INFO line per derived spec.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from .errors import DeriveError
from .formats import mathjax_config, page_css
from .pipeline import Options, oracle_methods, read_spec, run_graph, run_spec, run_tensor
from .site import mathjax_files
from .spec import Limits, load, load_graph
from .spec.tensor import load_tensor
from .write import safe_stem

__all__ = ["DeriveBackpropPlugin"]

EXTENSIONS = ("admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.arithmatex")
CONFIG_JS = "javascripts/derive-backprop-mathjax.js"
PAGE_CSS = "stylesheets/derive-backprop.css"
MATHJAX = "assets/derive-backprop-mathjax"


class DeriveBackpropConfig(Config):
    specs = c.Type(str, default="specs")
    notation = c.Optional(c.Type(str))
    oracle = c.Choice(("finite_difference", "torch", "auto"), default="finite_difference")


class DeriveBackpropPlugin(BasePlugin[DeriveBackpropConfig]):
    """Specs in, pages out, at build time."""

    def __init__(self) -> None:
        self.derived: dict[str, dict[str, str | bytes]] = {}   # key -> the spec's files
        self.runs = 0                                          # specs derived (serve: edits)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this object across ``mkdocs serve`` rebuilds (and
        with it the pages of the specs that did not change)."""

    def on_config(self, config: Any) -> Any:
        """Add the Markdown extensions and scripts the pages need, or say what conflicts."""
        for name in EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        arithmatex = config.mdx_configs.setdefault("pymdownx.arithmatex", {})
        if arithmatex.get("generic", True) is not True:
            raise PluginError("derive-backprop: pymdownx.arithmatex: expected generic: true "
                              "(the pages' math is written for MathJax in generic mode), "
                              "got generic: false")
        arithmatex["generic"] = True
        scripts = [str(s) for s in config.extra_javascript]
        for script in (CONFIG_JS, f"{MATHJAX}/tex-chtml.js"):
            if script not in scripts:
                config.extra_javascript.append(script)
        if PAGE_CSS not in config.extra_css:
            config.extra_css.append(PAGE_CSS)
        return config

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Replace each spec file by its page and pictures; add MathJax and its settings."""
        root = PurePosixPath(self.config.specs.strip("/"))
        specs = [f for f in files if f.src_uri.endswith((".yaml", ".yml"))
                 and PurePosixPath(f.src_uri).is_relative_to(root)]
        kept: dict[str, dict[str, str | bytes]] = {}
        for spec_file in specs:
            files.remove(spec_file)
            for name, content in self._pages(spec_file, kept).items():
                files.append(File.generated(config, name, content=content))
        self.derived = kept                  # the pages of deleted or edited specs dropped
        files.append(File.generated(config, CONFIG_JS, content=mathjax_config()))
        files.append(File.generated(config, PAGE_CSS, content=page_css()))
        for name, content in mathjax_files().items():
            files.append(File.generated(config, f"{MATHJAX}/{name}", content=content))
        return files

    def _pages(self, spec_file: File, kept: dict[str, dict[str, str | bytes]]
               ) -> dict[str, str | bytes]:
        """The spec's page and pictures by docs path, derived only when its text changed."""
        try:
            text = read_spec(spec_file.abs_src_path, max_bytes=Limits().bytes)
        except DeriveError as exc:
            raise PluginError(f"derive-backprop: {exc}") from None
        key = hashlib.sha256("\0".join((spec_file.src_uri, text, self.config.notation or "",
                                        self.config.oracle)).encode("utf-8")).hexdigest()
        if key not in self.derived:
            started = time.perf_counter()
            self.derived[key] = self._derive(spec_file, text)
            # MkDocs' channel for a plugin's messages (as click.echo is the CLI's)
            get_plugin_logger("derive-backprop").info("derived %s (%.1f s)", spec_file.src_uri,
                                                      time.perf_counter() - started)
        kept[key] = self.derived[key]
        return kept[key]

    def _derive(self, spec_file: File, text: str) -> dict[str, str | bytes]:
        source = PurePosixPath(spec_file.src_uri)
        stem = safe_stem(source.stem)
        try:
            options = Options(methods=oracle_methods(self.config.oracle), formats=("md",),
                              stem=stem)
            graph = load_graph(text, spec_file.abs_src_path, default_title=source.stem)
            typed = None if graph is not None else load_tensor(
                text, spec_file.abs_src_path, default_title=source.stem)
            if graph is not None:       # a scalar circuit (cs231n): its own page
                result = run_graph(graph, spec_file.abs_src_path, options)
            elif typed is not None:     # typed layers: one notation of their own
                result = run_tensor(typed, spec_file.abs_src_path, options)
            else:
                spec = load(text, spec_file.abs_src_path, default_title=source.stem)
                if self.config.notation:
                    spec = replace(spec, notation=self._notation())
                result = run_spec(spec, spec_file.abs_src_path, options)
        except DeriveError as exc:
            raise PluginError(f"derive-backprop: {exc}") from None
        self.runs += 1
        if not result.passed:           # the page says so too; --strict stops the build
            for line in result.problems():
                get_plugin_logger("derive-backprop").warning("%s", line)
        folder = source.parent
        return {str(folder / name): content for name, content in result.files.items()}

    def _notation(self) -> str:
        from .registry import NOTATIONS
        if self.config.notation not in NOTATIONS:
            raise PluginError(f"derive-backprop: notation: expected one of "
                              f"{', '.join(NOTATIONS)}, got {self.config.notation!r}")
        return str(self.config.notation)
