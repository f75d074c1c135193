"""The pipeline graph. It reads like the diagram in the README:

    ReadArticles -> DecodeArticles -> ExtractEvents -> EncodeEvents -> WriteEvents
         \\               \\                \\               \\
          +---------------+----------------+---------------+--> DeadLetters -> WriteDeadLetters
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import PCollection
from apache_beam.transforms import window

from pipeline.config import ArchiveSourceSettings, KafkaSinkSettings, RunConfig
from pipeline.io.archives import ReadArchives
from pipeline.io.avro_files import WriteAvroFiles
from pipeline.io.kafka_sink import WriteToKafka
from pipeline.io.kafka_source import CommitOffsetsFn, ReadFromKafka
from pipeline.metrics import DEAD_LETTERS_WRITTEN, EVENTS_WRITTEN_KAFKA
from pipeline.transforms.common import DEAD_LETTERS, MAIN
from pipeline.transforms.decode import DecodeArticles
from pipeline.transforms.encode import EncodeDeadLetters, EncodeEvents
from pipeline.transforms.extract import ExtractEvents


def build(pipeline: beam.Pipeline, config: RunConfig) -> None:
    """Add the whole newsevents graph for `config` to `pipeline`."""
    records, read_failures, source = _read(pipeline, config)
    decoded = records | "DecodeArticles" >> DecodeArticles(
        config.extraction.input_format, config.extraction.max_body_chars
    )
    articles = decoded[MAIN]
    if config.bounded:
        # One archive or partition is one bundle: spread its articles over the workers. (Not when
        # unbounded: on the local runner a shuffle would hold records until the input ends.)
        articles = articles | "SpreadArticles" >> beam.Reshuffle()
    extracted = articles | "ExtractEvents" >> ExtractEvents(config.extraction.model, config.extraction.batch_size)
    encoded = extracted[MAIN] | "EncodeEvents" >> EncodeEvents(_schema_id(config.events_topic))
    dead_letters = (
        [*read_failures, decoded[DEAD_LETTERS], extracted[DEAD_LETTERS], encoded[DEAD_LETTERS]]
        | "CollectDeadLetters" >> beam.Flatten()
        | "EncodeDeadLetters" >> EncodeDeadLetters(_schema_id(config.dead_letter_topic))
    )
    written = [
        *_write(encoded[MAIN], "Events", "events", "event", config.events_topic, EVENTS_WRITTEN_KAFKA, config),
        *_write(
            dead_letters,
            "DeadLetters",
            "dead-letter",
            "dead_letter",
            config.dead_letter_topic,
            DEAD_LETTERS_WRITTEN,
            config,
        ),
    ]
    if isinstance(source, ReadFromKafka) and config.bounded and source.plans is not None:
        done = written | "AllWritten" >> beam.Flatten()
        source.plans | "CommitOffsets" >> beam.ParDo(CommitOffsetsFn(source.settings), beam.pvalue.AsList(done))


def _read(pipeline: beam.Pipeline, config: RunConfig) -> tuple[PCollection, list[PCollection], beam.PTransform]:
    if isinstance(config.source, ArchiveSourceSettings):
        archives = ReadArchives(config.source.pattern)
        outputs = pipeline | "ReadArticles" >> archives
        return outputs[MAIN], [outputs[DEAD_LETTERS]], archives
    kafka = ReadFromKafka(config.source)
    return pipeline | "ReadArticles" >> kafka, [], kafka


def _write(
    records: PCollection,
    label: str,
    file_prefix: str,
    schema_name: str,
    topic: KafkaSinkSettings | None,
    metric: str,
    config: RunConfig,
) -> list[PCollection]:
    written = []
    if topic is not None:
        written.append(records | f"Write{label}ToKafka" >> WriteToKafka(topic, metric))
    if config.output_dir is not None:
        if not config.bounded:
            # Files are written per window; unbounded input needs windows to ever close one.
            records = records | f"Window{label}" >> beam.WindowInto(window.FixedWindows(config.file_window_seconds))
        files = records | f"Write{label}ToFiles" >> WriteAvroFiles(config.output_dir, file_prefix, schema_name)
        written.append(files | f"Global{label}Files" >> beam.WindowInto(window.GlobalWindows()))
    return written


def _schema_id(sink: KafkaSinkSettings | None) -> int | None:
    return sink.confluent_schema_id if sink is not None else None
