"""The template environments, and the templates the wheel ships compiled (hatch_build.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from derive.formats import templating

from .conftest import EXAMPLES, OUTPUT, ROOT

hatch_build = pytest.importorskip("hatch_build", reason="the build hook needs hatchling")

TEMPLATES = ROOT / "templates"


def template_names() -> list[str]:
    return sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file())


def test_every_template_belongs_to_exactly_one_environment() -> None:
    for name in template_names():
        owners = [fmt for fmt in templating.FORMATS if templating.owns(fmt, name)]
        assert len(owners) == (1 if name.endswith(".j2") else 0), (name, owners)
    assert templating.owns("tex", "latex/page.tex.j2") and templating.owns("md", "site/index.md.j2")


def test_latex_environment_has_tex_safe_delimiters() -> None:
    tex = templating.new_environment("tex", jinja2.DictLoader({}))
    page = tex.from_string("((= note =))\\section{((( title )))}((* if x *))X((* endif *)) {{ y }}")
    assert page.render(title="T", x=True) == "\\section{T}X {{ y }}"
    with pytest.raises(jinja2.UndefinedError):           # StrictUndefined
        tex.from_string("((( missing )))").render()
    with pytest.raises(ValueError):
        templating.new_environment("html", jinja2.DictLoader({}))


def test_dict_keys_come_before_attributes_and_objects_keep_jinjas_lookup() -> None:
    env = templating.environment("md")
    page = env.from_string("{{ d.items }} {{ d.symbol }} {{ o.real }} {{ d.missing is defined }}")
    text = page.render(d={"items": "key wins", "symbol": "w"}, o=3)
    assert text == "key wins w 3 False"
    assert env.getattr({}, "keys")() == {}.keys()    # no such key: Jinja's attribute lookup


def test_compiled_folder_has_each_environments_templates_and_the_jinja_version(
        tmp_path: Path) -> None:
    hatch_build.compile_templates(ROOT, tmp_path)
    assert (tmp_path / templating.STAMP).read_text().strip() == jinja2.__version__
    for fmt in templating.FORMATS:
        owned = [n for n in template_names() if templating.owns(fmt, n)]
        files = {jinja2.ModuleLoader.get_module_filename(n) for n in owned}
        assert {p.name for p in (tmp_path / fmt).iterdir()} == files
        assert isinstance(templating.template_loader(fmt, tmp_path), jinja2.ModuleLoader)


@pytest.mark.parametrize("stamp", [None, "0.0.1\n"])
def test_source_templates_without_a_compiled_folder_or_from_another_jinja(
        tmp_path: Path, stamp: str | None) -> None:
    hatch_build.compile_templates(ROOT, tmp_path)
    if stamp is None:
        (tmp_path / templating.STAMP).unlink()
    else:
        (tmp_path / templating.STAMP).write_text(stamp)
    for fmt in templating.FORMATS:
        assert isinstance(templating.template_loader(fmt, tmp_path), jinja2.FileSystemLoader)
    assert isinstance(templating.template_loader("md", tmp_path / "absent"),
                      jinja2.FileSystemLoader)


def test_hook_adds_the_folder_to_the_standard_wheel_only(tmp_path: Path) -> None:
    hook = hatch_build.CompiledTemplatesHook(str(ROOT), {}, None, None, str(tmp_path), "wheel")
    editable: dict = {"force_include": {}}
    hook.initialize("editable", editable)
    assert editable["force_include"] == {}
    standard: dict = {"force_include": {}}
    hook.initialize("standard", standard)
    (source, target), = standard["force_include"].items()
    assert target == "derive/templates_compiled" and (Path(source) / templating.STAMP).is_file()
    hook.finalize("standard", standard, str(tmp_path / "x.whl"))
    assert not Path(source).exists()


def _installed_copy(folder: Path, compiled: bool) -> Path:
    """The package as a wheel installs it: derive/, its templates inside, maybe compiled."""
    shutil.copytree(ROOT / "derive", folder / "derive",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(TEMPLATES, folder / "derive" / "templates")
    if compiled:
        hatch_build.compile_templates(ROOT, folder / "derive" / templating.COMPILED_FOLDER)
    return folder


def _outputs(package: Path, work: Path) -> dict[str, bytes]:
    """Every file the command writes for one example: all formats, a site and its book."""
    course = work / "course"
    course.mkdir(parents=True)
    example = EXAMPLES / "softmax-cross-entropy-3-classes.yaml"
    shutil.copy(example, course)
    probe = ("import sys; from derive.formats import templating; "
             "sys.stderr.write(type(templating.environment('tex').loader).__name__ + '\\n'); "
             "from derive.process import console_main; console_main()")
    loaders = set()
    for args in ([str(example), "-o", "out", "--format", "all"],
                 ["site", "course", "-o", "site", "--book", "book.tex", "--jobs", "1"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], cwd=work, text=True,
                                capture_output=True, env={"PYTHONPATH": str(package)})
        assert result.returncode == 0, result.stderr
        loaders.add(result.stderr.splitlines()[0])
    files = {p.relative_to(work).as_posix(): p.read_bytes() for p in work.rglob("*")
             if p.is_file() and "mathjax/" not in p.as_posix() and "course/" not in p.as_posix()}
    return {"loader": "".join(sorted(loaders)).encode(), **files}


def test_compiled_templates_write_the_same_bytes_as_the_sources(tmp_path: Path) -> None:
    compiled = _outputs(_installed_copy(tmp_path / "a", True), tmp_path / "work-a")
    source = _outputs(_installed_copy(tmp_path / "b", False), tmp_path / "work-b")
    assert compiled.pop("loader") == b"ModuleLoader"
    assert source.pop("loader") == b"FileSystemLoader"
    assert compiled == source
    for name in ("md", "tex", "json"):
        page = f"softmax-cross-entropy-3-classes.{name}"
        assert compiled[f"out/{page}"] == (OUTPUT / page).read_bytes()
    assert {"site/mkdocs.yml", "site/docs/index.md", "book.tex"} <= set(compiled)
