"""AggregateEvents: event records -> windowed counts (aggregate.avsc), keyed by window, type
and country. The counting itself is pure (pipeline/aggregates.py); this module only windows.

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

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms import trigger, window
from apache_beam.utils.timestamp import Duration, Timestamp
from apache_beam.utils.windowed_value import PaneInfo, PaneInfoTiming

from pipeline.aggregates import CountedEvent, GroupKey, Tally, aggregate_key, aggregate_record, counted_event
from pipeline.config import AggregateSettings
from pipeline.io.avro_codec import AvroCodec
from pipeline.io.avro_files import window_of
from pipeline.metrics import AGGREGATE_EVENTS_TOO_LATE, AGGREGATES_EMITTED, NAMESPACE
from pipeline.model import EncodedRecord
from pipeline.transforms.common import now_ms

WindowKey = tuple[int, int, GroupKey]

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

    def process(
        self,
        record: EncodedRecord,
        timestamp: Timestamp = beam.DoFn.TimestampParam,  # type: ignore[assignment]
    ) -> Iterator[window.TimestampedValue]:
        event = counted_event(record.record)
        if event is None:
            return
        reference_ms = max(timestamp.micros // 1000, now_ms())
        if self._lateness_ms is not None and event.time_ms < reference_ms - self._lateness_ms:
            self._too_late.inc()
            return
        start_s, end_s = window_of(event.time_ms / 1000, self._window_s)
        key: WindowKey = (start_s * 1000, end_s * 1000, event.key)
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
        (start_ms, end_ms, key), tally = element
        if self._streaming:
            timing, index, final = _TIMING.get(pane.timing, "UNKNOWN"), pane.index, pane.is_last
        else:
            timing, index, final = "ON_TIME", 0, True
        record = aggregate_record(
            key, tally, start_ms, end_ms, timing=timing, pane_index=index, final=final, emitted_at_ms=now_ms()
        )
        self._emitted.inc()
        encoded = EncodedRecord(aggregate_key(start_ms, end_ms, key).encode(), self._codec.encode(record), record)
        yield window.TimestampedValue(encoded, start_ms / 1000)


class AggregateEvents(beam.PTransform[PCollection[EncodedRecord], PCollection[EncodedRecord]]):
    """Encoded event records -> encoded aggregate records (see the module docstring)."""

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
            records = records | "ToSinks" >> beam.WindowInto(window.GlobalWindows())
        return records

    def _windowing(self) -> dict[str, Any]:
        settings = self._settings
        return {
            "windowfn": window.FixedWindows(settings.window_seconds),
            "trigger": trigger.AfterWatermark(
                early=trigger.AfterProcessingTime(settings.early_firing_s),
                late=trigger.AfterCount(1),
            ),
            "accumulation_mode": trigger.AccumulationMode.ACCUMULATING,
            # Beam's own limit is one window beyond ours, so that an event KeyByWindowFn let
            # through is not dropped because the watermark ran a little ahead of its reference.
            "allowed_lateness": Duration(seconds=settings.allowed_lateness_s + settings.window_seconds),
        }
