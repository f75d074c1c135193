"""Write encoded records to a Kafka topic: idempotent producer, acks=all, confirmed per bundle.

Sends happen in `process`; `finish_bundle` waits until the broker has acknowledged every record
of the bundle, so a bundle succeeds only once its records are durable (and only then does the
reader's finalizer commit the offsets they came from). While the broker is unreachable the sink
keeps waiting and retrying, logged, for up to the outage limit. A topic that disappears, or a
broker that refuses records for a reason waiting cannot fix, fails the bundle at once with the
broker's reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from pipeline.config import KafkaSinkSettings
from pipeline.errors import SinkRejected
from pipeline.io.outage import OutageClock, describe
from pipeline.metrics import NAMESPACE
from pipeline.model import EncodedRecord

# Acknowledgements are awaited in steps of this length, so that a long wait is logged and can
# be judged (outage, deleted topic) while it lasts.
FLUSH_STEP_S = 10.0


def make_producer(settings: KafkaSinkSettings) -> KafkaProducer:
    config: dict[str, Any] = settings.kafka.config_for("producer")
    config.setdefault("client_id", "newsevents-writer")
    config.setdefault("linger_ms", 20)
    config.setdefault("max_block_ms", settings.max_block_ms)
    # The producer retries on its own until this expires; past it, the sink resends.
    config.setdefault("delivery_timeout_ms", int(max(120.0, settings.outage_limit_s) * 1000))
    config.update(acks="all", enable_idempotence=True)
    return KafkaProducer(**config)


class _SharedProducers:
    """One producer per distinct settings per process: every sink step of a worker (events and
    the dead letters of each stage) shares it, instead of one client and IO thread each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._producers: dict[str, tuple[KafkaProducer, int]] = {}

    def acquire(self, settings: KafkaSinkSettings) -> KafkaProducer:
        key = _producer_key(settings)
        with self._lock:
            producer, users = self._producers.get(key) or (make_producer(settings), 0)
            self._producers[key] = (producer, users + 1)
            return producer

    def release(self, settings: KafkaSinkSettings) -> None:
        key = _producer_key(settings)
        with self._lock:
            producer, users = self._producers[key]
            if users > 1:
                self._producers[key] = (producer, users - 1)
                return
            del self._producers[key]
        producer.close(timeout=10)


def _producer_key(settings: KafkaSinkSettings) -> str:
    return json.dumps(
        [settings.kafka.config_for("producer"), settings.max_block_ms, settings.outage_limit_s], default=str
    )


PRODUCERS = _SharedProducers()


@dataclass(frozen=True, slots=True)
class _Send:
    key: bytes | None
    value: bytes
    future: Any

    @property
    def done(self) -> bool:
        return bool(self.future.is_done)

    @property
    def error(self) -> BaseException | None:
        return self.future.exception if self.future.is_done and self.future.failed() else None


def _await(sends: list[_Send], timeout_s: float) -> bool:
    """Wait until every send is done (acknowledged or failed); False if time ran out."""
    deadline = time.monotonic() + timeout_s
    for send in sends:
        if send.done:
            continue
        try:
            send.future.get(timeout=max(0.0, deadline - time.monotonic()))
        except KafkaTimeoutError:
            if not send.done:
                return False
        except KafkaError:
            continue  # the failure stays on the future, for confirm() to judge
    return True


def describe_error(error: BaseException | None) -> str:
    return "no acknowledgement" if error is None else describe(error)


