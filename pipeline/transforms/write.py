"""WriteEvents and WriteDeadLetters: the sinks of one kind of record, to a topic and/or files.

Both are plain ParDos with no shuffle, so a runner fuses them into the stage that produced
their input: in streaming that is the reading stage, and a bundle's records are durable in
every sink before the bundle ends and its offsets are committed. Each stage's dead letters get
a writer of their own for the same reason (a Flatten would be a stage boundary on Prism).
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import PCollection

from pipeline.config import KafkaSinkSettings
from pipeline.errors import UserError
from pipeline.io.avro_files import WriteAvroFiles
from pipeline.io.kafka_sink import WriteKafkaTopic
from pipeline.metrics import AGGREGATES_WRITTEN_KAFKA, DEAD_LETTERS_WRITTEN, EVENTS_WRITTEN_KAFKA, STORIES_WRITTEN_KAFKA
from pipeline.model import DeadLetter, EncodedRecord
from pipeline.records import DEAD_LETTER_OVERHEAD_BYTES
from pipeline.transforms.encode import EncodeDeadLetters


def dead_letter_payload_limit(wanted: int, topic: KafkaSinkSettings | None) -> int:
    """How much of a failed input a dead letter carries, so that it always fits its topic."""
    if topic is None:
        return wanted
    room = topic.max_record_bytes - DEAD_LETTER_OVERHEAD_BYTES
    if room < 1024:
        raise UserError(
            f"topic '{topic.topic}' accepts records of at most {topic.max_record_bytes:,} bytes, too few for "
            f"dead letters (they need {DEAD_LETTER_OVERHEAD_BYTES + 1024:,}); raise its max.message.bytes"
        )
    return min(wanted, room)


class WriteRecords(beam.PTransform[PCollection[EncodedRecord], tuple[PCollection[int], ...]]):
    """Encoded records of one schema to their topic and/or `<prefix>-*.avro` files.

    Outputs one count per bundle and sink, for steps that must wait for every write.
    """

    SCHEMA = "event"
    FILE_PREFIX = "events"

    def __init__(self, topic: KafkaSinkSettings | None, output_dir: str | None, window_seconds: int) -> None:
        super().__init__()
        self._topic = topic
        self._output_dir = output_dir
        self._window_seconds = window_seconds

    def expand(self, records: PCollection) -> tuple[PCollection, ...]:
        return _write(records, self._topic, self._output_dir, self._window_seconds, self.FILE_PREFIX, self.SCHEMA)


class WriteEvents(WriteRecords):
    """Events to the events topic (key = event id) and/or `events-*.avro` files."""


class WriteAggregates(WriteRecords):
    """Aggregates to the aggregates topic (key = window, type, country: an upsert) and/or
    `aggregates-*.avro` files (graph.py gives a directory only in bounded runs, where each key
    has one final count)."""

    SCHEMA = "aggregate"
    FILE_PREFIX = "aggregates"


class WriteStories(WriteRecords):
    """Stories to the stories topic (key = story id: an upsert) and/or `stories-*.avro` files."""

    SCHEMA = "story"
    FILE_PREFIX = "stories"


class WriteDeadLetters(beam.PTransform[PCollection[DeadLetter], tuple[PCollection[int], ...]]):
    """Dead letters, encoded, to the dead-letter topic and/or `dead-letter-*.avro` files."""

    def __init__(
        self,
        topic: KafkaSinkSettings | None,
        output_dir: str | None,
        window_seconds: int,
        max_payload_bytes: int,
    ) -> None:
        super().__init__()
        self._topic = topic
        self._output_dir = output_dir
        self._window_seconds = window_seconds
        self._max_payload_bytes = dead_letter_payload_limit(max_payload_bytes, topic)

    def expand(self, letters: PCollection) -> tuple[PCollection, ...]:
        schema_id = self._topic.confluent_schema_id if self._topic is not None else None
        encoded = letters | "Encode" >> EncodeDeadLetters(schema_id, self._max_payload_bytes)
        return _write(encoded, self._topic, self._output_dir, self._window_seconds, "dead-letter", "dead_letter")


_KAFKA_METRICS = {
    "event": EVENTS_WRITTEN_KAFKA,
    "dead_letter": DEAD_LETTERS_WRITTEN,
    "aggregate": AGGREGATES_WRITTEN_KAFKA,
    "story": STORIES_WRITTEN_KAFKA,
}


def _write(
    records: PCollection,
    topic: KafkaSinkSettings | None,
    output_dir: str | None,
    window_seconds: int,
    file_prefix: str,
    schema_name: str,
) -> tuple[PCollection, ...]:
    written = []
    if topic is not None:
        written.append(records | "ToKafka" >> WriteKafkaTopic(topic, _KAFKA_METRICS[schema_name]))
    if output_dir is not None:
        written.append(records | "ToFiles" >> WriteAvroFiles(output_dir, file_prefix, schema_name, window_seconds))
    if not written:
        raise UserError(f"nowhere to write {file_prefix} records: give a topic or an output directory")
    return tuple(written)
