"""LinkStories (bounded runs): encoded events -> the same events with their `story_id`, and the
stories they make (story.avsc). LinkStoriesStreaming: the events topic, read back -> story
upserts, each time a story changes. The linking itself is pure (pipeline/stories/); this module
groups the events of each story family on one worker and re-encodes what it changed.

Events of types without a story family pass through untouched. A family's events are decided
in `MentionFacts.order` (publication time, article, position), the order a stream sees them
in, so a backfill makes the stories a stream would make from the same articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.coders import BooleanCoder, PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.transforms import userstate
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

from pipeline.config import KafkaSinkSettings, KafkaSourceSettings
from pipeline.io.avro_codec import AvroCodec
from pipeline.metrics import EVENTS_IN_STORIES, NAMESPACE, STORIES_MADE
from pipeline.model import EncodedRecord
from pipeline.nlp.ontology import load_ontology
from pipeline.stories.facts import MentionFacts, mention_facts
from pipeline.stories.linking import DEFAULT_IDLE_DAYS, StoryBook, link_records
from pipeline.stories.records import story_record

STORIES = "stories"


def casualty_type() -> str:
    """The type of casualty reports, which name a story only when nothing else does."""
    return load_ontology().roles.casualty_report


class KeyByFamilyFn(beam.DoFn):
    """(family, event) for events that can join a story; the rest go straight to the sinks."""

    def setup(self) -> None:
        self._families = load_ontology().story_families

    def process(
        self,
        encoded: EncodedRecord,
        timestamp: Timestamp = beam.DoFn.TimestampParam,  # type: ignore[assignment]
    ) -> Iterator[tuple[str, tuple[Timestamp, EncodedRecord]] | TaggedOutput[str, EncodedRecord]]:
        family = self._families.get(str(encoded.record["event_type"]))
        if family is None:
            yield TaggedOutput("alone", encoded)
        else:
            # The record time travels with the event: the files are named by it (avro_files.py).
            yield family, (timestamp, encoded)


class LinkFamilyFn(beam.DoFn):
    """All events of one story family -> the events with story ids, and the family's stories."""

    def __init__(self, events_schema_id: int | None, stories_schema_id: int | None) -> None:
        self._events_schema_id = events_schema_id
        self._stories_schema_id = stories_schema_id
        self._stories = Metrics.counter(NAMESPACE, STORIES_MADE)
        self._linked = Metrics.counter(NAMESPACE, EVENTS_IN_STORIES)

    def setup(self) -> None:
        self._families = load_ontology().story_families
        self._casualty_type = casualty_type()
        self._event_codec = AvroCodec("event", self._events_schema_id)
        self._story_codec = AvroCodec("story", self._stories_schema_id)

    def process(
        self, element: tuple[str, Iterable[tuple[Timestamp, EncodedRecord]]]
    ) -> Iterator[TimestampedValue | TaggedOutput[str, TimestampedValue]]:
        _, events = element
        timed = list(events)
        assigned, stories = link_records([e.record for _, e in timed], self._families)
        times: dict[str, Timestamp] = {}
        for timestamp, event in timed:
            linked_to = assigned.get(event.record["event_id"])
            if linked_to is not None:
                times[linked_to] = max(times.get(linked_to, timestamp), timestamp)
            yield TimestampedValue(self._with_story(event, linked_to) if linked_to else event, timestamp)
        self._linked.inc(len(assigned))
        for story in sorted(stories, key=lambda s: s.story_id):
            record = story_record(story, self._casualty_type)
            self._stories.inc()
            encoded = EncodedRecord(story.story_id.encode(), self._story_codec.encode(record), record)
            yield TaggedOutput(STORIES, TimestampedValue(encoded, times[story.story_id]))

    def _with_story(self, event: EncodedRecord, story_id: str) -> EncodedRecord:
        record: dict[str, Any] = {**event.record, "story_id": story_id}
        # A record that encoded once encodes again with one more short string.
        return EncodedRecord(event.key, self._event_codec.encode(record), record)


class LinkStories(
    beam.PTransform[PCollection[EncodedRecord], tuple[PCollection[EncodedRecord], PCollection[EncodedRecord]]]
):
    """Encoded events -> (every event, with story ids where linked; the stories)."""

    def __init__(self, events_schema_id: int | None, stories_schema_id: int | None) -> None:
        super().__init__()
        self._events_schema_id = events_schema_id
        self._stories_schema_id = stories_schema_id

    def expand(self, events: PCollection) -> tuple[PCollection, PCollection]:
        keyed = events | "KeyByFamily" >> beam.ParDo(KeyByFamilyFn()).with_outputs("alone", main="linkable")
        linked = (
            keyed["linkable"]
            | "ByFamily" >> beam.GroupByKey()
            | "Link"
            >> beam.ParDo(LinkFamilyFn(self._events_schema_id, self._stories_schema_id)).with_outputs(
                STORIES, main="events"
            )
        )
        merged = (linked["events"], keyed["alone"]) | "AllEvents" >> beam.Flatten()
        return merged, linked[STORIES]


