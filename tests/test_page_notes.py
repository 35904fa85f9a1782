"""SPEC.md: "The derivative of relu at 0 is taken as 0 (PyTorch's choice), and the page says
so" — every activation and loss with a convention at a kink states it on the page, in
Markdown and LaTeX (the document-based pages had lost these sentences)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from derive.pipeline import Options, run
from derive.registry import ACTIVATIONS, LOSSES


def _page(tmp_path: Path, activation: str, loss: str) -> dict:
    spec = {"inputs": 1, "layers": [{"units": 1, "activation": activation},
                                    {"units": 1, "activation": "linear"}], "loss": loss,
            "example": {"x": [0.5], "y": [0.2], "learning_rate": 0.1}}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return run(str(path), Options(formats=("md", "tex"), stem="page")).files


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS.names()
                                  if ACTIVATIONS[n].note and not ACTIVATIONS[n].vector])
def test_an_activation_with_a_kink_says_which_derivative_it_takes(tmp_path: Path,
                                                                  name: str) -> None:
    files = _page(tmp_path, name, "half_squared_error")
    for text in (files["page.md"], files["page.tex"]):
        assert ACTIVATIONS[name].note[1] in text and "PyTorch" in text


@pytest.mark.parametrize("name", [n for n in LOSSES.names() if LOSSES[n].note])
def test_a_loss_with_a_kink_says_which_derivative_it_takes(tmp_path: Path, name: str) -> None:
    files = _page(tmp_path, "sigmoid", name)
    for text in (files["page.md"], files["page.tex"]):
        assert LOSSES[name].note[1] in text


def test_the_relu_page_says_relu_prime_of_0_is_0() -> None:
    page = (Path(__file__).parent.parent / "output" / "relu-worked-example-1-1-1.md").read_text()
    assert r"\(\operatorname{ReLU}'(0) = 0\)" in page and "like PyTorch" in page
