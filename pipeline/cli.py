"""The `newsevents` command: run, backfill, produce, inspect, report and topics.

Beam options go after `--` and pass through unchanged, e.g.
`newsevents run ... -- --runner=DataflowRunner --project=p --region=r --setup_file=./setup.py`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from pipeline.articles import parse_rfc3339_ms
from pipeline.config import (
    DEFAULT_AGGREGATE_WINDOW_S,
    DEFAULT_ALLOWED_LATENESS_S,
    DEFAULT_DEAD_LETTER_PAYLOAD_BYTES,
    DEFAULT_EARLY_FIRING_S,
    DEFAULT_OUTAGE_LIMIT_S,
    AggregateSettings,
    ArchiveSourceSettings,
    ExtractionSettings,
    KafkaSinkSettings,
    KafkaSourceSettings,
    RunConfig,
)
from pipeline.errors import InvalidRecord, NewsEventsError, RunFailed, UserError
from pipeline.kafka_settings import (
    KafkaSettings,
    Setting,
    build_kafka_settings,
    environment_settings,
    read_properties,
    settings_from_cli,
)
from pipeline.logs import quiet_third_party_logs, worker_tracebacks_to_file

try:  # typer vendors click since 0.20; older versions use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

app = typer.Typer(
    name="newsevents",
    help="Turn a stream of news articles into structured events (Apache Beam + Kafka + Avro).",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=True,
)
topics_app = typer.Typer(help="Create or list Kafka topics.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(topics_app, name="topics")
console = Console()
errors = Console(stderr=True)
EXIT_FORCED = 130

BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-servers",
        "-b",
        envvar="NEWSEVENTS_BOOTSTRAP_SERVERS",
        help="Kafka HOST:PORT[,HOST:PORT] (default: bootstrap.servers of --kafka-config, else 127.0.0.1:9092)",
    ),
]
KafkaOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--kafka-option",
        help="Kafka client setting KEY=VALUE (repeatable; Java, librdkafka or kafka-python names; "
        "prefix producer./consumer./admin. for one client)",
    ),
]
KafkaConfig = Annotated[
    Path | None,
    typer.Option(
        "--kafka-config",
        envvar="NEWSEVENTS_KAFKA_CONFIG",
        help="Kafka client properties file (the format Kafka's tools read), e.g. for credentials",
    ),
]
OutageOption = Annotated[
    float,
    typer.Option("--outage-limit", min=1, help="Seconds an unreachable broker is waited out before the run fails"),
]
FileWindowOption = Annotated[
    int, typer.Option("--file-window", min=1, help="Seconds of record time per output file name window")
]
AggregatesTopicOption = Annotated[
    str | None,
    typer.Option(
        "--aggregates-topic", help="Publish counts per event-time window, type and country to this topic (upserts)"
    ),
]
AggregateWindowOption = Annotated[
    int, typer.Option("--aggregate-window", min=1, help="Seconds of event time per aggregate window")
]
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--schema-registry",
        envvar="NEWSEVENTS_SCHEMA_REGISTRY",
        help="Confluent-compatible schema registry URL: register our schemas as <topic>-value, write the wire format",
    ),
]
ModelOption = Annotated[str, typer.Option("--model", help="spaCy model package to load")]
BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Articles per spaCy batch")]
NlpProcessesOption = Annotated[
    int,
    typer.Option(
        "--nlp-processes", min=1, help="NLP processes per worker, each with its own model (1: in the worker itself)"
    ),
]
_DEFAULTS = ExtractionSettings()
_BEAM_ARGS = {"allow_extra_args": True, "ignore_unknown_options": False}


def _kafka(bootstrap: str | None, options: list[str] | None, config_file: Path | None) -> KafkaSettings:
    """Typed client settings: properties file, then environment, then --kafka-option."""
    given: list[Setting] = []
    if config_file is not None:
        given += read_properties(config_file)
    given += environment_settings()
    given += settings_from_cli(options or [])
    return build_kafka_settings(bootstrap, given)


def _time_ms(value: str | None, flag: str) -> int | None:
    if value is None:
        return None
    try:
        return parse_rfc3339_ms(value)
    except InvalidRecord:
        raise UserError(f"{flag} must be an RFC 3339 time with an offset, e.g. 2025-10-08T00:00:00Z") from None


def _beam_args(ctx: typer.Context) -> list[str]:
    stray = [arg for arg in ctx.args if not arg.startswith("--")]
    if stray:
        raise UserError(f"unexpected argument '{stray[0]}' (Beam options go after --, as --name=value)")
    return list(ctx.args)


# An event record is a few kB; a dead letter needs room for its message and provenance.
MIN_TOPIC_RECORD_BYTES = 17 * 1024


def _sink(kafka: KafkaSettings, topic: str, limits: dict[str, int], outage: float, **extra: Any) -> KafkaSinkSettings:
    if limits[topic] < MIN_TOPIC_RECORD_BYTES:
        raise UserError(
            f"topic '{topic}' accepts records of at most {max(limits[topic], 0):,} bytes (max.message.bytes, less "
            f"overhead); newsevents needs at least {MIN_TOPIC_RECORD_BYTES:,}"
        )
    return KafkaSinkSettings(kafka=kafka, topic=topic, max_record_bytes=limits[topic], outage_limit_s=outage, **extra)


def _sinks(
    kafka: KafkaSettings | None, limits: dict[str, int], outage: float, ids: dict[str, int]
) -> Callable[[str | None], KafkaSinkSettings | None]:
    """Sink settings per output topic (None for no topic), framed with the topic's schema id."""

    def sink(topic: str | None) -> KafkaSinkSettings | None:
        if kafka is None or not topic:
            return None
        return _sink(kafka, topic, limits, outage, confluent_schema_id=ids.get(topic))

    return sink


