"""output/ is the golden set: regenerating it from examples/ must change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive import build_network, check, derive, load_spec, render, work_example
from derive.write import safe_stem

from derive.pipeline import Options, run_text

from .conftest import EXAMPLES, NETWORK_EXAMPLES, OUTPUT

SPECS = sorted(EXAMPLES.glob("*.yaml"))


def generate(spec_path: Path) -> dict[str, str]:
    """Every file the command writes for the example (networks, circuits, typed layers)."""
    if spec_path in NETWORK_EXAMPLES:
        spec = load_spec(spec_path.read_text(encoding="utf-8"),
                         str(spec_path.relative_to(EXAMPLES.parent)), default_title=spec_path.stem)
        derivation = derive(build_network(spec))
        worked = work_example(derivation)
        return render(derivation, worked, check(derivation, worked),
                      stem=safe_stem(spec_path.stem), formats=("md", "tex", "json"))
    result = run_text(spec_path.read_text(encoding="utf-8"),
                      str(spec_path.relative_to(EXAMPLES.parent)),
                      Options(formats=("md", "tex", "json"), stem=safe_stem(spec_path.stem)),
                      title=spec_path.stem)
    return {name: str(text) for name, text in result.files.items()}


def _masked(name: str, text: str) -> str:
    if not name.endswith(".json"):
        return text
    document = json.loads(text)
    if "generator" in document:         # a network page's JSON names its generator's version
        document["generator"]["version"] = "*"
    return json.dumps(document, indent=2, sort_keys=True)


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_output_is_current(spec_path: Path) -> None:
    for name, text in generate(spec_path).items():
        committed = OUTPUT / name
        assert committed.exists(), f"output/{name} is missing: regenerate output/ (README)"
        assert _masked(name, committed.read_text(encoding="utf-8")) == _masked(name, text), (
            f"output/{name} is stale: regenerate output/ (README) and review the diff")


def test_no_orphans_in_output() -> None:
    stems = {safe_stem(p.stem) for p in SPECS}
    orphans = [p.name for p in OUTPUT.iterdir() if p.is_file() and p.stem not in stems]
    assert not orphans, f"files in output/ without an example: {orphans}"
