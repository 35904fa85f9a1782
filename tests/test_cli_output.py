"""What the commands say: `list` in plain words, one line per name; `--quiet` prints only
problems."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from .conftest import OUTPUT
from .test_cli import RELU, STEM, WRONG_CLAIM, invoke, runner, write

__all__ = ["runner"]      # the fixture, shared with test_cli


def test_list_shows_every_name_with_one_plain_line(runner: CliRunner) -> None:
    from derive.registry import ACTIVATIONS, INIT_SCHEMES, LOSSES, NOTATIONS, OPTIMIZERS
    from derive.tensor import LAYERS

    result = invoke(runner, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    headings = [line.split(" (")[0] for line in lines if line and not line.startswith(" ")]
    assert headings[2:] == ["activations", "losses", "optimizers", "init schemes", "notations",
                            "layer types"]
    entries = [line.split() for line in lines if line.startswith("  ")]
    names = [entry.name for registry in (ACTIVATIONS, LOSSES, OPTIMIZERS, INIT_SCHEMES)
             for entry in registry] + list(NOTATIONS) + [entry.name for entry in LAYERS]
    assert [words[0] for words in entries] == names      # one line per name, in order
    assert all(len(words) > 3 for words in entries)       # each with its own words
    assert "{name: leaky_relu, slope: 0.01}" in result.stdout   # how to set an option
    assert "{name: adam, beta1: 0.9, beta2: 0.999, eps: 1e-08}" in result.stdout
    for jargon in ("seed 0", "[slope=", "O_1j", "F'("):
        assert jargon not in result.stdout, jargon


def test_quiet_prints_only_problems(runner: CliRunner, tmp_path: Path) -> None:
    rendered = invoke(runner, RELU, "-o", tmp_path / "out", "--quiet")
    assert rendered.exit_code == 0 and rendered.stderr == rendered.stdout == ""
    assert (tmp_path / "out" / f"{STEM}.md").read_bytes() == (OUTPUT / f"{STEM}.md").read_bytes()
    wrong = write(tmp_path, "wrong.yaml", WRONG_CLAIM)
    checked = invoke(runner, "check", "-q", RELU, wrong)
    assert checked.exit_code == 1
    assert [line.split(":")[0] for line in checked.stdout.splitlines()] == [str(wrong)]
    assert checked.stderr.startswith(f"{RELU} {wrong}: specs: expected every symbolic")
    (tmp_path / "course").mkdir()
    shutil.copy(RELU, tmp_path / "course")
    site = invoke(runner, "site", tmp_path / "course", "-o", tmp_path / "site", "-q")
    assert site.exit_code == 0 and site.stderr == ""
    assert (tmp_path / "site" / "mkdocs.yml").is_file()
