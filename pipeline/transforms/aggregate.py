"""AggregateEvents: event records -> windowed counts (aggregate.avsc), keyed by window, type
and country. The counting itself is pure (pipeline/aggregates.py); this module only windows.

In streaming, the counts are made from the events *topic*, read from `allowed_lateness_s`
(plus a window) before the run starts (ReadEventsForAggregates): the running counts are runner
state, which a local runner keeps only in memory, so after a crash or a restart they are built
again from events that are durable, and the upserts that follow carry the whole count. An event
delivered twice counts once (tallies hold event ids). In bounded runs the counts come straight
from the encoded events of the run.

Both modes key every count by its event-time window (`window_of` on the event's resolved
time), its type and its country, and combine with the same `TallyFn`; only the windowing
strategy differs:
- streaming: Beam fixed windows on event time, early firings every `early_firing_s` (a running
  count) and a late firing for each later event, accumulating, so each record replaces the
  previous one of its key. Windows stay open for `allowed_lateness_s` after their end, since
  news reports events after the fact; state is dropped after that, so memory stays bounded.
- bounded: one firing at the end of input, so every key gets exactly one, final, count. No
  watermark is involved: on a runner that advances watermarks while it reads (Prism), old
  archives stamped with their read time would otherwise count as late and be dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PBegin, PCollection
from apache_beam.transforms import trigger, userstate, window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.utils.timestamp import Duration, Timestamp
from apache_beam.utils.windowed_value import PaneInfo, PaneInfoTiming

from pipeline.aggregates import CountedEvent, GroupKey, Tally, aggregate_record, counted_event, supersedes
from pipeline.config import AggregateSettings, KafkaSinkSettings, KafkaSourceSettings
from pipeline.errors import FatalRunError
from pipeline.io.avro_codec import AvroCodec
from pipeline.io.avro_files import window_of
from pipeline.io.kafka_source import RECORDS, ReadKafkaTopic
from pipeline.io.registry import WriterSchemas, schema_id_of
from pipeline.metrics import (
    AGGREGATE_EVENTS_TOO_LATE,
    AGGREGATE_INPUTS_UNREADABLE,
    AGGREGATES_EMITTED,
    AGGREGATES_SUPERSEDED,
    NAMESPACE,
)
from pipeline.model import EncodedRecord, RawRecord
from pipeline.schemas import load_schema
from pipeline.transforms.common import now_ms

LOGGER = logging.getLogger("newsevents.aggregates")
# (window start ms, window end ms, event type, country): plain values, so that the key's
# encoding is deterministic on every runner (a GroupByKey groups by the encoded key).
WindowKey = tuple[int, int, str, str | None]

_TIMING = {
    PaneInfoTiming.EARLY: "EARLY",
    PaneInfoTiming.ON_TIME: "ON_TIME",
    PaneInfoTiming.LATE: "LATE",
}


class KeyByWindowFn(beam.DoFn):
    """Counted events, keyed by (window start, window end, type and country) and stamped with
    their event time. In streaming, an event older than the allowed lateness is left out of the
    counts, and counted as such. Its age is taken against the later of its record's time and
    the clock, which bounds the watermark from above (the reader's watermark is the newest
    record time, or the clock when it is caught up)."""

    def __init__(self, settings: AggregateSettings, streaming: bool) -> None:
        self._window_s = settings.window_seconds
        self._lateness_ms = settings.allowed_lateness_s * 1000 if streaming else None
        self._too_late = Metrics.counter(NAMESPACE, AGGREGATE_EVENTS_TOO_LATE)
        self._unreadable = Metrics.counter(NAMESPACE, AGGREGATE_INPUTS_UNREADABLE)

    def process(
        self,
        record: dict[str, Any],
        timestamp: Timestamp = beam.DoFn.TimestampParam,  # type: ignore[assignment]
    ) -> Iterator[window.TimestampedValue]:
        try:
            event = counted_event(record)
        except (KeyError, TypeError, ValueError, OverflowError) as err:  # not an event record of ours
            LOGGER.warning("an event record could not be counted: %s: %s", type(err).__name__, err)
            self._unreadable.inc()
            return
        if event is None:
            return
        reference_ms = max(timestamp.micros // 1000, now_ms())
        if self._lateness_ms is not None and event.time_ms < reference_ms - self._lateness_ms:
            self._too_late.inc()
            return
        start_s, end_s = window_of(event.time_ms / 1000, self._window_s)
        key: WindowKey = (start_s * 1000, end_s * 1000, event.key.event_type, event.key.country)
        yield window.TimestampedValue((key, event), event.time_ms / 1000)


class TallyFn(beam.CombineFn):
    """Counts of one key and window; the accumulator is a mergeable `Tally`."""

    def create_accumulator(self) -> Tally:
        return Tally()

    def add_input(self, tally: Tally, event: CountedEvent) -> Tally:
        return tally.add(event)

    def merge_accumulators(self, tallies: Iterable[Tally]) -> Tally:
        merged = Tally()
        for tally in tallies:
            merged.merge(tally)
        return merged

    def extract_output(self, tally: Tally) -> Tally:
        return tally


class ToAggregateRecordFn(beam.DoFn):
    """A firing's tally -> an encoded aggregate record, keyed for upserts, stamped with its
    window's start (so that files of aggregates are named by the windows they hold)."""

    def __init__(self, confluent_schema_id: int | None, streaming: bool) -> None:
        self._schema_id = confluent_schema_id
        self._streaming = streaming
        self._emitted = Metrics.counter(NAMESPACE, AGGREGATES_EMITTED)

    def setup(self) -> None:
        self._codec = AvroCodec("aggregate", self._schema_id)

    def process(
        self,
        element: tuple[WindowKey, Tally],
        pane: PaneInfo = beam.DoFn.PaneInfoParam,  # type: ignore[assignment]
    ) -> Iterator[window.TimestampedValue]:
        (start_ms, end_ms, event_type, country), tally = element
        key = GroupKey(event_type, country)
        if self._streaming:
            timing, index, final = _TIMING.get(pane.timing, "UNKNOWN"), pane.index, pane.is_last
        else:
            timing, index, final = "ON_TIME", 0, True
        record = aggregate_record(
            key, tally, start_ms, end_ms, timing=timing, pane_index=index, final=final, emitted_at_ms=now_ms()
        )
        self._emitted.inc()
        encoded = EncodedRecord(record["key"].encode(), self._codec.encode(record), record)
        yield window.TimestampedValue(encoded, start_ms / 1000)


