"""EncodeEvents: (article, events) -> Avro records keyed by event id, with their mention
groups (stories/grouping.py); the article outcome is counted here, as the last step before the
sinks. EncodeDeadLetters: dead letters -> Avro."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PCollection, TaggedOutput

from pipeline import progress
from pipeline.errors import ErrorKind
from pipeline.io.avro_codec import AvroCodec, EncodingError
from pipeline.metrics import ARTICLES_WITH_EVENTS, ARTICLES_WITHOUT_EVENTS, NAMESPACE
from pipeline.model import DeadLetter, EncodedRecord, Stage
from pipeline.nlp.ontology import load_ontology
from pipeline.records import dead_letter_key, dead_letter_record, event_record
from pipeline.stories.grouping import group_mentions
from pipeline.transforms.common import DEAD_LETTERS, MAIN, DeadLetterFactory, now_ms
from pipeline.transforms.extract import ArticleEvents


class RecordTooLarge(EncodingError):
    """An encoded record larger than its sink accepts."""


class EncodeEventsFn(beam.DoFn):
    """All events of an article are encoded, or the article becomes one dead letter."""

    def __init__(self, confluent_schema_id: int | None, max_record_bytes: int | None) -> None:
        self._schema_id = confluent_schema_id
        self._max_record_bytes = max_record_bytes
        self._with = Metrics.counter(NAMESPACE, ARTICLES_WITH_EVENTS)
        self._without = Metrics.counter(NAMESPACE, ARTICLES_WITHOUT_EVENTS)
        self._dead_letter = DeadLetterFactory(Stage.ENCODE)

    def setup(self) -> None:
        self._codec = AvroCodec("event", self._schema_id)
        self._families = load_ontology().story_families

    def process(self, item: ArticleEvents) -> Iterator[EncodedRecord | TaggedOutput[str, DeadLetter]]:
        processed_at = now_ms()
        encoded = []
        try:
            records = [
                event_record(
                    item.article, event, processed_at_ms=processed_at, extractor_version=item.extractor_version
                )
                for event in item.events
            ]
            for record in group_mentions(records, self._families):
                encoded.append(
                    EncodedRecord(record["event_id"].encode(), self._checked(self._codec.encode(record)), record)
                )
        except RecordTooLarge as err:
            yield self._failed(item, ErrorKind.RECORD_TOO_LARGE, str(err))
            return
        except EncodingError as err:
            yield self._failed(item, ErrorKind.ENCODING_FAILED, str(err))
            return
        except Exception as err:  # noqa: BLE001 - a record builder bug on one article must not stop the stream
            yield self._failed(item, ErrorKind.ENCODING_FAILED, f"{type(err).__name__}: {err}")
            return
        (self._with if encoded else self._without).inc()
        progress.article_done()
        yield from encoded

    def _checked(self, value: bytes) -> bytes:
        if self._max_record_bytes is not None and len(value) > self._max_record_bytes:
            raise RecordTooLarge(
                f"an event record of {len(value):,} bytes is larger than the {self._max_record_bytes:,} bytes "
                "the events topic accepts"
            )
        return value

    def _failed(self, item: ArticleEvents, kind: ErrorKind, message: str) -> TaggedOutput[str, DeadLetter]:
        return TaggedOutput(DEAD_LETTERS, self._dead_letter(item.article.raw, kind, message, item.article.id))


class EncodeEvents(beam.PTransform[PCollection[ArticleEvents], DoOutputsTuple]):
    """Outputs `main` (EncodedRecord) and `dead_letters`."""

    def __init__(self, confluent_schema_id: int | None = None, max_record_bytes: int | None = None) -> None:
        super().__init__()
        self._fn = EncodeEventsFn(confluent_schema_id, max_record_bytes)

    def expand(self, items: PCollection) -> DoOutputsTuple:
        return items | beam.ParDo(self._fn).with_outputs(DEAD_LETTERS, main=MAIN)


class EncodeDeadLetterFn(beam.DoFn):
    """Dead letters cannot fail on input data: the payload is cut to fit, texts are made
    encodable (records.dead_letter_record). An error here is a bug and fails the bundle,
    which is retried and commits nothing."""

    def __init__(self, confluent_schema_id: int | None, max_payload_bytes: int) -> None:
        self._schema_id = confluent_schema_id
        self._max_payload_bytes = max_payload_bytes

    def setup(self) -> None:
        self._codec = AvroCodec("dead_letter", self._schema_id)

    def process(self, letter: DeadLetter) -> Iterator[EncodedRecord]:
        record = dead_letter_record(letter, self._max_payload_bytes)
        yield EncodedRecord(dead_letter_key(letter), self._codec.encode(record), record)


class EncodeDeadLetters(beam.PTransform[PCollection[DeadLetter], PCollection[EncodedRecord]]):
    def __init__(self, confluent_schema_id: int | None, max_payload_bytes: int) -> None:
        super().__init__()
        self._fn = EncodeDeadLetterFn(confluent_schema_id, max_payload_bytes)

    def expand(self, letters: PCollection) -> PCollection:
        return letters | beam.ParDo(self._fn)
