"""EncodeEvents: (article, events) -> Avro records keyed by event id; the article outcome is
counted here, as the last step before the sinks."""

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
from pipeline.records import dead_letter_record, event_record
from pipeline.transforms.common import DEAD_LETTERS, MAIN, DeadLetterFactory, now_ms
from pipeline.transforms.extract import ArticleEvents


class EncodeEventsFn(beam.DoFn):
    """All events of an article are encoded, or the article becomes one dead letter."""

    def __init__(self, confluent_schema_id: int | None) -> None:
        self._schema_id = confluent_schema_id
        self._with = Metrics.counter(NAMESPACE, ARTICLES_WITH_EVENTS)
        self._without = Metrics.counter(NAMESPACE, ARTICLES_WITHOUT_EVENTS)
        self._dead_letter = DeadLetterFactory(Stage.ENCODE)

    def setup(self) -> None:
        self._codec = AvroCodec("event", self._schema_id)

    def process(self, item: ArticleEvents) -> Iterator[EncodedRecord | TaggedOutput[str, DeadLetter]]:
        processed_at = now_ms()
        encoded = []
        try:
            for event in item.events:
                record = event_record(
                    item.article, event, processed_at_ms=processed_at, extractor_version=item.extractor_version
                )
                encoded.append(EncodedRecord(record["event_id"].encode(), self._codec.encode(record), record))
        except EncodingError as err:
            yield TaggedOutput(
                DEAD_LETTERS, self._dead_letter(item.article.raw, ErrorKind.ENCODING_FAILED, str(err), item.article.id)
            )
            return
        (self._with if encoded else self._without).inc()
        progress.article_done()
        yield from encoded


class EncodeEvents(beam.PTransform[PCollection[ArticleEvents], DoOutputsTuple]):
    """Outputs `main` (EncodedRecord) and `dead_letters`."""

    def __init__(self, confluent_schema_id: int | None = None) -> None:
        super().__init__()
        self._schema_id = confluent_schema_id

    def expand(self, items: PCollection) -> DoOutputsTuple:
        return items | beam.ParDo(EncodeEventsFn(self._schema_id)).with_outputs(DEAD_LETTERS, main=MAIN)


class EncodeDeadLetterFn(beam.DoFn):
    def __init__(self, confluent_schema_id: int | None) -> None:
        self._schema_id = confluent_schema_id

    def setup(self) -> None:
        self._codec = AvroCodec("dead_letter", self._schema_id)

    def process(self, letter: DeadLetter) -> Iterator[EncodedRecord]:
        record = dead_letter_record(letter)
        # The dead-letter schema takes any bytes and strings, so this cannot fail on input
        # data; an error here is a bug and fails the bundle (which is retried), losing nothing.
        key = (letter.article_id or letter.raw.provenance.describe()).encode()
        yield EncodedRecord(key, self._codec.encode(record), record)


class EncodeDeadLetters(beam.PTransform[PCollection[DeadLetter], PCollection[EncodedRecord]]):
    def __init__(self, confluent_schema_id: int | None = None) -> None:
        super().__init__()
        self._schema_id = confluent_schema_id

    def expand(self, letters: PCollection) -> PCollection:
        return letters | beam.ParDo(EncodeDeadLetterFn(self._schema_id))
