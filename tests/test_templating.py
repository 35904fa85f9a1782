"""Templates compiled ahead of time: current, used, and never wrong when stale."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from derive.formats import templating

ROOT = Path(__file__).resolve().parent.parent
COMPILED = templating.COMPILED_DIR


def test_compiled_templates_are_current():
    """Fails after a template edit until ``python -m derive.compiled_templates`` is run."""
    expected = templating.compiled_modules()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in COMPILED.glob("*.py")
               if not p.name.startswith("__")}
    stale = sorted(set(on_disk) ^ set(expected))
    assert not stale, f"run `python -m derive.compiled_templates` ({stale})"
    assert on_disk == expected


def test_every_template_file_is_compiled():
    files = {str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*.j2")}
    listed = {name for names in templating.TEMPLATES.values() for name in names}
    assert files == listed


@pytest.mark.parametrize("fmt,name", [(fmt, name) for fmt, names in templating.TEMPLATES.items()
                                      for name in names])
def test_templates_run_their_compiled_code(fmt, name):
    """The code object comes from the shipped module, not from compiling the template."""
    code = templating.template(fmt, name).root_render_func.__code__
    assert Path(code.co_filename).resolve().parent == COMPILED


def test_a_stale_template_is_compiled_from_source(tmp_path):
    """An edited template misses its module and renders its new text, as plain Jinja would."""
    (tmp_path / "markdown").mkdir()
    (tmp_path / "markdown" / "page.md.j2").write_text("edited {{ x }}\n", encoding="utf-8")
    env = jinja2.Environment(loader=templating.PrecompiledLoader(str(tmp_path)),
                             keep_trailing_newline=True)
    page = env.get_template("markdown/page.md.j2")
    assert page.render(x=1) == "edited 1\n"
    assert Path(page.root_render_func.__code__.co_filename).parent != COMPILED


def test_same_source_different_syntax_gets_a_different_module():
    md, tex = templating.environment("md"), templating.environment("tex")
    assert (templating.module_name(md, "a.j2", "text")
            != templating.module_name(tex, "a.j2", "text"))


def test_dict_keys_come_before_attributes_and_objects_keep_jinjas_lookup():
    env = templating.environment("md")
    page = env.from_string("{{ d.items }} {{ d.symbol }} {{ o.real }} {{ d.missing is defined }}")
    text = page.render(d={"items": "key wins", "symbol": "w"}, o=3)
    assert text == "key wins w 3 False"
    assert env.getattr({}, "keys")() == {}.keys()    # no such key: Jinja's attribute lookup
