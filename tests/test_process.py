"""``derive.process``: the installed command's process set-up changes speed, never results."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from derive.process import GC_THRESHOLD, console_main

from .conftest import ROOT


def fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON object last."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_entry_module_imports_no_stage() -> None:
    """``console_main`` can set the collector up before SymPy is imported only because
    importing ``derive`` and ``derive.process`` imports none of it."""
    out = fresh("""
        import json, sys
        import derive, derive.process, derive.errors
        print(json.dumps(sorted(m for m in ("sympy", "jinja2", "click", "yaml", "derive.cli")
                                if m in sys.modules)))
    """)
    assert out == []


def test_a_network_run_loads_no_other_kind_of_spec(tmp_path: Path) -> None:
    """A plain network spec, all formats: the typed-layer, circuit, course and worker modules
    stay unloaded (each costs start-up time: benchmarks/PROFILE.md), and so does ``Add``'s
    first import past SymPy's (``sympy.tensor.tensor`` is SymPy's own, paid by any sum)."""
    out = fresh(f"""
        import json, sys
        from derive.cli import main
        try:
            main(["{ROOT / 'examples' / 'nine-derivatives-2-2-1-linear.yaml'}", "-o",
                  "{tmp_path}", "--format", "all", "-q"])
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        print(json.dumps(sorted(m for m in sys.modules if m.startswith(
            ("derive.tensor", "derive.circuit", "derive.site", "derive.workers",
             "derive.formats.circuit", "derive.formats.tensor", "multiprocessing")))))
    """)
    assert out == []
    assert (tmp_path / "nine-derivatives-2-2-1-linear.json").is_file()


def test_public_names_still_come_from_the_package() -> None:
    import derive
    from derive.calculus import build_network
    from derive.verify import check

    assert derive.build_network is build_network and derive.check is check
    assert {"load_spec", "render", "work_example"} <= set(dir(derive))
    with pytest.raises(AttributeError):
        derive.no_such_name  # noqa: B018


@pytest.mark.parametrize("argv, code", [(["--version"], 0), (["bad.yaml"], 2)])
def test_console_main_exits_like_main_and_leaves_the_heap_frozen(
        argv: list[str], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text("inputs: [x]\nlayers: []\nloss: nope\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["derive-backprop", *argv])
    threshold = gc.get_threshold()
    try:
        gc.unfreeze()
        with pytest.raises(SystemExit) as exit_info:
            console_main()
        assert exit_info.value.code == code
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        assert gc.get_threshold() == GC_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_module_entry_runs_the_command(tmp_path: Path) -> None:
    """``python -m derive`` goes through ``console_main`` and writes the golden page."""
    spec = ROOT / "examples" / "relu-worked-example-1-1-1.yaml"
    result = subprocess.run([sys.executable, "-m", "derive", str(spec), "-o", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    page = "relu-worked-example-1-1-1.md"
    assert (tmp_path / page).read_bytes() == (ROOT / "output" / page).read_bytes()


def test_a_signal_inside_a_weakref_callback_still_stops_the_run(tmp_path: Path) -> None:
    """A signal that arrives while Python runs a weakref callback raises Stopped there, where
    Python prints 'Exception ignored' with a traceback and drops it: the run went on to the
    end, exit 0, and every later signal was ignored (seen once in CI: SIGTERM during an
    import lock's clean-up). It is handled again a moment later: one line, exit 143."""
    script = tmp_path / "swallow.py"
    script.write_text(textwrap.dedent("""\
        import os, signal, time, weakref
        import derive.cli

        def fake_main():
            class Thing:
                pass
            thing = Thing()
            def callback(_):
                os.kill(os.getpid(), signal.SIGTERM)
                for _ in range(10_000):      # the handler runs here, inside the callback
                    pass
            ref = weakref.ref(thing, callback)
            del thing
            time.sleep(5)
            print("not stopped")

        derive.cli.main = fake_main
        from derive.process import console_main
        console_main()
        """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 143, result.stderr
    assert result.stderr == "derive-backprop: stopped by SIGTERM\n"
    assert "not stopped" not in result.stdout
