"""Publish archive files to a topic, keyed by article id (the `produce` command)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from kafka.errors import KafkaError

from pipeline.config import KafkaSinkSettings
from pipeline.errors import UserError
from pipeline.io.archives import ArchiveError, iter_archive
from pipeline.io.kafka_sink import make_producer, unacknowledged
from pipeline.model import RawRecord


def archive_records(paths: list[Path]) -> Iterator[RawRecord]:
    for path in paths:
        if not path.is_file():
            raise UserError(f"no such file: {path}")
        with path.open("rb") as handle:
            try:
                yield from iter_archive(str(path), handle)
            except ArchiveError as err:
                raise UserError(str(err)) from None


def article_key(payload: bytes) -> bytes | None:
    """The article id as Kafka key, when the payload has one (bad input is sent as is)."""
    try:
        value = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    article_id = value.get("id") if isinstance(value, dict) else None
    return article_id.encode() if isinstance(article_id, str) else None


def publish(records: list[RawRecord], sink: KafkaSinkSettings, on_sent: Callable[[], None] = lambda: None) -> int:
    """Send every record and wait for all acknowledgements; returns the number sent."""
    producer = make_producer(sink)
    try:
        futures = []
        for record in records:
            futures.append(producer.send(sink.topic, key=article_key(record.payload), value=record.payload))
            on_sent()
        producer.flush(timeout=sink.flush_timeout_s)
        failed = unacknowledged(futures)
        if failed:
            raise UserError(
                f"{len(failed)} of {len(futures)} records were not acknowledged by {sink.kafka.bootstrap_servers}"
            )
        return len(futures)
    except KafkaError as err:
        raise UserError(f"publishing to '{sink.topic}' failed: {err}") from None
    finally:
        producer.close(timeout=10)