def _registered(
    registry: str | None,
    events: str | None,
    dead_letters: str | None,
    aggregates: str | None,
    fixed_event_id: int | None,
    stories: str | None = None,
) -> dict[str, int]:
    """Schema ids per output topic: registered in `registry`, or the fixed events id."""
    if registry is None:
        return {events: fixed_event_id} if events and fixed_event_id is not None else {}
    if fixed_event_id is not None:
        raise UserError("give either --schema-registry or --confluent-schema-id, not both")
    from pipeline.io.registry import register_schemas

    wanted = {events: "event", dead_letters: "dead_letter", aggregates: "aggregate", stories: "story"}
    return register_schemas(registry, {topic: name for topic, name in wanted.items() if topic})


@app.command(context_settings=_BEAM_ARGS)
def run(
    ctx: typer.Context,
    input_topic: Annotated[str, typer.Option("--input-topic", "-i", help="Topic of articles (JSON or Avro)")],
    output_topic: Annotated[str, typer.Option("--output-topic", "-o", help="Topic for Avro events")],
    dead_letter_topic: Annotated[str, typer.Option("--dead-letter-topic", "-d", help="Topic for dead letters")],
    bootstrap_servers: BootstrapOption = None,
    bounded: Annotated[
        bool, typer.Option("--bounded", help="Stop at the end offsets seen at start (backfill a range)")
    ] = False,
    from_time: Annotated[
        str | None, typer.Option("--from-time", help="Start at this RFC 3339 time instead of the group's offsets")
    ] = None,
    to_time: Annotated[str | None, typer.Option("--to-time", help="With --bounded: stop at this RFC 3339 time")] = None,
    group_id: Annotated[
        str, typer.Option("--group-id", help="Consumer group whose offsets are committed")
    ] = "newsevents",
    offset_reset: Annotated[
        str, typer.Option("--offset-reset", help="Where a new group starts: earliest or latest")
    ] = "earliest",
    output_dir: Annotated[str | None, typer.Option("--output-dir", help="Also write Avro files here")] = None,
    input_format: Annotated[str, typer.Option("--input-format", help="json, avro or avro-confluent")] = "json",
    confluent_schema_id: Annotated[
        int | None,
        typer.Option(
            "--confluent-schema-id", help="Frame event values in the Confluent wire format with this schema id"
        ),
    ] = None,
    checkpoint_seconds: Annotated[
        float,
        typer.Option("--checkpoint-seconds", min=0.5, help="Streaming: longest bundle; files close, offsets commit"),
    ] = 5.0,
    file_window: FileWindowOption = 300,
    outage_limit: OutageOption = DEFAULT_OUTAGE_LIMIT_S,
    dead_letter_payload: Annotated[
        int, typer.Option("--dead-letter-payload", min=1024, help="Bytes of a failed input a dead letter keeps")
    ] = DEFAULT_DEAD_LETTER_PAYLOAD_BYTES,
    aggregates_topic: AggregatesTopicOption = None,
    stories_topic: Annotated[
        str | None,
        typer.Option("--stories-topic", help="Publish stories to this topic, an upsert each time one changes"),
    ] = None,
    schema_registry: RegistryOption = None,
    aggregate_window: AggregateWindowOption = DEFAULT_AGGREGATE_WINDOW_S,
    allowed_lateness: Annotated[
        int,
        typer.Option("--allowed-lateness", min=0, help="Streaming: seconds after a window's end that events update it"),
    ] = DEFAULT_ALLOWED_LATENESS_S,
    early_firing: Annotated[
        int,
        typer.Option("--early-firing", min=1, help="Streaming: seconds between running counts of an open window"),
    ] = DEFAULT_EARLY_FIRING_S,
    model: ModelOption = _DEFAULTS.model,
    batch_size: BatchOption = _DEFAULTS.batch_size,
    nlp_processes: NlpProcessesOption = _DEFAULTS.nlp_processes,
    kafka_option: KafkaOptions = None,
    kafka_config: KafkaConfig = None,
) -> None:
    """Kafka to Kafka: read articles from a topic, write events and dead letters to topics."""
    from pipeline.io.admin import record_limits, require_topics

    if to_time and not bounded:
        raise UserError("--to-time needs --bounded")
    kafka = _kafka(bootstrap_servers, kafka_option, kafka_config)
    source = KafkaSourceSettings(
        kafka=kafka, topic=input_topic, group_id=group_id, bounded=bounded, offset_reset=offset_reset,
        from_time_ms=_time_ms(from_time, "--from-time"), to_time_ms=_time_ms(to_time, "--to-time"),
        max_bundle_seconds=checkpoint_seconds, outage_limit_s=outage_limit,
    )  # fmt: skip
    outputs = [output_topic, dead_letter_topic, *(t for t in (aggregates_topic, stories_topic) if t)]
    require_topics(kafka, [input_topic, *outputs])
    limits = record_limits(kafka, outputs)
    ids = _registered(
        schema_registry, output_topic, dead_letter_topic, aggregates_topic, confluent_schema_id, stories_topic
    )
    sink = _sinks(kafka, limits, outage_limit, ids)
    config = RunConfig(
        source=source,
        extraction=ExtractionSettings(
            model=model,
            input_format=input_format,
            batch_size=batch_size,
            nlp_processes=nlp_processes,
            schema_registry_url=schema_registry,
        ),
        events_topic=sink(output_topic),
        dead_letter_topic=sink(dead_letter_topic),
        output_dir=output_dir,
        file_window_seconds=file_window,
        dead_letter_payload_bytes=dead_letter_payload,
        aggregates=AggregateSettings(
            window_seconds=aggregate_window, allowed_lateness_s=allowed_lateness, early_firing_s=early_firing
        )
        if aggregates_topic
        else None,
        aggregates_topic=sink(aggregates_topic),
        stories=stories_topic is not None,
        stories_topic=sink(stories_topic),
    )
    _run(config, _beam_args(ctx))


