"""Registry-framed Avro with a real schema registry (Apicurio, Confluent-compatible API).

The pipeline registers its schemas as `<topic>-value`, and writes events, dead letters and
aggregates in the Confluent wire format with the ids the registry gave. A consumer that knows
nothing but the registry's URL (confluent-kafka's AvroDeserializer) reads all three. Inputs
framed by another writer are read with that writer's schema; a schema change that would break
old readers is refused at start, in one line.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Consumer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from pipeline.schemas import schema_json

from tests.integration.kafka_helpers import produce

pytestmark = pytest.mark.kafka

# Our own words: two reports with events, one without.
BODIES = {
    "r1": "Rebel fighters shelled a border post near Goma, killing three soldiers, the army said.",
    "r2": "Farmers blocked highways outside Lyon to protest new import rules.",
    "r3": "Skies stayed clear over the coast, and the shops kept their usual hours.",
}


def _writer_article_schema() -> dict[str, Any]:
    """Another producer's article schema: ours plus a field we do not know, with a default."""
    schema = copy.deepcopy(schema_json("article"))
    schema["fields"].append({"name": "desk", "type": "string", "default": "world"})
    return schema


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=600, check=False
    )


def _read_with_registry(bootstrap: str, topic: str, registry_url: str) -> list[tuple[int, dict[str, Any]]]:
    """(schema id, record) of every value: what a consumer knowing only the registry reads."""
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reg-{topic}", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    found: list[tuple[int, dict[str, Any]]] = []
    idle = 0
    try:
        while idle < 8:  # eight quiet half-seconds after the last record: the topic is read
            message = consumer.poll(0.5)
            if message is None:
                idle += 1
                continue
            assert message.error() is None, message.error()
            idle = 0
            value = message.value()
            record = deserializer(value, SerializationContext(topic, MessageField.VALUE))
            found.append((int.from_bytes(value[1:5], "big"), record))
    finally:
        consumer.close()
    return found


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> dict[str, str]:
    return {name: topic_factory(f"r-{name}") for name in ("articles", "events", "dead", "aggregates")}


def test_a_consumer_that_knows_only_the_registry_reads_events_dead_letters_and_aggregates(
    kafka_bootstrap: str, schema_registry: str, topics: dict[str, str], tmp_path: Path
) -> None:
    registry = SchemaRegistryClient({"url": schema_registry})
    serializer = AvroSerializer(registry, json.dumps(_writer_article_schema()))
    context = SerializationContext(topics["articles"], MessageField.VALUE)
    published = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    framed = [
        serializer({"id": key, "body": body, "published_at": published, "source": "wire", "desk": "africa"}, context)
        for key, body in BODIES.items()
    ]
    unknown_id = b"\x00" + (2**31 - 7).to_bytes(4, "big") + framed[0][5:]
    produce(kafka_bootstrap, topics["articles"], [*framed, unknown_id, b"not avro at all"])

    result = _cli(
        "run", "-b", kafka_bootstrap, "--bounded", "--group-id", "g-registry",
        "-i", topics["articles"], "-o", topics["events"], "-d", topics["dead"],
        "--aggregates-topic", topics["aggregates"], "--input-format", "avro-confluent",
        "--schema-registry", schema_registry, "--", "--runner=FnApiRunner",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "5 articles read = 2 with events + 1 without + 2 dead-lettered (balanced)" in result.stderr

    events = _read_with_registry(kafka_bootstrap, topics["events"], schema_registry)
    letters = _read_with_registry(kafka_bootstrap, topics["dead"], schema_registry)
    aggregates = _read_with_registry(kafka_bootstrap, topics["aggregates"], schema_registry)
    assert {record["article_id"] for _, record in events} == {"r1", "r2"}
    assert sorted(record["error_kind"] for _, record in letters) == ["invalid_avro", "unknown_schema"]
    assert sum(record["events"] for _, record in aggregates) == sum(
        1 for _, record in events if record["modality"] == "ASSERTED"
    )
    assert aggregates and all(record["final"] for _, record in aggregates)
    for topic, found in (("events", events), ("dead", letters), ("aggregates", aggregates)):
        latest = registry.get_latest_version(f"{topics[topic]}-value")
        assert {schema_id for schema_id, _ in found} == {latest.schema_id}, topic
        assert registry.get_compatibility(f"{topics[topic]}-value") == "BACKWARD"

    shown = _cli(
        "inspect", "--topic", topics["aggregates"], "-b", kafka_bootstrap, "--schema-registry", schema_registry
    )
    assert shown.returncode == 0, shown.stderr
    assert f"{len(aggregates)} records" in shown.stdout and "events" in shown.stdout


def test_a_schema_change_that_breaks_old_readers_is_refused_at_start(
    kafka_bootstrap: str, schema_registry: str, topics: dict[str, str]
) -> None:
    # An earlier writer of the events subject stored `confidence` as a string: our schema (a
    # double) cannot read those records, so registering it must fail.
    earlier = copy.deepcopy(schema_json("event"))
    for field in earlier["fields"]:
        if field["name"] == "confidence":
            field["type"] = "string"
    registry = SchemaRegistryClient({"url": schema_registry})
    subject = f"{topics['events']}-value"
    # The subject's owners chose FULL: the pipeline must keep their level, not set its own.
    registry.set_compatibility(subject_name=subject, level="FULL")
    registry.register_schema(subject, Schema(json.dumps(earlier), "AVRO"))

    result = _cli(
        "run", "-b", kafka_bootstrap, "--bounded", "-i", topics["articles"], "-o", topics["events"],
        "-d", topics["dead"], "--schema-registry", schema_registry,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("newsevents: error: schemas/event.avsc is not compatible with the schemas already")
    assert subject in lines[0]
    assert registry.get_compatibility(subject) == "FULL"
