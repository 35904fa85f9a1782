"""Layered boundaries over every module of derive/, read from the source with ``ast``
(as click's tests/test_imports.py does).

Layers, lowest first; a module may import only from its own layer or a lower one, and an
import inside a function (a lazy import) counts like any other:

    errors < numerals < registry < spec < calculus < numbers < verify < document
           < formats < site (and exercises) < pipeline < cli

A module's layer is its sub-package's (``derive/calculus/graph.py`` is ``calculus``), so a
module split inside a sub-package needs no change here; a new sub-package or top-level
module fails ``test_every_module_has_a_layer`` until it is placed below. Importing only
``__version__`` from the package root is allowed everywhere (a constant, no stage).

Also: only spec imports yaml, only formats/templating imports jinja2, only cli imports
click; only write.py creates, replaces or deletes files; only cli (and process, the
installed command's one line for a crash or a signal) prints or exits; nothing
reads the environment or logs; and no module-level mutable state (a module- or class-level
dict, list or set, ``global``, an ``lru_cache``/``cache``) outside ``ALLOWED_STATE``.
"""

from __future__ import annotations

import importlib

import ast
import functools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "derive"
LAYERS = ("errors", "numerals", "registry", "spec", "calculus", "numbers", "verify", "document",
          "formats", "site", "pipeline", "cli")
SUBPACKAGES = {name: name for name in LAYERS} | {"exercises": "pipeline", "circuit": "calculus",
                                                 "tensor": "numbers"}
TOP_LEVEL = {"errors": "errors", "display": "errors", "numerals": "numerals",
             "write": "pipeline", "pipeline": "pipeline", "commands": "pipeline", "pytest_plugin": "pipeline",
             "__init__": "pipeline", "api": "pipeline", "api_pages": "pipeline", "notebook": "pipeline",
             "against": "pipeline", "mkdocs_plugin": "pipeline", "catalog": "pipeline",
             "workers": "pipeline", "held": "pipeline",
             "cli": "cli", "process": "cli", "__main__": "cli"}
LIBRARY_OWNERS = {"yaml": "derive.spec", "jinja2": "derive.formats.templating",
                  "click": "derive.cli"}

# Module-level state that stays, each with its reason ("module:name").
ALLOWED_STATE = {
    "derive.formats.templating:environment": "functools.cache of a pure function of a format "
    "name: Jinja keeps loaded templates inside its environment, so every spec after the first "
    "in one process (site workers, the pytest plugin) skips loading them",
    "derive.calculus.printer:Printer._default_settings": "SymPy's Printer API: the settings "
    "are a class-level dict it copies into each printer; never mutated",
    "derive.spec.yaml_nodes:compose": "lru_cache(maxsize=1) of a pure function of the spec's "
    "text: a run asks for the same tree three times (graph? typed? plain?) and no reader "
    "changes a node; a refused text raises and is not kept",
    **{f"derive.formats.{module}:{n}": "lru_cache of a pure function of strings and shared "
       "(interned) nodes: a page breaks the same factors in several rows; the LaTeX of the 8 "
       "examples renders in 0.065 s with these caches and 0.39 s without (measured in-process)"
       for module, names in (("texnodes", ("_node", "_token_node")),
                             ("texwidth", ("_argument_width", "_token_width", "_env_width",
                                           "_contents_width")),
                             ("texbreak", ("_left_width", "_sides", "_broken")))
       for n in names},
}

FILE_CALLS = {
    "os.replace", "os.rename", "os.renames", "os.remove", "os.unlink", "os.rmdir",
    "os.removedirs", "os.mkdir", "os.makedirs", "os.chmod", "os.link", "os.symlink",
    "os.truncate", "os.ftruncate", "os.mkfifo", "os.open",
    "tempfile.mkstemp", "tempfile.mkdtemp", "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile", "tempfile.TemporaryDirectory",
    "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move",
    "shutil.rmtree", "shutil.copyfileobj",
}
FILE_METHODS = {"write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "rename",
                "symlink_to", "hardlink_to", "chmod", "compile_templates"}
