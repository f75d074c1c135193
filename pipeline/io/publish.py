"""Publish archive files to a topic, keyed by article id (the `produce` command)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from kafka.errors import KafkaError

from pipeline.config import KafkaSinkSettings
from pipeline.errors import FatalRunError, UserError
from pipeline.io.archives import ArchiveError, iter_archive
from pipeline.io.kafka_sink import ConfirmedSender, make_producer
from pipeline.model import RawRecord

# A person is waiting at the terminal: give up on an unreachable broker sooner than a run does.
PUBLISH_OUTAGE_LIMIT_S = 30.0


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
    except (UnicodeDecodeError, ValueError, RecursionError):  # sent as is; the pipeline dead-letters it
        return None
    article_id = value.get("id") if isinstance(value, dict) else None
    if not isinstance(article_id, str):
        return None
    return article_id.encode("utf-8", "backslashreplace")


def publish(records: list[RawRecord], sink: KafkaSinkSettings, on_sent: Callable[[], None] = lambda: None) -> int:
    """Send every record and wait for all acknowledgements; returns the number sent."""
    settings = sink.model_copy(update={"outage_limit_s": min(sink.outage_limit_s, PUBLISH_OUTAGE_LIMIT_S)})
    producer = make_producer(settings)
    try:
        sender = ConfirmedSender(settings, producer)
        sends = []
        for record in records:
            sends.append(sender.send(article_key(record.payload), record.payload))
            on_sent()
        sender.confirm(sends)
        return len(sends)
    except FatalRunError as err:
        raise UserError(f"publishing to '{sink.topic}' failed: {err.reason}") from None
    except KafkaError as err:
        raise UserError(f"publishing to '{sink.topic}' failed: {err}") from None
    finally:
        producer.close(timeout=10)
