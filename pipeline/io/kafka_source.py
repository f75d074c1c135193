"""Read a Kafka topic in Beam: one splittable DoFn restriction per partition.

Offsets are committed to the consumer group only after the records are written:
- unbounded: in the bundle finalizer, which the runner calls after the bundle (and the sinks
  fused into it, which flush in `finish_bundle`) has been committed;
- bounded: by `CommitOffsets`, after every sink of the run has finished (see graph.py).
So a crash never loses an article; a replay re-emits events with the same ids.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PBegin, PCollection
from apache_beam.runners.sdf_utils import RestrictionTrackerView
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from pipeline.config import KafkaSourceSettings
from pipeline.metrics import NAMESPACE
from pipeline.model import Provenance, RawRecord

# Stop of the restriction of an unbounded partition: never reached.
UNBOUNDED_STOP = 2**63 - 1
IDLE_RESUME = Duration.of(0.5)
# How far the watermark trails the clock while a partition is idle.
IDLE_WATERMARK_LAG = Duration.of(10)


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    """What to read of one partition: offsets [start, stop); stop None means unbounded."""

    topic: str
    partition: int
    start: int
    stop: int | None


def make_consumer(settings: KafkaSourceSettings) -> KafkaConsumer:
    config: dict[str, Any] = settings.kafka.client_config()
    config.update(
        group_id=settings.group_id,
        enable_auto_commit=False,
        auto_offset_reset=settings.offset_reset,
        client_id="newsevents-reader",
        max_poll_records=settings.max_poll_records,
    )
    return KafkaConsumer(**config)


def plan_partitions(consumer: KafkaConsumer, settings: KafkaSourceSettings) -> list[PartitionPlan]:
    """Start and stop offsets of every partition, from the group's commits, times or ends."""
    partitions = consumer.partitions_for_topic(settings.topic)
    if not partitions:
        raise ValueError(f"topic '{settings.topic}' has no partitions (does it exist?)")
    tps = [TopicPartition(settings.topic, p) for p in sorted(partitions)]
    begin, end = consumer.beginning_offsets(tps), consumer.end_offsets(tps)
    starts = _start_offsets(consumer, settings, tps, begin, end)
    stops: dict[TopicPartition, int | None] = dict.fromkeys(tps)
    if settings.bounded:
        stops = {tp: end[tp] for tp in tps}
        if settings.to_time_ms is not None:
            found = consumer.offsets_for_times(dict.fromkeys(tps, settings.to_time_ms))
            stops = {tp: (found[tp].offset if found.get(tp) else end[tp]) for tp in tps}
    return [PartitionPlan(tp.topic, tp.partition, starts[tp], stops[tp]) for tp in tps]


def _start_offsets(
    consumer: KafkaConsumer,
    settings: KafkaSourceSettings,
    tps: list[TopicPartition],
    begin: dict[TopicPartition, int],
    end: dict[TopicPartition, int],
) -> dict[TopicPartition, int]:
    if settings.from_time_ms is not None:
        found = consumer.offsets_for_times(dict.fromkeys(tps, settings.from_time_ms))
        return {tp: (found[tp].offset if found.get(tp) else end[tp]) for tp in tps}
    default = begin if settings.offset_reset == "earliest" else end
    starts = {}
    for tp in tps:
        committed = consumer.committed(tp) if settings.group_id else None
        # A commit older than the retained log starts at the log's beginning.
        starts[tp] = max(committed, begin[tp]) if committed is not None else default[tp]
    return starts


class PlanPartitionsFn(beam.DoFn):
    """Runs once, at run time on a worker, so that a restarted job resumes from its commits."""

    def __init__(self, settings: KafkaSourceSettings) -> None:
        self._settings = settings

    def process(self, _: bytes) -> Iterator[PartitionPlan]:
        consumer = make_consumer(self._settings)
        try:
            yield from plan_partitions(consumer, self._settings)
        finally:
            consumer.close()


class _OffsetRangeProvider(RestrictionProvider):
    def initial_restriction(self, plan: PartitionPlan) -> OffsetRange:
        return OffsetRange(plan.start, UNBOUNDED_STOP if plan.stop is None else max(plan.start, plan.stop))

    def create_tracker(self, restriction: OffsetRange) -> OffsetRestrictionTracker:
        if restriction.stop == UNBOUNDED_STOP:
            return _CheckpointOnlyTracker(restriction)
        return OffsetRestrictionTracker(restriction)

    def split(self, plan: PartitionPlan, restriction: OffsetRange) -> Iterator[OffsetRange]:
        yield restriction  # a partition is read in order; no initial splits

    def restriction_size(self, plan: PartitionPlan, restriction: OffsetRange) -> int:
        if restriction.stop == UNBOUNDED_STOP:
            return 1
        return max(0, restriction.stop - restriction.start)


class _CheckpointOnlyTracker(OffsetRestrictionTracker):
    """An unbounded range can only be checkpointed: splitting it by a fraction would invent
    offsets near 2**63."""

    def try_split(self, fraction_of_remainder: float) -> tuple[OffsetRange, OffsetRange] | None:
        if fraction_of_remainder != 0:
            return None
        return cast(tuple[OffsetRange, OffsetRange] | None, super().try_split(0))

    def is_bounded(self) -> bool:
        return False


# Restriction and watermark parameters of the reading DoFns (Beam reads them from defaults).
_RESTRICTION = beam.DoFn.RestrictionParam(_OffsetRangeProvider())
_WATERMARK = beam.DoFn.WatermarkEstimatorParam(ManualWatermarkEstimator.default_provider())


