"""Run configuration: parsed once at the edge (the CLI) into frozen, validated objects."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.articles import DEFAULT_MAX_BODY_CHARS, InputFormat
from pipeline.kafka_settings import KafkaSettings
from pipeline.nlp.models import DEFAULT_MODEL

_FROZEN = ConfigDict(frozen=True, extra="forbid")

# How long a broker may be unreachable before the run gives up (poll, produce, flush, commit).
DEFAULT_OUTAGE_LIMIT_S = 300.0
# Kafka's default limits are about 1 MB per record (producer max.request.size, broker
# message.max.bytes); the CLI reads the real ones from the cluster at start.
DEFAULT_MAX_RECORD_BYTES = 1_000_000
DEFAULT_DEAD_LETTER_PAYLOAD_BYTES = 262_144
# News reports events after the fact, often days after: windows of counts stay open a week.
DEFAULT_AGGREGATE_WINDOW_S = 3600
DEFAULT_ALLOWED_LATENESS_S = 7 * 24 * 3600
DEFAULT_EARLY_FIRING_S = 10

__all__ = [
    "AggregateSettings",
    "ArchiveSourceSettings",
    "ExtractionSettings",
    "KafkaSettings",
    "KafkaSinkSettings",
    "KafkaSourceSettings",
    "RunConfig",
]


class KafkaSourceSettings(BaseModel):
    model_config = _FROZEN

    kafka: KafkaSettings
    topic: str = Field(min_length=1)
    group_id: str | None = "newsevents"
    bounded: bool = False
    offset_reset: Literal["earliest", "latest"] = "earliest"
    from_time_ms: int | None = None
    # Start this many seconds before the time the run plans its partitions (instead of a group's
    # offsets): a reader that rebuilds state re-reads the same span after every restart.
    from_age_s: float | None = Field(default=None, gt=0)
    to_time_ms: int | None = None
    poll_timeout_ms: int = Field(default=500, gt=0)
    # Work per SDF call before it checkpoints: a bundle ends, its files are closed and its
    # offsets are committed at most this often (the checkpoint interval).
    max_bundle_seconds: float = Field(default=5.0, gt=0)
    outage_limit_s: float = Field(default=DEFAULT_OUTAGE_LIMIT_S, gt=0)
    # A file whose appearance asks the readers to stop claiming records (a clean stop).
    stop_path: str | None = None
    # Set per run by runner.run: scopes the readers' memory of what they committed.
    run_id: str = ""


class ArchiveSourceSettings(BaseModel):
    model_config = _FROZEN

    pattern: str = Field(min_length=1)
    stop_path: str | None = None


class KafkaSinkSettings(BaseModel):
    model_config = _FROZEN

    kafka: KafkaSettings
    topic: str = Field(min_length=1)
    confluent_schema_id: int | None = Field(default=None, ge=0)
    # The largest record the producer and the topic accept; larger event records become
    # dead letters, and dead letters are cut to fit.
    max_record_bytes: int = Field(default=DEFAULT_MAX_RECORD_BYTES, gt=0)
    outage_limit_s: float = Field(default=DEFAULT_OUTAGE_LIMIT_S, gt=0)
    # How long one send may wait for topic metadata before it counts as a stall.
    max_block_ms: int = Field(default=10_000, gt=0)


class ExtractionSettings(BaseModel):
    model_config = _FROZEN

    model: str = DEFAULT_MODEL
    input_format: InputFormat = "json"
    max_body_chars: int = Field(default=DEFAULT_MAX_BODY_CHARS, gt=0)
    batch_size: int = Field(default=16, gt=0)
    # NLP processes per worker (nlp/workers.py); 1 extracts in the worker's own process.
    nlp_processes: int = Field(default=1, gt=0)
    # The schema registry: writers' schemas of registry-framed inputs (avro-confluent) and of the
    # events topic, which streaming aggregates read back.
    schema_registry_url: str | None = None


class AggregateSettings(BaseModel):
    """Windowed counts of events (aggregate.avsc), by event-time window, type and country."""

    model_config = _FROZEN

    window_seconds: int = Field(default=DEFAULT_AGGREGATE_WINDOW_S, gt=0)
    # Streaming: how long after a window's end later events still update it.
    allowed_lateness_s: int = Field(default=DEFAULT_ALLOWED_LATENESS_S, ge=0)
    # Streaming: how often an open window publishes its running count.
    early_firing_s: int = Field(default=DEFAULT_EARLY_FIRING_S, gt=0)


class RunConfig(BaseModel):
    """Everything one pipeline run needs besides the Beam options."""

    model_config = _FROZEN

    source: KafkaSourceSettings | ArchiveSourceSettings
    extraction: ExtractionSettings = ExtractionSettings()
    events_topic: KafkaSinkSettings | None = None
    dead_letter_topic: KafkaSinkSettings | None = None
    output_dir: str | None = None
    # Files are named by the span of record time they hold (Kafka record time, or read time
    # for archives); each bundle writes one file per span it has records for.
    file_window_seconds: int = Field(default=300, gt=0)
    dead_letter_payload_bytes: int = Field(default=DEFAULT_DEAD_LETTER_PAYLOAD_BYTES, ge=1024)
    # Counts are made when this is set; they go to `aggregates_topic`, and in bounded runs to
    # `aggregates-*.avro` files in output_dir as well.
    aggregates: AggregateSettings | None = None
    aggregates_topic: KafkaSinkSettings | None = None
    # Bounded runs: link events into stories (story_id on events, `stories-*.avro` files in
    # output_dir, and upserts to `stories_topic` when given).
    stories: bool = False
    stories_topic: KafkaSinkSettings | None = None

    @property
    def bounded(self) -> bool:
        return isinstance(self.source, ArchiveSourceSettings) or self.source.bounded
