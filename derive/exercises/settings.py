"""The ``exercise:`` section of a spec -> ``Exercise`` (plain, frozen, validated).

```yaml
exercise:
  ask: [loss, grad, updated, {formula: "w^{(2)}_{11}"}]   # fields of the JSON: loss, grad,
                                 # updated, final; {formula: P} asks to write ∂L/∂P (P in the
                                 # page's notation or as w_2_1_1), graded by the claim checker
  parameters: all                # or a list like ["L2.W[0][0]", "L1.b[0]"]
  ranges: {x: [-2, 2], y: [0, 1], W: [-1, 1], b: [-0.5, 0.5], learning_rate: [0.1, 0.5]}
  decimals: 1                    # the numbers a student gets: 1 decimal (0: integers)
  answer_digits: 3               # answers are graded to this many decimals
  conditions: {no_dead_relu: true, max_abs: 100}
```
Every key is optional; without the section a variant draws every number of the example
from the ranges above and asks the loss and every gradient.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SpecError
from ..spec.model import nearest_line
from ..spec.quoting import closest, described
from ..spec.reader import parse_number

__all__ = ["Exercise", "read_exercise", "FIELDS"]

FIELDS = ("loss", "grad", "updated", "final")
_DEFAULT_RANGES = (("x", (-2.0, 2.0)), ("y", (0.0, 1.0)), ("W", (-1.0, 1.0)),
                   ("b", (-0.5, 0.5)), ("learning_rate", (0.1, 0.5)))
_KEYS = ("ask", "parameters", "ranges", "decimals", "answer_digits", "conditions")
_CONDITIONS = ("no_dead_relu", "max_abs")


@dataclass(frozen=True, slots=True, kw_only=True)
class Exercise:
    """What a variant asks and how its numbers are drawn."""

    ask: tuple[str, ...] = ("loss", "grad")
    formulas: tuple[str, ...] = ()                  # parameters whose ∂L/∂P is written out
    parameters: tuple[str, ...] | None = None        # None: every parameter
    ranges: tuple[tuple[str, tuple[float, float]], ...] = _DEFAULT_RANGES
    decimals: int = 1
    answer_digits: int = 3
    no_dead_relu: bool = True
    max_abs: float = 100.0

    def range_of(self, name: str) -> tuple[float, float]:
        return dict(self.ranges)[name]

    def as_mapping(self) -> dict[str, Any]:
        """The section as a spec writes it: ``read_exercise(e.as_mapping(), f) == e``."""
        return {"ask": [*self.ask, *({"formula": f} for f in self.formulas)],
                "parameters": "all" if self.parameters is None else list(self.parameters),
                "ranges": {name: list(bounds) for name, bounds in self.ranges},
                "decimals": self.decimals, "answer_digits": self.answer_digits,
                "conditions": {"no_dead_relu": self.no_dead_relu, "max_abs": self.max_abs}}


def read_exercise(section: Any, file: str, lines: Mapping[str, int] | None = None) -> Exercise:
    """The section as read by the spec loader (plain lists, dicts, numbers), validated; an
    error names the line of its key in ``lines`` (the spec's ``lines``, which hold every key
    of the section), or of the nearest key above it."""
    try:
        return _read(section, file)
    except SpecError as exc:
        line = nearest_line(lines or {}, exc.key)
        exc.line = line if line is not None else exc.line
        raise


def _read(section: Any, file: str) -> Exercise:
    if section is None:
        return Exercise()
    _expect(isinstance(section, dict), "exercise", "a mapping", section, file)
    _known_keys(section, _KEYS, "exercise", file)
    ask, formulas = _ask(section.get("ask", ["loss", "grad"]), file)
    parameters = section.get("parameters", "all")
    _expect(parameters == "all" or (isinstance(parameters, list) and parameters and
                                    all(isinstance(p, str) for p in parameters)),
            "exercise.parameters", "all, or a list like ['L2.W[0][0]']", parameters, file)
    ranges = dict(_DEFAULT_RANGES)
    given = section.get("ranges") or {}
    _expect(isinstance(given, dict), "exercise.ranges", "a mapping like {x: [-2, 2]}", given,
            file)
    for name, bounds in given.items():
        bounds = [_numeric(v) for v in bounds] if isinstance(bounds, list) else bounds
        _expect(name in ranges, f"exercise.ranges.{name}", f"one of {', '.join(ranges)}",
                name, file)
        ok = isinstance(bounds, list) and len(bounds) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in bounds) and bounds[0] <= bounds[1]
        _expect(ok, f"exercise.ranges.{name}", "[low, high] with low <= high", bounds, file)
        ranges[name] = (float(bounds[0]), float(bounds[1]))
    low_rate = ranges["learning_rate"][0]
    _expect(low_rate > 0, "exercise.ranges.learning_rate", "a range above 0", low_rate, file)
    decimals, digits = section.get("decimals", 1), section.get("answer_digits", 3)
    for key, value in (("decimals", decimals), ("answer_digits", digits)):
        _expect(isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6,
                f"exercise.{key}", "a whole number from 0 to 6", value, file)
    conditions = section.get("conditions") or {}
    _expect(isinstance(conditions, dict), "exercise.conditions",
            "a mapping like {no_dead_relu: true, max_abs: 100}", conditions, file)
    _known_keys(conditions, _CONDITIONS, "exercise.conditions", file)
    max_abs = _numeric(conditions.get("max_abs", 100.0))
    _expect(isinstance(max_abs, (int, float)) and not isinstance(max_abs, bool)
            and math.isfinite(max_abs) and max_abs > 0, "exercise.conditions.max_abs",
            "a number above 0", max_abs, file)
    no_dead_relu = conditions.get("no_dead_relu", True)
    _expect(isinstance(no_dead_relu, bool), "exercise.conditions.no_dead_relu",
            "true or false", no_dead_relu, file)
    return Exercise(ask=ask, formulas=formulas,
                    parameters=None if parameters == "all" else tuple(parameters),
                    ranges=tuple(ranges.items()), decimals=decimals, answer_digits=digits,
                    no_dead_relu=no_dead_relu, max_abs=float(max_abs))


def _numeric(value: Any) -> Any:
    """``1e-2`` as the number it is meant to be: YAML 1.1 reads an exponent without a dot as
    text; the spec's own reader's ``parse_number`` reads it (SPEC.md "Names, files and
    limits")."""
    number = parse_number(value.strip()) if isinstance(value, str) else None
    return value if number is None else number


def _ask(items: Any, file: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fields asked and the parameters whose formula is asked, in the order given."""
    _expect(isinstance(items, list) and bool(items), "exercise.ask",
            f"a list of {', '.join(FIELDS)} or {{formula: PARAMETER}}", items, file)
    fields, formulas = [], []
    for n, item in enumerate(items):
        if isinstance(item, dict):
            ok = set(item) == {"formula"} and isinstance(item["formula"], str) and \
                item["formula"].strip() != ""
            _expect(ok, f"exercise.ask[{n}]", "{formula: PARAMETER}, like {formula: w_2_1_1}",
                    item, file)
            formulas.append(item["formula"])
        else:
            guess = closest(item, FIELDS) if isinstance(item, str) else None
            _expect(item in FIELDS, f"exercise.ask[{n}]",
                    f"one of {', '.join(FIELDS)} or {{formula: PARAMETER}}", item, file,
                    hint=f"did you mean {guess!r}?" if guess else "")
            fields.append(item)
    return tuple(fields), tuple(formulas)


def _known_keys(mapping: dict, allowed: tuple[str, ...], key: str, file: str) -> None:
    """Every key of ``mapping`` is one of ``allowed``; the first other one is the error."""
    unknown = sorted(set(mapping) - set(allowed), key=str)
    if unknown:
        _expect(False, f"{key}.{unknown[0]}", f"one of {', '.join(allowed)}", unknown[0], file)


def _expect(ok: bool, key: str, expected: str, got: Any, file: str, hint: str = "") -> None:
    if not ok:
        raise SpecError(key, expected, got_text=described(got), file=file, hint=hint)