@app.command(context_settings=_BEAM_ARGS)
def backfill(
    ctx: typer.Context,
    input_glob: Annotated[str, typer.Option("--input", help="Archive files: JSONL, JSONL.gz, JSON or Avro (glob)")],
    output_dir: Annotated[str, typer.Option("--output-dir", help="Directory for events-*.avro and dead-letter-*.avro")],
    output_topic: Annotated[str | None, typer.Option("--output-topic", help="Also write events to this topic")] = None,
    dead_letter_topic: Annotated[
        str | None, typer.Option("--dead-letter-topic", help="Also write dead letters to this topic")
    ] = None,
    bootstrap_servers: BootstrapOption = None,
    file_window: FileWindowOption = 300,
    outage_limit: OutageOption = DEFAULT_OUTAGE_LIMIT_S,
    aggregates: Annotated[
        bool, typer.Option("--aggregates", help="Also write final counts per window, type and country to files")
    ] = False,
    aggregates_topic: AggregatesTopicOption = None,
    schema_registry: RegistryOption = None,
    aggregate_window: AggregateWindowOption = DEFAULT_AGGREGATE_WINDOW_S,
    stories: Annotated[
        bool,
        typer.Option(
            "--stories/--no-stories", help="Link events into stories: story_id on events, and stories-*.avro files"
        ),
    ] = True,
    stories_topic: Annotated[
        str | None, typer.Option("--stories-topic", help="Also publish stories to this topic (upserts by story id)")
    ] = None,
    model: ModelOption = _DEFAULTS.model,
    batch_size: BatchOption = _DEFAULTS.batch_size,
    nlp_processes: NlpProcessesOption = _DEFAULTS.nlp_processes,
    kafka_option: KafkaOptions = None,
    kafka_config: KafkaConfig = None,
) -> None:
    """Archives to Avro files (and optionally topics), in bounded mode."""
    from pipeline.io.admin import record_limits, require_topics

    if not _matches(input_glob):
        raise UserError(f"no files match --input '{input_glob}'")
    if stories_topic and not stories:
        raise UserError("--stories-topic needs stories: drop --no-stories")
    topics = [t for t in (output_topic, dead_letter_topic, aggregates_topic, stories_topic) if t]
    kafka = _kafka(bootstrap_servers, kafka_option, kafka_config) if topics else None
    limits: dict[str, int] = {}
    if kafka is not None:
        require_topics(kafka, topics)
        limits = record_limits(kafka, topics)
    elif schema_registry:
        raise UserError("--schema-registry needs a topic to write to (--output-topic, --dead-letter-topic, ...)")
    ids = _registered(schema_registry, output_topic, dead_letter_topic, aggregates_topic, None, stories_topic)
    sink = _sinks(kafka, limits, outage_limit, ids)
    config = RunConfig(
        source=ArchiveSourceSettings(pattern=input_glob),
        extraction=ExtractionSettings(model=model, batch_size=batch_size, nlp_processes=nlp_processes),
        events_topic=sink(output_topic),
        dead_letter_topic=sink(dead_letter_topic),
        output_dir=output_dir,
        file_window_seconds=file_window,
        aggregates=AggregateSettings(window_seconds=aggregate_window) if aggregates or aggregates_topic else None,
        aggregates_topic=sink(aggregates_topic),
        stories=stories,
        stories_topic=sink(stories_topic),
    )
    _run(config, _beam_args(ctx))


