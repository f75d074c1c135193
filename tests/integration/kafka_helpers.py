"""A second, independent Kafka client (confluent-kafka / librdkafka) to check what we wrote."""

from __future__ import annotations

import json
import time
from typing import Any

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from pipeline.io.avro_codec import AvroCodec


def produce(bootstrap: str, topic: str, payloads: list[bytes], timestamps_ms: list[int] | None = None) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for index, payload in enumerate(payloads):
        key = _key(payload)
        if timestamps_ms is None:
            producer.produce(topic, value=payload, key=key)
        else:
            producer.produce(topic, value=payload, key=key, timestamp=timestamps_ms[index])
    assert producer.flush(30) == 0


def _key(payload: bytes) -> bytes | None:
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value["id"].encode() if isinstance(value, dict) and isinstance(value.get("id"), str) else None


def consume_all(
    bootstrap: str, topic: str, expect_at_least: int = 0, timeout_s: float = 60.0
) -> list[tuple[bytes, bytes]]:
    """(key, value) of every record in the topic; waits up to timeout_s for expect_at_least."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"check-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    records: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                if len(records) >= expect_at_least and time.monotonic() - quiet_since > 3:
                    break
                continue
            assert message.error() is None, message.error()
            records.append((message.key(), message.value()))
            quiet_since = time.monotonic()
    finally:
        consumer.close()
    return records


def decode(records: list[tuple[bytes, bytes]], schema: str) -> list[dict[str, Any]]:
    codec = AvroCodec(schema)
    framed = AvroCodec(schema, confluent_schema_id=0)
    return [framed.decode(v) if v[:1] == b"\x00" else codec.decode(v) for _, v in records]


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """Committed offsets of a group; retries while a fresh broker's coordinator is loading."""
    deadline = time.monotonic() + 60
    while True:
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        try:
            found = consumer.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
            return {tp.partition: tp.offset for tp in found}
        except KafkaException as err:
            if not err.args[0].retriable() or time.monotonic() > deadline:
                raise
            time.sleep(1)
        finally:
            consumer.close()


def end_offsets(bootstrap: str, topic: str, partitions: int) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "offsets-probe"})
    try:
        return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=20)[1] for p in range(partitions)}
    finally:
        consumer.close()