_NEWEST_PANE = userstate.ReadModifyWriteStateSpec("newest_pane", VarIntCoder())
_EXPIRY = userstate.TimerSpec("expiry", TimeDomain.WATERMARK)
_NEWEST_PANE_PARAM = beam.DoFn.StateParam(_NEWEST_PANE)
_EXPIRY_PARAM = beam.DoFn.TimerParam(_EXPIRY)


class NewestFiringOnlyFn(beam.DoFn):
    """Per upsert key, lets a firing through only when it is newer than every one let through
    before, so that the sinks see each key's counts in order.

    A compacted topic keeps a key's last record, and a table consumer keeps the last one it
    read. Firings of one key can reach the sink out of order: the runner may run two bundles of
    the firing stage at once, and both share one producer. A stale count written last would
    stand until the window fired again, which may be never. This step is stateful, so the
    runner hands it one key at a time, and the sink fused after it confirms a bundle's writes
    before the bundle ends. Its state, one pane index per key, is dropped once the window can
    fire no more (`expiry_s` after the window's end)."""

    def __init__(self, expiry_s: int) -> None:
        self._expiry_ms = expiry_s * 1000
        self._superseded = Metrics.counter(NAMESPACE, AGGREGATES_SUPERSEDED)

    def process(
        self,
        element: tuple[str, EncodedRecord],
        newest: userstate.ReadModifyWriteRuntimeState = _NEWEST_PANE_PARAM,  # type: ignore[assignment]
        expiry: userstate.RuntimeTimer = _EXPIRY_PARAM,  # type: ignore[assignment]
    ) -> Iterator[EncodedRecord]:
        _, encoded = element
        pane = int(encoded.record["pane_index"])
        if not supersedes(newest.read(), pane):
            self._superseded.inc()
            return
        newest.write(pane)
        expiry.set(Timestamp(micros=(int(encoded.record["window_end"]) + self._expiry_ms) * 1000))
        yield encoded

    @userstate.on_timer(_EXPIRY)
    def expire(
        self,
        newest: userstate.ReadModifyWriteRuntimeState = _NEWEST_PANE_PARAM,  # type: ignore[assignment]
    ) -> None:
        newest.clear()


