"""Write encoded records to a Kafka topic: idempotent producer, acks=all, checked per bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaProducer
from kafka.errors import KafkaError

from pipeline.config import KafkaSinkSettings
from pipeline.errors import SinkError
from pipeline.metrics import NAMESPACE
from pipeline.model import EncodedRecord


def make_producer(settings: KafkaSinkSettings) -> KafkaProducer:
    config: dict[str, Any] = settings.kafka.client_config()
    config.update(
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_block_ms=settings.max_block_ms,
        client_id="newsevents-writer",
    )
    return KafkaProducer(**config)


def unacknowledged(futures: list[Any]) -> list[Any]:
    """Sends the broker did not confirm after a flush: failed, or still pending."""
    return [f for f in futures if not f.is_done or f.failed()]


class WriteToKafkaFn(beam.DoFn):
    """Sends in `process`, flushes and checks every send in `finish_bundle`.

    A failed send raises, which fails the bundle: the runner retries it and, because source
    offsets are committed only after bundles succeed, nothing is lost. Emits one count per
    bundle so that a later step can wait for all writes (bounded offset commits).
    """

    def __init__(self, settings: KafkaSinkSettings, metric: str) -> None:
        self._settings = settings
        self._written = Metrics.counter(NAMESPACE, metric)

    def setup(self) -> None:
        self._producer = make_producer(self._settings)

    def start_bundle(self) -> None:
        self._futures: list[Any] = []

    def process(self, record: EncodedRecord) -> None:
        self._futures.append(self._producer.send(self._settings.topic, key=record.key, value=record.value))

    def finish_bundle(self) -> Iterator[WindowedValue]:
        if not self._futures:
            return
        try:
            self._producer.flush(timeout=self._settings.flush_timeout_s)
        except KafkaError as err:
            raise SinkError(f"flushing to topic '{self._settings.topic}' failed: {err}") from err
        failed = unacknowledged(self._futures)
        if failed:
            first = failed[0].exception if failed[0].is_done else "timed out"
            raise SinkError(
                f"{len(failed)} of {len(self._futures)} records not written to '{self._settings.topic}': {first}"
            )
        self._written.inc(len(self._futures))
        yield WindowedValue(len(self._futures), MIN_TIMESTAMP, (GlobalWindow(),))
        self._futures = []

    def teardown(self) -> None:
        producer = getattr(self, "_producer", None)
        if producer is not None:
            producer.close(timeout=10)


class WriteToKafka(beam.PTransform[PCollection[EncodedRecord], PCollection[int]]):
    def __init__(self, settings: KafkaSinkSettings, metric: str) -> None:
        super().__init__()
        self._settings = settings
        self._metric = metric

    def expand(self, records: PCollection) -> PCollection:
        return records | beam.ParDo(WriteToKafkaFn(self._settings, self._metric))
