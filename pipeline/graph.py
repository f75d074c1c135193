r"""The pipeline graph. It reads like the diagram in the README:

    ReadArticles -> DecodeArticles -> ExtractEvents -> EncodeEvents -> [LinkStories] -> WriteEvents
         |               |                |               |          (bounded)  \-> WriteStories
         |               |                |               |    \   (bounded)
         |               |                |               |     +-> AggregateEvents -> WriteAggregates
         |               |                |               |    /   (streaming)
         |               |                |               |  ReadEventsForAggregates <- events topic
         |               |                |               |  ReadEventsForStories -> LinkStoriesStreaming
         |               |                |               |      (streaming, --stories-topic) -> WriteStories
         +---------------+----------------+---------------+--> WriteDeadLetters (one per step)
    bounded Kafka runs: CommitPositions, after every write

In streaming every step from ReadArticles to the writers is fused into one stage, and the
reader commits a bundle's offsets once the runner has finalized it, after every write of the
bundle is durable. Bounded runs spread articles over workers, so they commit at the end.
EncodeEvents gives each event its mention group within the article (stories/grouping.py).
LinkStories (bounded, on by default in backfills) links mention groups across articles into
stories, per story family, and sets story_id on the events (transforms/stories.py).
AggregateEvents (optional) counts events per event-time window, type and country: in bounded
runs the run's own events, in streaming the events topic read back, so that counts lost with a
runner's in-memory state are rebuilt from durable events (see transforms/aggregate.py).
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import PCollection

from pipeline.config import DEFAULT_OUTAGE_LIMIT_S, ArchiveSourceSettings, KafkaSourceSettings, RunConfig
from pipeline.errors import UserError
from pipeline.io.archives import ReadArchives
from pipeline.io.kafka_source import POSITIONS, RECORDS, CommitPositions, ReadKafkaTopic
from pipeline.io.registry import WriterSchemas
from pipeline.transforms.aggregate import AggregateEvents, ReadEventsForAggregates, events_source
from pipeline.transforms.common import DEAD_LETTERS, MAIN
from pipeline.transforms.decode import DecodeArticles
from pipeline.transforms.encode import EncodeEvents
from pipeline.transforms.extract import ExtractEvents
from pipeline.transforms.stories import LinkStories, LinkStoriesStreaming, stories_events_source
from pipeline.transforms.write import WriteAggregates, WriteDeadLetters, WriteEvents, WriteStories


def build(pipeline: beam.Pipeline, config: RunConfig) -> None:
    """Add the whole newsevents graph for `config` to `pipeline`."""
    records, read_failures, positions = _read(pipeline, config)
    extraction = config.extraction
    registry = None
    if extraction.schema_registry_url:
        outage_limit = config.source.outage_limit_s if isinstance(config.source, KafkaSourceSettings) else None
        registry = WriterSchemas(extraction.schema_registry_url, outage_limit or DEFAULT_OUTAGE_LIMIT_S)
    decoded = records | "DecodeArticles" >> DecodeArticles(extraction.input_format, extraction.max_body_chars, registry)
    articles = decoded[MAIN]
    if config.bounded:
        # One archive or partition is one bundle: spread its articles over the workers. (Not in
        # streaming: the writers must stay in the reading stage, see the module docstring.)
        articles = articles | "SpreadArticles" >> beam.Reshuffle()
    extracted = articles | "ExtractEvents" >> ExtractEvents(
        extraction.model, extraction.batch_size, extraction.nlp_processes
    )
    events_topic = config.events_topic
    encoded = extracted[MAIN] | "EncodeEvents" >> EncodeEvents(
        events_topic.confluent_schema_id if events_topic else None,
        events_topic.max_record_bytes if events_topic else None,
    )
    events = encoded[MAIN]
    written: list[PCollection] = []
    if config.bounded and config.stories:
        stories_topic = config.stories_topic
        events, stories = events | "LinkStories" >> LinkStories(
            events_topic.confluent_schema_id if events_topic else None,
            stories_topic.confluent_schema_id if stories_topic else None,
        )
        written += stories | "WriteStories" >> WriteStories(
            stories_topic, config.output_dir, config.file_window_seconds
        )
    written += events | "WriteEvents" >> WriteEvents(events_topic, config.output_dir, config.file_window_seconds)
    if not config.bounded and config.stories_topic is not None:
        written += _stories_in_streaming(pipeline, config, registry)
    if config.aggregates is not None:
        topic = config.aggregates_topic
        aggregates = _events_to_count(pipeline, config, encoded[MAIN], registry) | "AggregateEvents" >> AggregateEvents(
            config.aggregates,
            streaming=not config.bounded,
            confluent_schema_id=topic.confluent_schema_id if topic else None,
        )
        written += aggregates | "WriteAggregates" >> WriteAggregates(
            topic, config.output_dir if config.bounded else None, config.file_window_seconds
        )
    failures = {
        "Read": read_failures,
        "Decode": decoded[DEAD_LETTERS],
        "Extract": extracted[DEAD_LETTERS],
        "Encode": encoded[DEAD_LETTERS],
    }
    for step, letters in failures.items():
        if letters is not None:
            written += letters | f"WriteDeadLetters{step}" >> WriteDeadLetters(
                config.dead_letter_topic,
                config.output_dir,
                config.file_window_seconds,
                config.dead_letter_payload_bytes,
            )
    if positions is not None and config.bounded:
        done = written | "AllWritten" >> beam.Flatten()
        assert not isinstance(config.source, ArchiveSourceSettings)
        positions | "CommitPositions" >> CommitPositions(config.source, done)


def _events_to_count(
    pipeline: beam.Pipeline, config: RunConfig, encoded: PCollection, registry: WriterSchemas | None
) -> PCollection:
    """Bounded: the run's own events. Streaming: the events topic, so that counts are rebuilt
    from durable events after a restart (transforms/aggregate.py)."""
    if config.bounded:
        return encoded | "EventRecords" >> beam.Map(lambda record: record.record)
    if not isinstance(config.source, KafkaSourceSettings) or config.events_topic is None or config.aggregates is None:
        raise UserError("aggregates in streaming are counted from the events topic: give one (--output-topic)")
    source = events_source(config.source, config.events_topic, config.aggregates)
    return pipeline | "ReadEventsForAggregates" >> ReadEventsForAggregates(source, registry)


def _stories_in_streaming(pipeline: beam.Pipeline, config: RunConfig, registry: WriterSchemas | None) -> list:
    """Stories from the events topic read back, as aggregates are: the open stories are runner
    state, rebuilt from durable events after a restart (transforms/stories.py)."""
    if not isinstance(config.source, KafkaSourceSettings) or config.events_topic is None:
        raise UserError("stories in streaming are made from the events topic: give one (--output-topic)")
    topic = config.stories_topic
    assert topic is not None
    source = stories_events_source(config.source, config.events_topic)
    records = pipeline | "ReadEventsForStories" >> ReadEventsForAggregates(source, registry)
    stories = records | "LinkStoriesStreaming" >> LinkStoriesStreaming(topic.confluent_schema_id)
    return list(stories | "WriteStreamingStories" >> WriteStories(topic, None, config.file_window_seconds))


def _read(pipeline: beam.Pipeline, config: RunConfig) -> tuple[PCollection, PCollection | None, PCollection | None]:
    """Raw records, the read step's dead letters (archives) and the positions reached (Kafka)."""
    if isinstance(config.source, ArchiveSourceSettings):
        archives = pipeline | "ReadArticles" >> ReadArchives(config.source.pattern, config.source.stop_path)
        return archives[MAIN], archives[DEAD_LETTERS], None
    kafka = pipeline | "ReadArticles" >> ReadKafkaTopic(config.source)
    return kafka[RECORDS], None, kafka[POSITIONS]