EXIT_CALLS = {"sys.exit", "os._exit", "exit", "quit", "os.abort"}
PRINT_CALLS = {"print", "sys.stdout.write", "sys.stderr.write", "sys.stdout.writelines",
               "sys.stderr.writelines", "pprint.pprint", "pprint.pp"}
ENVIRONMENT = {"os.environ", "os.environb", "os.getenv", "os.getenvb", "os.putenv",
               "os.unsetenv"}
MUTABLE_CALLS = {"dict", "list", "set", "bytearray", "collections.defaultdict",
                 "collections.OrderedDict", "collections.Counter", "collections.deque",
                 "defaultdict", "OrderedDict", "Counter", "deque"}
CACHES = {"functools.cache", "functools.lru_cache", "cache", "lru_cache"}


@dataclass
class Facts:
    """What one module imports, calls and keeps, with the line of each."""

    imports: dict[str, int] = field(default_factory=dict)   # module (and module.name) -> line
    calls: dict[str, int] = field(default_factory=dict)     # qualified call -> line
    methods: dict[str, int] = field(default_factory=dict)   # .method( -> line
    names: dict[str, int] = field(default_factory=dict)     # qualified names used -> line
    writes: list[tuple[str, int]] = field(default_factory=list)   # open(..., "w") and alike
    state: dict[str, str] = field(default_factory=dict)     # name -> what makes it state


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _base(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The module a ``from`` import reads: relative levels resolved against the package."""
    if not level:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[:len(package) - level + 1]
    return ".".join([*base, *([name] if name else [])])


def _writes_mode(call: ast.Call, position: int) -> bool:
    """A constant mode with w/a/x/+ writes; a mode that is not a constant may write."""
    mode = next((k.value for k in call.keywords if k.arg == "mode"),
                call.args[position] if len(call.args) > position else None)
    if mode is None:
        return False
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)) \
        or any(c in mode.value for c in "wax+")


def _state(tree: ast.Module, aliases: dict[str, str],
           qualified: callable) -> dict[str, str]:  # type: ignore[valid-type]
    """Module- and class-level mutable values, ``global`` rebinding and caches."""
    found: dict[str, str] = {}

    def visit(body: list[ast.stmt], owner: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{owner}{node.name}.")
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit([*node.body, *getattr(node, "orelse", []),
                       *getattr(node, "finalbody", [])], owner)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                mutable = isinstance(node, ast.AugAssign) or isinstance(
                    value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp,
                            ast.SetComp)) or (isinstance(value, ast.Call)
                                              and qualified(value.func) in MUTABLE_CALLS)
                for target in targets:
                    name = target.id if isinstance(target, ast.Name) else ast.unparse(target)
                    if mutable and name not in ("__all__", "__slots__"):
                        found[f"{owner}{name}"] = f"a mutable value (line {node.lineno})"

    visit(tree.body, "")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                found[name] = f"rebound by `global` (line {node.lineno})"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if qualified(target) in CACHES:
                    found[node.name] = f"a {qualified(target)} (line {node.lineno})"
    return found


@functools.cache
def analyse(path: Path, module: str) -> Facts:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out = Facts()
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.imports.setdefault(alias.name, node.lineno)
                aliases[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            source = _base(module, is_package, node.level, node.module)
            if not (source == "derive" and all(a.name == "__version__" for a in node.names)):
                out.imports.setdefault(source, node.lineno)
            for alias in node.names:
                out.imports.setdefault(f"{source}.{alias.name}", node.lineno)
                aliases[alias.asname or alias.name] = f"{source}.{alias.name}"

    def qualified(expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return aliases.get(expr.id, expr.id)
        if isinstance(expr, ast.Attribute):
            base = qualified(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and (name := qualified(node)):
            out.names.setdefault(name, node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = qualified(node.func) or ""
        out.calls.setdefault(name, node.lineno)
        if isinstance(node.func, ast.Attribute):
            out.methods.setdefault(node.func.attr, node.lineno)
        if name == "importlib.import_module" and node.args \
                and isinstance(node.args[0], ast.Constant):
            out.imports.setdefault(str(node.args[0].value), node.lineno)
        if name in ("open", "io.open", "builtins.open", "os.fdopen") and _writes_mode(node, 1):
            out.writes.append((name, node.lineno))
        elif (isinstance(node.func, ast.Attribute) and node.func.attr == "open"
              and name not in ("io.open", "os.open") and _writes_mode(node, 0)):
            out.writes.append((".open", node.lineno))
    out.state = _state(tree, aliases, qualified)
    return out


def layer_of(module: str, package: Path = PACKAGE) -> str | None:
    """``derive.calculus.graph`` -> "calculus"; ``derive.cli`` -> "cli"; None: not placed."""
    parts = module.split(".")[1:]
    if not parts:
        return TOP_LEVEL["__init__"]
    if (package / parts[0]).is_dir():
        return SUBPACKAGES.get(parts[0])
    return TOP_LEVEL.get(parts[0])


def derive_imports(facts: Facts) -> dict[str, int]:
    """Imported derive modules (``derive.x.y``, not ``derive.x.y.name`` twice) -> line."""
    return {name: line for name, line in facts.imports.items()
            if (name == "derive" or name.startswith("derive.")) and name != "derive.__version__"}


def upward(f: Facts, layer: str, package: Path = PACKAGE) -> dict[str, str]:
    """The derive modules ``f`` imports from a layer above ``layer`` (or from no layer)."""
    rank = LAYERS.index(layer)
    return {name: f"line {line} ({layer_of(name, package)})"
            for name, line in derive_imports(f).items()
            if (target := layer_of(name, package)) is None or LAYERS.index(target) > rank}


MODULES = {module_name(p, PACKAGE): p for p in sorted(PACKAGE.rglob("*.py"))
           if "__pycache__" not in p.parts and "templates_compiled" not in p.parts}


def facts(module: str) -> Facts:
    return analyse(MODULES[module], module)


def file_operations(f: Facts) -> list[str]:
    found = [f"{name} (line {line})" for name, line in f.calls.items() if name in FILE_CALLS]
    found += [f".{name}() (line {line})" for name, line in f.methods.items()
              if name in FILE_METHODS]
    found += [f"{name}(..., write mode) (line {line})" for name, line in f.writes]
    return sorted(found)


def imports_library(f: Facts, library: str) -> int | None:
    return next((line for name, line in f.imports.items()
                 if name == library or name.startswith(library + ".")), None)


# --------------------------------------------------------------------------- the detector works


def test_every_module_has_a_layer() -> None:
    assert {"derive", "derive.cli", "derive.pipeline", "derive.write", "derive.errors",
            "derive.formats.templating", "derive.spec", "derive.site"} <= set(MODULES)
    unplaced = sorted(m for m in MODULES if layer_of(m) is None)
    assert unplaced == [], "place these in LAYERS (SUBPACKAGES or TOP_LEVEL)"


def test_detector_sees_what_is_there() -> None:
    """Guard against a detector that finds nothing: the allowed uses must be seen."""
    assert any(imports_library(facts(m), "yaml") for m in MODULES if m.startswith("derive.spec"))
    assert imports_library(facts("derive.formats.templating"), "jinja2")
    assert imports_library(facts("derive.cli"), "click")
    assert "sys.exit" in facts("derive.cli").calls
    assert "derive.pipeline" in derive_imports(facts("derive.cli"))
    ops = file_operations(facts("derive.write"))
    for call in ("os.replace", "os.open", "os.fdopen"):
        assert any(op.startswith(call) for op in ops), ops
    assert "environment" in facts("derive.formats.templating").state


SAMPLE = """\
import os as o
import functools
from sys import exit as leave
from pathlib import Path
from .. import __version__
from ..formats import render
TABLE = {"a": 1}
NAMES = ("a", "b")
__all__ = ["f"]
class Printer:
    _default_settings = dict(order=None)
def f(p):
    from ..cli import main
    o.replace('a', 'b')
    leave(1)
    Path(p).write_text('x')
    open(p, 'a')
    open(p)
    Path(p).open('rb')
    Path(p).open(mode='w')
    o.environ.get('HOME')
@functools.lru_cache(maxsize=None)
def g():
    global TABLE
"""


def test_detector_on_a_sample(tmp_path: Path) -> None:
    package = tmp_path / "derive"
    (package / "calculus").mkdir(parents=True)
    (package / "calculus" / "sample.py").write_text(SAMPLE)
    f = analyse(package / "calculus" / "sample.py", "derive.calculus.sample")
    assert "os.replace" in f.calls and "sys.exit" in f.calls and "os.environ" in f.names
    assert derive_imports(f) == {"derive.formats": 6, "derive.formats.render": 6,
                                 "derive.cli": 13, "derive.cli.main": 13}
    assert file_operations(f) == [".open(..., write mode) (line 20)", ".write_text() (line 16)",
                                  "open(..., write mode) (line 17)", "os.replace (line 14)"]
    assert set(f.state) == {"TABLE", "Printer._default_settings", "g"}
    assert layer_of("derive.calculus.sample", package) == "calculus"
    (package / "formats").mkdir()
    assert set(upward(f, "calculus", package)) == {"derive.formats", "derive.formats.render",
                                                    "derive.cli", "derive.cli.main"}
    assert upward(f, "cli", package) == {}
    assert layer_of("derive.cli", package) == "cli" and layer_of("derive", package) == "pipeline"
    assert layer_of("derive.newthing", package) is None


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_down_the_layers(module: str) -> None:
    found = upward(facts(module), layer_of(module) or "cli")
    assert found == {}, f"{module} ({layer_of(module)}) imports from a higher layer"


@pytest.mark.parametrize("library, owner", LIBRARY_OWNERS.items())
@pytest.mark.parametrize("module", MODULES)
def test_only_owner_imports_library(module: str, library: str, owner: str) -> None:
    if module == owner or module.startswith(owner + "."):
        return
    line = imports_library(facts(module), library)
    assert line is None, f"{module}:{line} imports {library}; only {owner} may"


@pytest.mark.parametrize("module", MODULES)
def test_only_write_touches_files(module: str) -> None:
    if module == "derive.write":
        return
    assert file_operations(facts(module)) == [], f"{module} writes files; only write.py may"


@pytest.mark.parametrize("module", MODULES)
def test_only_cli_prints_or_exits(module: str) -> None:
    if module in ("derive.cli", "derive.process"):
        return
    found = sorted(f"{name} (line {line})" for name, line in facts(module).calls.items()
                   if name in EXIT_CALLS | PRINT_CALLS)
    assert found == [], f"{module} prints or exits; only cli.py (and process.py) may"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_reads_the_environment_or_logs(module: str) -> None:
    found = sorted(f"{name} (line {line})" for name, line in facts(module).names.items()
                   if name in ENVIRONMENT)
    assert found == [], f"{module} reads the environment (STYLE §1)"
    assert imports_library(facts(module), "logging") is None


@pytest.mark.parametrize("module", MODULES)
def test_no_module_level_mutable_state(module: str) -> None:
    found = {name: what for name, what in facts(module).state.items()
             if f"{module}:{name}" not in ALLOWED_STATE}
    assert found == {}, f"{module} keeps state (pass it on a run object, or allow it here " \
                        f"with a reason)"


def test_every_allowed_state_has_a_reason_and_names_a_real_thing() -> None:
    assert all(len(reason) > 20 for reason in ALLOWED_STATE.values())
    for entry in ALLOWED_STATE:
        module, _, name = entry.partition(":")
        found = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part)
