"""User mistakes end in one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pipeline.config import AggregateSettings, KafkaSettings, KafkaSinkSettings, KafkaSourceSettings, RunConfig
from pipeline.errors import UserError
from pipeline.prism import find_prism
from pipeline.runner import choose_runner, options_for, pipeline_options, run

SAMPLES = str(Path(__file__).resolve().parents[2] / "data" / "samples" / "*.json")


def newsevents(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--bogus"], "No such option: --bogus"),
        (["run", "-i", "a", "-o", "b"], "Missing option '--dead-letter-topic'"),
        (["run", "-i", "a", "-o", "b", "-d", "c", "-b", "no-port"], "is not HOST:PORT"),
        (["run", "-i", "a", "-o", "b", "-d", "c", "--to-time", "2025-01-01T00:00:00Z"], "--to-time needs --bounded"),
        (
            ["run", "-i", "a", "-o", "b", "-d", "c", "--from-time", "monday", "-b", "127.0.0.1:9"],
            "--from-time must be an RFC 3339",
        ),
        (["run", "-i", "a", "-o", "b", "-d", "c", "--offset-reset", "middle"], "offset_reset"),
        (["backfill", "--input", "/no/such/*.jsonl", "--output-dir", "/tmp/x"], "no files match"),
        (["inspect"], "give either a PATH"),
        (["inspect", "/no/such.avro"], "cannot read /no/such.avro"),
        (["inspect", "x.avro", "--format", "xml"], "--format must be table or json"),
        (["produce", "/no/such.jsonl", "-t", "t", "-b", "127.0.0.1:9"], "cannot reach a Kafka broker"),
        (["run", "-i", "a", "-o", "b", "-d", "c", "-b", "127.0.0.1:9"], "cannot reach a Kafka broker at 127.0.0.1:9"),
        (["run", "-i", "a", "-o", "b", "-d", "c", "-b", "127.0.0.1:9", "--kafka-option", "novalue"], "KEY=VALUE"),
        (
            ["backfill", "--input", SAMPLES, "--output-dir", "/tmp/x", "--schema-registry", "http://127.0.0.1:9"],
            "--schema-registry needs a topic to write to",
        ),
        (
            ["inspect", "-t", "t", "--dead-letters", "--aggregates"],
            "give at most one of --dead-letters, --aggregates and --stories",
        ),
        (["run", "-i", "a", "-o", "b", "-d", "c", "--early-firing", "0"], "Invalid value for '--early-firing'"),
    ],
)
def test_mistakes_give_one_line(args: list[str], message: str) -> None:
    result = newsevents(*args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("newsevents: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_unreachable_broker_fails_within_seconds() -> None:
    import time

    started = time.monotonic()
    result = newsevents("run", "-i", "a", "-o", "b", "-d", "c", "-b", "127.0.0.1:9")
    assert result.returncode == 1
    assert time.monotonic() - started < 30


def test_help_lists_the_commands() -> None:
    result = newsevents("--help")
    assert result.returncode == 0
    for command in ("run", "backfill", "produce", "inspect", "topics"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("args", "streaming", "runner"),
    [
        ([], False, "FnApiRunner"),
        (["--runner=FnApiRunner"], True, "FnApiRunner"),
        (["--runner=DataflowRunner", "--project=p"], False, "DataflowRunner"),
    ],
)
def test_the_local_default_never_downloads_and_other_runners_pass_through(
    args: list[str], streaming: bool, runner: str
) -> None:
    options = pipeline_options(args, streaming=streaming).get_all_options()
    assert options["runner"] == runner
    assert options.get("project") == ("p" if "--project=p" in args else None)
    assert options["streaming"] is streaming


def test_streaming_runs_default_to_the_installed_prism_in_loopback() -> None:
    assert find_prism() is not None, "make setup installs Prism into .local/bin"
    choice = choose_runner([], streaming=True)
    assert (choice.name, choice.prism) == ("PrismRunner", find_prism())
    options = options_for(choice, streaming=True, job_endpoint="localhost:1234").get_all_options()
    assert (options["runner"], options["job_endpoint"], options["environment_type"]) == (
        "PortableRunner",
        "localhost:1234",
        "LOOPBACK",
    )


def test_prism_is_asked_for_by_name_and_a_missing_binary_is_one_clear_error(tmp_path: Path) -> None:
    assert choose_runner(["--runner=PrismRunner"], streaming=False).prism == find_prism()
    with pytest.raises(UserError, match="is not an executable file"):
        choose_runner([f"--prism_location={tmp_path / 'nothing'}"], streaming=True)


def test_streaming_aggregates_are_refused_on_a_runner_that_fires_windows_only_at_the_end() -> None:
    kafka = KafkaSettings(bootstrap_servers="127.0.0.1:9")
    config = RunConfig(
        source=KafkaSourceSettings(kafka=kafka, topic="articles"),
        events_topic=KafkaSinkSettings(kafka=kafka, topic="events"),
        dead_letter_topic=KafkaSinkSettings(kafka=kafka, topic="dead"),
        aggregates=AggregateSettings(),
        aggregates_topic=KafkaSinkSettings(kafka=kafka, topic="aggregates"),
    )
    with pytest.raises(UserError, match="aggregates in streaming need a runner that fires windows"):
        run(config, ["--runner=FnApiRunner"])


def test_samples_dir_exists_for_the_demo() -> None:
    assert (Path(__file__).resolve().parents[2] / "data" / "samples").is_dir()