# Streaming ----------------------------------------------------------------------------------
# How long a family's new events wait before they are linked: long enough for the rest of
# their article (its events are written together), so that a mention group is judged whole,
# as in a backfill.
SETTLE_SECONDS = 1.0
# How far back the events topic is read when a streaming run starts: the book of open stories
# lives in runner state, which a local runner keeps only in memory, so it is rebuilt from the
# durable events (upserts of unchanged stories are idempotent).
DEFAULT_STORIES_LOOKBACK_S = 3 * 86_400

_BOOK = userstate.ReadModifyWriteStateSpec("book", PickleCoder())
_PENDING = userstate.BagStateSpec("pending", PickleCoder())
_SETTLE = userstate.TimerSpec("settle", TimeDomain.REAL_TIME)
_SETTLING = userstate.ReadModifyWriteStateSpec("settling", BooleanCoder())
_BOOK_PARAM = beam.DoFn.StateParam(_BOOK)
_PENDING_PARAM = beam.DoFn.StateParam(_PENDING)
_SETTLING_PARAM = beam.DoFn.StateParam(_SETTLING)
_SETTLE_PARAM = beam.DoFn.TimerParam(_SETTLE)


def stories_events_source(
    articles: KafkaSourceSettings, events: KafkaSinkSettings, lookback_s: float = DEFAULT_STORIES_LOOKBACK_S
) -> KafkaSourceSettings:
    """The events topic, group-less, from `lookback_s` before the run starts."""
    return articles.model_copy(
        update={
            "kafka": events.kafka,
            "topic": events.topic,
            "group_id": None,
            "from_time_ms": None,
            "to_time_ms": None,
            "from_age_s": float(lookback_s),
        }
    )


class KeyRecordsByFamilyFn(beam.DoFn):
    """Event records read back -> (family, facts) for those that can join a story."""

    def setup(self) -> None:
        self._families = load_ontology().story_families

    def process(self, record: dict[str, Any]) -> Iterator[tuple[str, MentionFacts]]:
        facts = mention_facts(record, self._families)
        if facts is not None:
            yield facts.family, facts


class LinkStreamingFn(beam.DoFn):
    """A StoryBook per story family in keyed state: new mentions settle for a moment, then are
    linked as a batch; every story they changed is published whole (an upsert)."""

    def __init__(self, stories_schema_id: int | None, idle_days: int = DEFAULT_IDLE_DAYS) -> None:
        self._schema_id = stories_schema_id
        self._idle_days = idle_days
        self._stories = Metrics.counter(NAMESPACE, STORIES_MADE)
        self._linked = Metrics.counter(NAMESPACE, EVENTS_IN_STORIES)

    def setup(self) -> None:
        self._casualty_type = casualty_type()
        self._codec = AvroCodec("story", self._schema_id)

    def process(
        self,
        element: tuple[str, MentionFacts],
        pending: userstate.AccumulatingRuntimeState = _PENDING_PARAM,  # type: ignore[assignment]
        settling: userstate.ReadModifyWriteRuntimeState = _SETTLING_PARAM,  # type: ignore[assignment]
        settle: userstate.RuntimeTimer = _SETTLE_PARAM,  # type: ignore[assignment]
    ) -> None:
        pending.add(element[1])
        if not settling.read():
            settle.set(Timestamp.now() + Duration(seconds=SETTLE_SECONDS))
            settling.write(True)

    @userstate.on_timer(_SETTLE)
    def link(
        self,
        key: str = beam.DoFn.KeyParam,  # type: ignore[assignment]
        book_state: userstate.ReadModifyWriteRuntimeState = _BOOK_PARAM,  # type: ignore[assignment]
        pending: userstate.AccumulatingRuntimeState = _PENDING_PARAM,  # type: ignore[assignment]
        settling: userstate.ReadModifyWriteRuntimeState = _SETTLING_PARAM,  # type: ignore[assignment]
    ) -> Iterator[EncodedRecord]:
        book: StoryBook = book_state.read() or StoryBook(key, self._idle_days)
        mentions = list(pending.read())
        pending.clear()
        settling.clear()
        known = set(book.stories)
        assigned = book.link(mentions)
        self._linked.inc(len(assigned))
        self._stories.inc(len(book.changed - known))
        changed = [book.stories[story_id] for story_id in sorted(book.changed)]
        book.expire()
        book_state.write(book)
        for story in changed:
            record = story_record(story, self._casualty_type)
            yield EncodedRecord(story.story_id.encode(), self._codec.encode(record), record)


class LinkStoriesStreaming(beam.PTransform[PCollection[dict[str, Any]], PCollection[EncodedRecord]]):
    """Streaming: event records of the events topic -> story upserts."""

    def __init__(self, stories_schema_id: int | None) -> None:
        super().__init__()
        self._schema_id = stories_schema_id

    def expand(self, records: PCollection) -> PCollection:
        return (
            records
            | "KeyByFamily" >> beam.ParDo(KeyRecordsByFamilyFn())
            | "Link" >> beam.ParDo(LinkStreamingFn(self._schema_id))
        )
