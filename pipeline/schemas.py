"""The Avro contracts in schemas/*.avsc, parsed once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import fastavro

SCHEMA_NAMES = ("article", "event", "dead_letter", "aggregate", "story")


def schema_json(name: str) -> dict[str, Any]:
    """The schema document as written in schemas/<name>.avsc."""
    text = resources.files("pipeline.contracts").joinpath(f"{name}.avsc").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def load_schema(name: str) -> Any:
    """The parsed fastavro schema for `name` (article, event or dead_letter)."""
    return fastavro.parse_schema(schema_json(name))
