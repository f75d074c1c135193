"""Read a Kafka topic in Beam: one splittable DoFn restriction per partition.

Offsets are committed to the consumer group only after the records' outputs are durable:
- unbounded: in the bundle finalizer. The sinks are fused into the reading stage and make
  their output durable in `finish_bundle` (Kafka acknowledgements, files fsynced and renamed),
  and the runner finalizes a bundle only after it has succeeded;
- bounded: the reader emits the positions it reached, and `CommitPositions` commits them after
  every sink of the run has finished (see graph.py).
So a crash never loses an article; a replay re-emits events with the same ids.

An unreachable broker is waited out (the partition checkpoints and retries with back-off) for up
to `outage_limit_s`; past it the bundle fails with BrokerUnavailable, which fails the run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PBegin, PCollection, TaggedOutput
from apache_beam.runners.sdf_utils import RestrictionTrackerView
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from pipeline.config import KafkaSourceSettings
from pipeline.io.outage import OutageClock
from pipeline.metrics import NAMESPACE
from pipeline.model import Provenance, RawRecord
from pipeline.stopping import StopFile

LOGGER = logging.getLogger("newsevents.kafka")
POSITIONS = "positions"
RECORDS = "records"
# Stop of the restriction of an unbounded partition: never reached.
UNBOUNDED_STOP = 2**63 - 1
IDLE_RESUME = Duration.of(0.5)
# How far the watermark trails the clock while a partition is caught up.
IDLE_WATERMARK_LAG = Duration.of(10)
# How often an idle partition asks the broker for its end offset (catch-up and liveness check).
END_OFFSET_CHECK_S = 5.0
COMMIT_TIMEOUT_MS = 5_000


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    """What to read of one partition: offsets [start, stop); stop None means unbounded."""

    topic: str
    partition: int
    start: int
    stop: int | None

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


def make_consumer(settings: KafkaSourceSettings) -> KafkaConsumer:
    config: dict[str, Any] = settings.kafka.config_for("consumer")
    config.setdefault("client_id", "newsevents-reader")
    config.update(group_id=settings.group_id, enable_auto_commit=False, auto_offset_reset=settings.offset_reset)
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
    from_time_ms = settings.from_time_ms
    if from_time_ms is None and settings.from_age_s is not None:
        from_time_ms = int((time.time() - settings.from_age_s) * 1000)  # at plan time: a restart re-reads it
    if from_time_ms is not None:
        found = consumer.offsets_for_times(dict.fromkeys(tps, from_time_ms))
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

# The highest offset committed per (run, group, topic, partition) in this process: a late retry
# of an older commit must never move a group backwards.
_COMMITTED: dict[tuple[str, str, str, int], int] = {}
_COMMITTED_LOCK = threading.Lock()


@dataclass
class _BundleProgress:
    """The next offset to read after what this bundle claimed (None: it claimed nothing)."""

    next_offset: int | None = None


class _PartitionReader(beam.DoFn):
    """Shared reading logic; the two subclasses differ only in boundedness and commits."""

    def __init__(self, settings: KafkaSourceSettings) -> None:
        self._settings = settings
        # (Commits happen in finalizer callbacks, outside any bundle, where Beam counters are
        # not attributed: they are logged instead.)
        self._records = Metrics.counter(NAMESPACE, "kafka_records_read")

    def setup(self) -> None:
        self._consumer: KafkaConsumer | None = None
        self._lock = threading.Lock()
        self._stop = StopFile(self._settings.stop_path)
        self._outage = OutageClock(
            self._settings.outage_limit_s, f"reading '{self._settings.topic}'", self._settings.kafka.bootstrap_servers
        )
        self._end_checked: dict[TopicPartition, float] = {}
        self._ends: dict[TopicPartition, int] = {}
        self._durable: dict[TopicPartition, int] = {}

    def teardown(self) -> None:
        if self._consumer is not None:
            self._consumer.close()

    def _client(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = make_consumer(self._settings)
        return self._consumer

    def _read(
        self,
        plan: PartitionPlan,
        tracker: RestrictionTrackerView,
        watermark: ManualWatermarkEstimator,
        progress: _BundleProgress,
    ) -> Iterator[TimestampedValue | TaggedOutput[str, Any]]:
        tp = plan.topic_partition
        restriction = tracker.current_restriction()
        bounded = restriction.stop != UNBOUNDED_STOP
        if self._stop.requested():
            yield from self._finish(tracker, restriction, restriction.start, bounded, tp)
            return
        deadline = time.monotonic() + self._settings.max_bundle_seconds
        position = restriction.start
        try:
            with self._lock:
                consumer = self._client()
                consumer.assign([tp])
                consumer.seek(tp, position)
        except KafkaError as err:
            tracker.defer_remainder(Duration.of(self._outage.failed(err)))
            return
        while time.monotonic() < deadline:
            if self._stop.requested():
                yield from self._finish(tracker, restriction, position, bounded, tp)
                return
            try:
                with self._lock:
                    batch = consumer.poll(timeout_ms=self._settings.poll_timeout_ms).get(tp, [])
                    if not batch:
                        position = consumer.position(tp, timeout_ms=self._settings.poll_timeout_ms)
                self._check_liveness(tp, batch)
            except KafkaError as err:
                yield from self._emitted_position(bounded, tp, progress)
                tracker.defer_remainder(Duration.of(self._outage.failed(err)))
                return
            self._outage.ok()
            if not batch:
                if bounded and position >= restriction.stop:
                    yield from self._finish(tracker, restriction, restriction.stop, bounded, tp)
                    return
                if self._caught_up(tp, position):
                    _advance(watermark, Timestamp.now() - IDLE_WATERMARK_LAG)
                break
            for record in batch:
                if not tracker.try_claim(record.offset):
                    yield from self._emitted_position(bounded, tp, progress)
                    return
                progress.next_offset = position = record.offset + 1
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
        yield from self._emitted_position(bounded, tp, progress)
        tracker.defer_remainder(IDLE_RESUME if progress.next_offset is None else Duration.of(0))

    def _finish(
        self,
        tracker: RestrictionTrackerView,
        restriction: OffsetRange,
        position: int,
        bounded: bool,
        tp: TopicPartition,
    ) -> Iterator[TaggedOutput[str, Any]]:
        """End the restriction at `position`: the end of a bounded range, or a requested stop
        (claiming the range's stop marks the rest as done without reading it)."""
        tracker.try_claim(restriction.stop)
        if bounded:
            yield TaggedOutput(POSITIONS, (f"{tp.topic}\x1f{tp.partition}", position))

    def _emitted_position(
        self, bounded: bool, tp: TopicPartition, progress: _BundleProgress
    ) -> Iterator[TaggedOutput[str, Any]]:
        if bounded and progress.next_offset is not None:
            yield TaggedOutput(POSITIONS, (f"{tp.topic}\x1f{tp.partition}", progress.next_offset))

    def _check_liveness(self, tp: TopicPartition, batch: list[Any]) -> None:
        """An empty poll looks the same whether the partition is idle or the broker is gone;
        asking for the end offset now and then tells them apart (it raises when unreachable)."""
        if batch:
            self._end_checked[tp] = time.monotonic()
            return
        last = self._end_checked.get(tp, 0.0)
        if time.monotonic() - last < END_OFFSET_CHECK_S:
            return
        with self._lock:
            ends = self._client().end_offsets([tp], timeout_ms=COMMIT_TIMEOUT_MS)
        self._end_checked[tp] = time.monotonic()
        self._ends[tp] = ends[tp]

    def _caught_up(self, tp: TopicPartition, position: int) -> bool:
        return tp in self._ends and position >= self._ends[tp]

    def _bundle_done(self, tp: TopicPartition, progress: _BundleProgress) -> None:
        """Bundle finalizer: this bundle's outputs are durable; commit up to what it claimed,
        and retry an earlier commit that failed."""
        if progress.next_offset is not None:
            self._durable[tp] = max(self._durable.get(tp, 0), progress.next_offset)
        if tp in self._durable and self._settings.group_id:
            self._commit(tp, self._durable[tp])

    def _commit(self, tp: TopicPartition, offset: int) -> None:
        assert self._settings.group_id is not None
        key = (self._settings.run_id, self._settings.group_id, tp.topic, tp.partition)
        with _COMMITTED_LOCK:
            if _COMMITTED.get(key, -1) >= offset:
                return
        try:
            with self._lock:
                self._client().commit({tp: OffsetAndMetadata(offset, "", -1)}, timeout_ms=COMMIT_TIMEOUT_MS)
        except KafkaError as err:
            # Not a loss: the offset stays durable here and the next bundle's finalizer retries;
            # a restart before then re-reads from the previous commit (event ids are stable).
            LOGGER.warning("commit of %s[%d]@%d failed, will retry: %s", tp.topic, tp.partition, offset, err)
            return
        LOGGER.debug("committed %s[%d]@%d", tp.topic, tp.partition, offset)
        with _COMMITTED_LOCK:
            _COMMITTED[key] = max(_COMMITTED.get(key, -1), offset)


class ReadBoundedPartitionFn(_PartitionReader):
    def process(
        self,
        plan: PartitionPlan,
        tracker: RestrictionTrackerView = _RESTRICTION,  # type: ignore[assignment]
        watermark: ManualWatermarkEstimator = _WATERMARK,  # type: ignore[assignment]
    ) -> Iterator[TimestampedValue | TaggedOutput[str, Any]]:
        yield from self._read(plan, tracker, watermark, _BundleProgress())


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
    ) -> Iterator[TimestampedValue | TaggedOutput[str, Any]]:
        progress = _BundleProgress()
        tp = plan.topic_partition
        # Registered first, in every bundle: the commit retries an earlier failed one too.
        finalizer.register(lambda: self._bundle_done(tp, progress))
        yield from self._read(plan, tracker, watermark, progress)