class DecodeEventRecordsFn(beam.DoFn):
    """Records of the events topic -> event records. A value that is not an event record of
    ours (another writer's) is left out and counted: it is not an input of this pipeline."""

    def __init__(self, registry: WriterSchemas | None) -> None:
        self._registry = registry
        self._unreadable = Metrics.counter(NAMESPACE, AGGREGATE_INPUTS_UNREADABLE)

    def setup(self) -> None:
        self._plain = AvroCodec("event")
        self._framed = AvroCodec("event", confluent_schema_id=0)
        self._schema = load_schema("event")

    def process(self, raw: RawRecord) -> Iterator[dict[str, Any]]:
        try:
            yield self._decode(raw.payload)
        except FatalRunError:
            raise  # the registry is down: fail the bundle, it is read again
        except Exception as err:  # noqa: BLE001 - any undecodable value is left out, counted
            LOGGER.warning(
                "a record of the events topic at %s is not an event record: %s", raw.provenance.describe(), err
            )
            self._unreadable.inc()

    def _decode(self, payload: bytes) -> dict[str, Any]:
        if schema_id_of(payload) is None:
            return self._plain.decode(payload)
        if self._registry is not None:
            record: dict[str, Any] = self._registry.decode(payload, self._schema)
            return record
        return self._framed.decode(payload)


class ReadEventsForAggregates(beam.PTransform[PBegin, PCollection[dict[str, Any]]]):
    """Streaming: the events topic from the aggregates' horizon on, as event records."""

    def __init__(self, source: KafkaSourceSettings, registry: WriterSchemas | None) -> None:
        super().__init__()
        self._source = source
        self._registry = registry

    def expand(self, pbegin: PBegin) -> PCollection:
        read = pbegin | "ReadEventsTopic" >> ReadKafkaTopic(self._source)
        return read[RECORDS] | "DecodeEventRecords" >> beam.ParDo(DecodeEventRecordsFn(self._registry))


def events_source(
    articles: KafkaSourceSettings, events: KafkaSinkSettings, settings: AggregateSettings
) -> KafkaSourceSettings:
    """The events topic, group-less, from one window more than the allowed lateness before the
    time the run plans its partitions (events older than that could not be counted anyway)."""
    return articles.model_copy(
        update={
            "kafka": events.kafka,
            "topic": events.topic,
            "group_id": None,
            "from_time_ms": None,
            "to_time_ms": None,
            "from_age_s": float(settings.allowed_lateness_s + settings.window_seconds),
        }
    )


class AggregateEvents(beam.PTransform[PCollection[dict[str, Any]], PCollection[EncodedRecord]]):
    """Event records -> encoded aggregate records (see the module docstring)."""

    def __init__(self, settings: AggregateSettings, *, streaming: bool, confluent_schema_id: int | None) -> None:
        super().__init__()
        self._settings = settings
        self._streaming = streaming
        self._schema_id = confluent_schema_id

    def expand(self, events: PCollection) -> PCollection:
        keyed = events | "KeyByWindow" >> beam.ParDo(KeyByWindowFn(self._settings, self._streaming))
        if self._streaming:
            keyed = keyed | "EventTimeWindows" >> beam.WindowInto(**self._windowing())
        records = (
            keyed
            | "Count" >> beam.CombinePerKey(TallyFn())
            | "ToRecords" >> beam.ParDo(ToAggregateRecordFn(self._schema_id, self._streaming))
        )
        if self._streaming:
            # The sinks report per bundle in the global window, as they do for events.
            records = (
                records
                | "ToSinks" >> beam.WindowInto(window.GlobalWindows())
                | "ByUpsertKey" >> beam.Map(lambda encoded: (encoded.record["key"], encoded))
                | "NewestFiringOnly" >> beam.ParDo(NewestFiringOnlyFn(self._beam_lateness_s()))
            )
        return records

    def _beam_lateness_s(self) -> int:
        # Beam's own limit is one window beyond ours, so that an event KeyByWindowFn let
        # through is not dropped because the watermark ran a little ahead of its reference.
        return self._settings.allowed_lateness_s + self._settings.window_seconds

    def _windowing(self) -> dict[str, Any]:
        settings = self._settings
        return {
            "windowfn": window.FixedWindows(settings.window_seconds),
            "trigger": trigger.AfterWatermark(
                early=trigger.AfterProcessingTime(settings.early_firing_s),
                late=trigger.AfterCount(1),
            ),
            "accumulation_mode": trigger.AccumulationMode.ACCUMULATING,
            "allowed_lateness": Duration(seconds=self._beam_lateness_s()),
        }
