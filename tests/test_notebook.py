"""Jupyter: a real kernel runs ``%load_ext derive`` and a ``%%backprop`` cell (nbclient)."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLES

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def _run(cells: list[str]):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     allow_errors=True)
    return client.execute()


def _outputs(cell) -> list[dict]:
    return [o for o in cell["outputs"] if o["output_type"] in ("display_data", "execute_result")]


def test_a_backprop_cell_and_a_result_display_their_page_in_a_real_kernel() -> None:
    spec = (EXAMPLES / "relu-worked-example-1-1-1.yaml").read_text(encoding="utf-8")
    bad = "inputs: 1\nlayers:\n  - {units: 1, activation: sigmod}\nloss: squared_error\n"
    ran = _run(["%load_ext derive", "%%backprop\n" + spec,
                f"import derive\nderive.load({str(EXAMPLES / 'relu-worked-example-1-1-1.yaml')!r})",
                "%%backprop\n" + bad, "%%backprop --format json\n" + spec])
    for cell in ran.cells[1:3]:
        shown = _outputs(cell)
        assert shown, cell["outputs"]
        markdown = shown[-1]["data"]["text/markdown"]
        assert "# One step of gradient descent through a ReLU" in markdown
        assert "data:image/svg+xml;base64," in markdown and "$" in markdown
        assert not any(o["output_type"] == "error" for o in cell["outputs"])
    error = _outputs(ran.cells[3])
    assert error and "did you mean 'sigmoid'" in error[0]["data"]["text/plain"]
    assert not any(o["output_type"] == "error" for o in ran.cells[3]["outputs"])
    wrong_option = _outputs(ran.cells[4])
    assert wrong_option and wrong_option[0]["data"]["text/plain"] == (
        "notebook: %%backprop: expected an optional seed, a whole number (%%backprop 7), got "
        "'--format json'")       # it was silently ignored: the default seed, as if not written
    assert not any(o["output_type"] == "error" for o in ran.cells[4]["outputs"])