class ConfirmedSender:
    """Sends records and waits until the broker has confirmed them, riding out outages."""

    def __init__(self, settings: KafkaSinkSettings, producer: KafkaProducer) -> None:
        self._settings = settings
        self._producer = producer
        self._outage = OutageClock(
            settings.outage_limit_s, f"writing to '{settings.topic}'", settings.kafka.bootstrap_servers
        )

    def send(self, key: bytes | None, value: bytes) -> _Send:
        while True:
            try:
                future = self._producer.send(self._settings.topic, key=key, value=value)
            except KafkaTimeoutError as err:  # no metadata for the topic within max_block_ms
                self._stalled(err)
                continue
            except KafkaError as err:  # refused before sending, e.g. larger than max_request_size
                raise SinkRejected(f"topic '{self._settings.topic}' refused a record: {describe_error(err)}") from err
            return _Send(key, value, future)

    def confirm(self, sends: list[_Send]) -> None:
        """Return once every send is acknowledged.

        Waits on these records only: the producer is shared with the other sinks of the
        worker, whose records may be stuck for reasons of their own (a deleted topic).

        Raises:
            SinkRejected: the broker refused records for a reason other than unavailability.
            BrokerUnavailable: the broker did not confirm them within the outage limit.
        """
        while sends:
            if not _await(sends, FLUSH_STEP_S):
                self._stalled(KafkaTimeoutError(f"no acknowledgement within {FLUSH_STEP_S:.0f}s"))
                continue
            failed = [s for s in sends if s.error is not None]
            retriable = [s for s in failed if getattr(s.error, "retriable", False)]
            refused = [s for s in failed if s not in retriable]
            if refused:
                raise SinkRejected(
                    f"topic '{self._settings.topic}' refused {len(refused)} of {len(sends)} records: "
                    f"{describe_error(refused[0].error)}"
                )
            if retriable:
                self._stalled(retriable[0].error)
            sends = [self.send(s.key, s.value) for s in retriable]
        self._outage.ok()

    def _stalled(self, error: BaseException | None) -> None:
        """A send or flush did not complete: a deleted topic fails now, an outage waits."""
        if self._topic_missing():
            raise SinkRejected(
                f"topic '{self._settings.topic}' does not exist at {self._settings.kafka.bootstrap_servers} "
                "(deleted while the run was going?)"
            )
        time.sleep(self._outage.failed(error or "no acknowledgement"))

    def _topic_missing(self) -> bool:
        """True only when the cluster answers and lists no such topic (not while unreachable)."""
        config = self._settings.kafka.config_for("admin")
        config.update(request_timeout_ms=5000, bootstrap_timeout_ms=5000, client_id="newsevents-writer-check")
        try:
            admin = KafkaAdminClient(**config)
        except KafkaError:
            return False
        try:
            return self._settings.topic not in set(admin.list_topics())
        except KafkaError:
            return False
        finally:
            admin.close()


class WriteKafkaTopicFn(beam.DoFn):
    """Sends in `process`, confirms every send in `finish_bundle`.

    Emits one count per bundle so that a later step can wait for all writes (bounded commits).
    """

    def __init__(self, settings: KafkaSinkSettings, metric: str) -> None:
        self._settings = settings
        self._written = Metrics.counter(NAMESPACE, metric)

    def setup(self) -> None:
        self._sender = ConfirmedSender(self._settings, PRODUCERS.acquire(self._settings))

    def start_bundle(self) -> None:
        self._sends: list[_Send] = []

    def process(self, record: EncodedRecord) -> None:
        self._sends.append(self._sender.send(record.key, record.value))

    def finish_bundle(self) -> Iterator[WindowedValue]:
        if not self._sends:
            return
        self._sender.confirm(self._sends)
        self._written.inc(len(self._sends))
        yield WindowedValue(len(self._sends), MIN_TIMESTAMP, (GlobalWindow(),))
        self._sends = []

    def teardown(self) -> None:
        if hasattr(self, "_sender"):
            PRODUCERS.release(self._settings)


class WriteKafkaTopic(beam.PTransform[PCollection[EncodedRecord], PCollection[int]]):
    def __init__(self, settings: KafkaSinkSettings, metric: str) -> None:
        super().__init__()
        self._settings = settings
        self._metric = metric

    def expand(self, records: PCollection) -> PCollection:
        return records | beam.ParDo(WriteKafkaTopicFn(self._settings, self._metric))
