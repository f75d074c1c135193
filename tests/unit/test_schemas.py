"""The contracts: documented, parseable, and readable by older and newer readers."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from typing import Any

import avro.io
import avro.schema
import fastavro
import pytest
from pipeline.records import event_record
from pipeline.schemas import SCHEMA_NAMES, load_schema, schema_json

from tests.unit.test_records import make_article, make_event


def walk_fields(schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, dict) and schema.get("type") == "record":
        for field in schema["fields"]:
            yield f"{schema['name']}.{field['name']}", field
            yield from walk_fields(field["type"])
    elif isinstance(schema, dict) and schema.get("type") == "array":
        yield from walk_fields(schema["items"])
    elif isinstance(schema, list):
        for branch in schema:
            yield from walk_fields(branch)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_has_a_doc(name: str) -> None:
    undocumented = [path for path, field in walk_fields(schema_json(name)) if not field.get("doc")]
    assert undocumented == []


@pytest.mark.parametrize("name", ["event", "dead_letter", "aggregate"])
def test_enums_have_a_default_so_old_readers_survive_new_symbols(name: str) -> None:
    enums = [
        f["type"]
        for _, f in walk_fields(schema_json(name))
        if isinstance(f["type"], dict) and f["type"].get("type") == "enum"
    ]
    assert enums
    assert all(enum.get("default") in enum["symbols"] for enum in enums)


def test_provenance_is_the_same_record_in_both_output_schemas() -> None:
    def provenance(name: str) -> dict[str, Any]:
        return next(f for f in schema_json(name)["fields"] if f["name"] == "provenance")["type"]

    assert provenance("event") == provenance("dead_letter")


def _write(schema: Any, record: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), record)
    return buffer.getvalue()


def test_a_reader_without_a_new_event_type_reads_it_as_other() -> None:
    old = copy.deepcopy(schema_json("event"))
    event_type = next(f for f in old["fields"] if f["name"] == "event_type")["type"]
    event_type["symbols"] = [s for s in event_type["symbols"] if s != "INVESTIGATION"]
    record = event_record(
        make_article(), make_event(event_type="INVESTIGATION"), processed_at_ms=1, extractor_version="v"
    )
    data = _write(schema_json("event"), record)
    read = fastavro.schemaless_reader(io.BytesIO(data), load_schema("event"), fastavro.parse_schema(old))
    assert read["event_type"] == "OTHER"


def test_the_current_schema_reads_data_written_before_optional_fields_existed() -> None:
    current = schema_json("event")
    older = copy.deepcopy(current)
    older["fields"] = [f for f in older["fields"] if f["name"] not in ("flags", "casualties", "quote", "event_mode")]
    record = event_record(make_article(), make_event(), processed_at_ms=1, extractor_version="v")
    for name in ("flags", "casualties", "quote", "event_mode"):
        record.pop(name)
    data = _write(older, record)
    read = fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(older), load_schema("event"))
    assert read["flags"] == [] and read["casualties"] is None and read["quote"] is None


def test_an_independent_avro_implementation_reads_our_events() -> None:
    record = event_record(make_article(), make_event(), processed_at_ms=1, extractor_version="v")
    data = _write(schema_json("event"), record)
    reader = avro.io.DatumReader(avro.schema.parse(json.dumps(schema_json("event"))))
    read = reader.read(avro.io.BinaryDecoder(io.BytesIO(data)))
    assert read["event_id"] == record["event_id"]
    assert read["casualties"]["figure_text"] == "at least 12"