def _advance(watermark: ManualWatermarkEstimator, to: Timestamp) -> None:
    current = watermark.current_watermark()
    if current is None or to > current:
        watermark.set_watermark(to)


class CommitPositionsFn(beam.DoFn):
    """Bounded runs: commit each partition's reached position once every sink has finished.

    The side input (`written`) makes the runner finish all writes before this step runs.
    """

    def __init__(self, settings: KafkaSourceSettings) -> None:
        self._settings = settings
        self._committed = Metrics.counter(NAMESPACE, "kafka_partitions_committed")

    def process(self, position: tuple[str, int], written: list[object]) -> None:
        del written  # only waited for
        if not self._settings.group_id:
            return
        topic, _, partition = position[0].partition("\x1f")
        consumer = make_consumer(self._settings)
        try:
            tp = TopicPartition(topic, int(partition))
            consumer.commit({tp: OffsetAndMetadata(position[1], "", -1)}, timeout_ms=30_000)
            self._committed.inc()
        finally:
            consumer.close()


class ReadKafkaTopic(beam.PTransform[PBegin, DoOutputsTuple]):
    """Topic -> RawRecords (`records`), timestamped with the Kafka record time, and, in bounded
    runs, the positions reached per partition (`positions`), for CommitPositions."""

    def __init__(self, settings: KafkaSourceSettings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, pbegin: PBegin) -> DoOutputsTuple:
        reader = ReadBoundedPartitionFn if self.settings.bounded else ReadUnboundedPartitionFn
        return (
            pbegin
            | "Impulse" >> beam.Impulse()
            | "PlanPartitions" >> beam.ParDo(PlanPartitionsFn(self.settings))
            # Spread partitions over workers before the long-running reads start.
            | "SpreadPartitions" >> beam.Reshuffle()
            | "ReadPartitions" >> beam.ParDo(reader(self.settings)).with_outputs(POSITIONS, main=RECORDS)
        )


class CommitPositions(beam.PTransform[PCollection[tuple[str, int]], PCollection[None]]):
    """Bounded runs: the furthest position per partition, committed after every write."""

    def __init__(self, settings: KafkaSourceSettings, written: PCollection) -> None:
        super().__init__()
        self._settings = settings
        self._written = written

    def expand(self, positions: PCollection) -> PCollection:
        return (
            positions
            | "Furthest" >> beam.CombinePerKey(max)
            | "Commit" >> beam.ParDo(CommitPositionsFn(self._settings), beam.pvalue.AsList(self._written))
        )
