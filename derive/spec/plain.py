"""A spec as plain data and back: what the exercises read (their own ``exercise:`` section)
and write (each variant's complete spec). Only text the loader has accepted is read here, so
the strict composer (no aliases, no tags, bounded depth) has already seen it."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["dump_spec", "plain_mapping"]


def plain_mapping(text: str) -> dict[str, Any]:
    """The accepted spec text as plain dicts, lists, strings and numbers."""
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def dump_spec(mapping: dict[str, Any]) -> str:
    """YAML a person reads: keys in the spec's order, short lists on one line."""
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=None)