@app.command()
def produce(
    files: Annotated[list[Path], typer.Argument(help="Archive files to publish (JSON, JSONL, JSONL.gz, Avro)")],
    topic: Annotated[str, typer.Option("--topic", "-t", help="Topic to publish to")],
    bootstrap_servers: BootstrapOption = None,
    kafka_option: KafkaOptions = None,
    kafka_config: KafkaConfig = None,
) -> None:
    """Publish archive files to a topic, keyed by article id, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.io.admin import require_topics
    from pipeline.io.publish import archive_records, publish

    kafka = _kafka(bootstrap_servers, kafka_option, kafka_config)
    require_topics(kafka, [topic])
    records = list(archive_records(files))
    columns = (TextColumn("publishing to {task.fields[topic]}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=errors) as progress:
        task = progress.add_task("publish", total=len(records), topic=topic)
        sent = publish(records, KafkaSinkSettings(kafka=kafka, topic=topic), on_sent=lambda: progress.advance(task))
    console.print(f"published {sent} records to '{topic}' at {kafka.bootstrap_servers}")


@app.command()
def inspect(
    path: Annotated[str | None, typer.Argument(help="Avro file or glob (events-*.avro, dead-letter-*.avro)")] = None,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Read from this topic instead of files")] = None,
    bootstrap_servers: BootstrapOption = None,
    dead_letters: Annotated[
        bool, typer.Option("--dead-letters", help="The topic holds dead letters, not events")
    ] = False,
    aggregates: Annotated[bool, typer.Option("--aggregates", help="The topic holds aggregates, not events")] = False,
    stories: Annotated[bool, typer.Option("--stories", help="The topic holds stories, not events")] = False,
    schema_registry: Annotated[
        str | None,
        typer.Option(
            "--schema-registry",
            envvar="NEWSEVENTS_SCHEMA_REGISTRY",
            help="Read registry-framed records with the schema their writer registered here",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json (one record per line)")] = "table",
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Show at most N records")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only events of this type (e.g. STRIKE)")] = None,
    max_wait: Annotated[
        float, typer.Option("--max-wait", min=0.5, help="Seconds of topic silence that end reading")
    ] = 3.0,
    kafka_option: KafkaOptions = None,
    kafka_config: KafkaConfig = None,
) -> None:
    """Print events, dead letters, aggregates or stories as a readable table or as JSON lines."""
    from pipeline.inspect_view import print_records, records_from_files, records_from_topic

    if fmt not in ("table", "json"):
        raise UserError(f"--format must be table or json, got '{fmt}'")
    if (path is None) == (topic is None):
        raise UserError("give either a PATH to Avro files or --topic")
    if topic is not None:
        from pipeline.io.admin import require_topics
        from pipeline.io.registry import WriterSchemas

        if dead_letters + aggregates + stories > 1:
            raise UserError("give at most one of --dead-letters, --aggregates and --stories")
        kafka = _kafka(bootstrap_servers, kafka_option, kafka_config)
        require_topics(kafka, [topic])
        kind = "dead_letter" if dead_letters else "aggregate" if aggregates else "story" if stories else "event"
        registry = WriterSchemas(schema_registry, outage_limit_s=30) if schema_registry else None
        source = records_from_topic(kafka, topic, kind, max_wait, None, registry)
        title = f"topic {topic}"
    else:
        assert path is not None
        source = records_from_files(path)
        title = path
    records: list[dict[str, Any]] = []
    for record in source:
        if event_type and record.get("event_type") != event_type.upper():
            continue
        records.append(record)
        if limit is not None and len(records) >= limit:
            break
    print_records(records, fmt, f"{title}: {len(records)} records", console)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="A run's output directory (events-*.avro, stories-*.avro)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="HTML file to write (default: OUT_DIR/report.html)")
    ] = None,
) -> None:
    """Write an analyst's report of a run's Avro files: one self-contained HTML page."""
    from pipeline.report import write_report

    summary = write_report(out_dir, output if output is not None else out_dir / "report.html")
    line = f"report: {summary.stories} stories, {summary.events} events -> {summary.path}"
    console.print(line, markup=False, highlight=False, soft_wrap=True)


@topics_app.command("create")
def topics_create(
    names: Annotated[list[str], typer.Argument(help="Topic names")],
    partitions: Annotated[int, typer.Option("--partitions", "-p", min=1)] = 3,
    compacted: Annotated[
        bool, typer.Option("--compacted", help="cleanup.policy=compact: keep the newest record per key (aggregates)")
    ] = False,
    bootstrap_servers: BootstrapOption = None,
    kafka_option: KafkaOptions = None,
    kafka_config: KafkaConfig = None,
) -> None:
    """Create topics that do not exist yet."""
    from pipeline.io.admin import create_topics

    kafka = _kafka(bootstrap_servers, kafka_option, kafka_config)
    created = create_topics(kafka, names, partitions, compacted=compacted)
    console.print(f"created: {', '.join(created) if created else 'none (all exist)'}")


@topics_app.command("list")
def topics_list(
    bootstrap_servers: BootstrapOption = None, kafka_option: KafkaOptions = None, kafka_config: KafkaConfig = None
) -> None:
    """List topics."""
    from kafka.errors import KafkaError

    from pipeline.io.admin import admin_client, describe_kafka_error

    kafka = _kafka(bootstrap_servers, kafka_option, kafka_config)
    client = admin_client(kafka)
    try:
        for name in sorted(client.list_topics()):
            console.print(name)
    except KafkaError as err:
        raise describe_kafka_error(kafka, err, "listing topics") from None
    finally:
        client.close()


@contextmanager
def _progress_bar(total: int | None) -> Iterator[None]:
    """Articles done out of those expected, polled from the in-process counter."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from pipeline import progress

    columns = (SpinnerColumn(), TextColumn("articles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    stop = threading.Event()
    first = progress.articles_done()
    with Progress(*columns, console=errors, transient=True) as bar:
        task = bar.add_task("run", total=total)

        def poll() -> None:
            while not stop.wait(0.3):
                bar.update(task, completed=progress.articles_done() - first)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        try:
            yield
        finally:
            stop.set()
            poller.join(timeout=2)


def _expected_articles(config: RunConfig) -> int | None:
    """How many articles a bounded run will read, when that is cheap to know."""
    if isinstance(config.source, ArchiveSourceSettings):
        return _archive_records(config.source.pattern)
    if not config.source.bounded:
        return None
    from kafka.errors import KafkaError

    from pipeline.io.kafka_source import make_consumer, plan_partitions

    try:
        consumer = make_consumer(config.source)
    except KafkaError:
        return None  # only sizes the progress bar; the run reports real errors
    try:
        return sum(max(0, (p.stop or p.start) - p.start) for p in plan_partitions(consumer, config.source))
    except (KafkaError, ValueError):
        return None
    finally:
        consumer.close()


def _archive_records(pattern: str) -> int | None:
    import glob

    paths = glob.glob(pattern)
    if not paths or not all(p.endswith((".jsonl", ".ndjson")) for p in paths):
        return None
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += sum(1 for line in handle if line.strip())
    return total


def _matches(pattern: str) -> bool:
    from apache_beam.io.filesystems import FileSystems

    try:
        return any(result.metadata_list for result in FileSystems.match([pattern]))
    except Exception:  # noqa: BLE001 - Beam raises BeamIOError or scheme errors; both mean "no match"
        return False


def _with_stop_file(config: RunConfig, path: str | None) -> RunConfig:
    return config.model_copy(update={"source": config.source.model_copy(update={"stop_path": path})})


def _run(config: RunConfig, beam_args: list[str]) -> None:
    """Run to the end, or until a signal asks to stop; then report, and check the books."""
    from pipeline.reporting import print_summary, summary_line
    from pipeline.runner import run as run_pipeline
    from pipeline.stopping import ForcedStop, stop_on_signals

    started = time.monotonic()
    with stop_on_signals() as stop, worker_tracebacks_to_file() as worker_log:
        config = _with_stop_file(config, stop.stop_file.path)
        try:
            with _progress_bar(_expected_articles(config)):
                summary = run_pipeline(config, beam_args)
        except ForcedStop:
            _exit_now("forced stop: records read after the last commit will be read again by the next run")
        except RunFailed as err:
            if worker_log.path is None:
                raise
            raise RunFailed(f"{err} (worker tracebacks in {worker_log.path})") from None
    seconds = time.monotonic() - started
    print_summary(summary, seconds, console)
    line = summary_line(summary, seconds, stop.signal_name)
    errors.print(f"newsevents: {line}", markup=False, highlight=False, soft_wrap=True)
    if summary.balanced is False:
        raise UserError("article accounting does not balance: read != with events + without events + dead letters")


def _exit_now(message: str, code: int = EXIT_FORCED) -> None:
    """Exit at once: threads and clients of an interrupted or failed run must not hold the
    process open or print at exit. (The runner and its children are already stopped.)"""
    errors.print(f"newsevents: error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes end in one line on stderr and a non-zero exit, never a traceback."""
    quiet_third_party_logs()
    try:
        code = app(args=argv, prog_name="newsevents", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as err:
        console.print(err.format_message(), markup=False, highlight=False)
        return
    except click_errors.UsageError as err:
        command = err.ctx.command_path if err.ctx is not None else "newsevents"
        _fail(f"{err.format_message()} (see '{command} --help')", 2)
    except (typer.Abort, KeyboardInterrupt):
        _fail("stopped", EXIT_FORCED)
    except RunFailed as err:
        # kafka-python's close() raises over records it could not deliver (they belong to the
        # failed bundle and will be read again); exit without its at-exit flush and traceback.
        _exit_now(str(err), 1)
    except NewsEventsError as err:
        _fail(str(err), 1)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        _fail(f"{field}: {first['msg']}", 2)
    if isinstance(code, int) and code != 0:
        sys.exit(code)


def _fail(message: str, code: int) -> None:
    errors.print(f"newsevents: error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)