class _PartitionReader(beam.DoFn):
    """Shared reading logic; the two subclasses differ only in boundedness and commits."""

    def __init__(self, settings: KafkaSourceSettings) -> None:
        self._settings = settings
        self._records = Metrics.counter(NAMESPACE, "kafka_records_read")
        self._commit_failures = Metrics.counter(NAMESPACE, "kafka_commit_failures")

    def setup(self) -> None:
        self._consumer = make_consumer(self._settings)
        self._lock = threading.Lock()

    def teardown(self) -> None:
        self._consumer.close()

    def _read(
        self,
        plan: PartitionPlan,
        tracker: RestrictionTrackerView,
        watermark: ManualWatermarkEstimator,
        finalizer: Any | None,
    ) -> Iterator[TimestampedValue]:
        tp = TopicPartition(plan.topic, plan.partition)
        restriction = tracker.current_restriction()
        deadline = time.monotonic() + self._settings.max_bundle_seconds
        last_claimed: int | None = None
        with self._lock:
            self._consumer.assign([tp])
            self._consumer.seek(tp, restriction.start)
        while time.monotonic() < deadline:
            with self._lock:
                batch = self._consumer.poll(timeout_ms=self._settings.poll_timeout_ms).get(tp, [])
                position = self._consumer.position(tp)
            if not batch:
                if restriction.stop != UNBOUNDED_STOP and position >= restriction.stop:
                    tracker.try_claim(restriction.stop)  # the rest are gaps (compaction, markers)
                    return
                _advance(watermark, Timestamp.now() - IDLE_WATERMARK_LAG)
                break
            for record in batch:
                if not tracker.try_claim(record.offset):
                    self._commit_later(finalizer, tp, last_claimed)
                    return
                last_claimed = record.offset
                self._records.inc()
                event_time = Timestamp.of(max(record.timestamp, 0) / 1000)
                _advance(watermark, event_time)
                raw = RawRecord(
                    payload=record.value or b"",
                    provenance=Provenance.kafka(plan.topic, plan.partition, record.offset),
                    key=record.key,
                    timestamp_ms=record.timestamp if record.timestamp >= 0 else None,
                )
                yield TimestampedValue(raw, event_time)
        self._commit_later(finalizer, tp, last_claimed)
        tracker.defer_remainder(IDLE_RESUME if last_claimed is None else Duration.of(0))

    def _commit_later(self, finalizer: Any | None, tp: TopicPartition, last_claimed: int | None) -> None:
        if finalizer is None or last_claimed is None or not self._settings.group_id:
            return
        offsets = {tp: OffsetAndMetadata(last_claimed + 1, "", -1)}

        def commit() -> None:
            try:
                with self._lock:
                    self._consumer.commit(offsets)
            except KafkaError:
                # Not a loss: the next run re-reads from the previous commit (ids are stable).
                self._commit_failures.inc()

        finalizer.register(commit)


class ReadBoundedPartitionFn(_PartitionReader):
    def process(
        self,
        plan: PartitionPlan,
        tracker: RestrictionTrackerView = _RESTRICTION,  # type: ignore[assignment]
        watermark: ManualWatermarkEstimator = _WATERMARK,  # type: ignore[assignment]
    ) -> Iterator[TimestampedValue]:
        yield from self._read(plan, tracker, watermark, None)


class ReadUnboundedPartitionFn(_PartitionReader):
    # The finalizer parameter must come before the restriction parameters: Beam passes those
    # by keyword and the rest by position.
    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        plan: PartitionPlan,
        finalizer: Any = beam.DoFn.BundleFinalizerParam,
        tracker: RestrictionTrackerView = _RESTRICTION,  # type: ignore[assignment]
        watermark: ManualWatermarkEstimator = _WATERMARK,  # type: ignore[assignment]
    ) -> Iterator[TimestampedValue]:
        yield from self._read(plan, tracker, watermark, finalizer)


def _advance(watermark: ManualWatermarkEstimator, to: Timestamp) -> None:
    current = watermark.current_watermark()
    if current is None or to > current:
        watermark.set_watermark(to)


class CommitOffsetsFn(beam.DoFn):
    """Bounded runs: commit each partition's stop offset once every sink has finished.

    The side input (`written`) makes the runner finish all writes before this step runs.
    """

    def __init__(self, settings: KafkaSourceSettings) -> None:
        self._settings = settings
        self._committed = Metrics.counter(NAMESPACE, "kafka_partitions_committed")

    def process(self, plan: PartitionPlan, written: list[object]) -> None:
        del written  # only waited for
        if not self._settings.group_id or plan.stop is None or plan.stop <= plan.start:
            return
        consumer = make_consumer(self._settings)
        try:
            consumer.commit({TopicPartition(plan.topic, plan.partition): OffsetAndMetadata(plan.stop, "", -1)})
            self._committed.inc()
        finally:
            consumer.close()


class ReadFromKafka(beam.PTransform[PBegin, PCollection[RawRecord]]):
    """Topic -> RawRecords, timestamped with the Kafka record time. `plans` holds the
    partition plans after expansion, for the bounded commit step."""

    def __init__(self, settings: KafkaSourceSettings) -> None:
        super().__init__()
        self.settings = settings
        self.plans: PCollection | None = None

    def expand(self, pbegin: PBegin) -> PCollection:
        self.plans = (
            pbegin
            | "Impulse" >> beam.Impulse()
            | "PlanPartitions" >> beam.ParDo(PlanPartitionsFn(self.settings))
            # Spread partitions over workers before the long-running reads start.
            | "SpreadPartitions" >> beam.Reshuffle()
        )
        reader = ReadBoundedPartitionFn if self.settings.bounded else ReadUnboundedPartitionFn
        return self.plans | "ReadPartitions" >> beam.ParDo(reader(self.settings))
