"""Streaming runs of the real CLI on both local runners: events, dead letters and files appear
while the job runs, offsets are committed only after the output is durable, a crash loses
nothing, and a signal stops the run cleanly. Checked with a second client (confluent-kafka)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import fastavro
import pytest
from kafka.admin import ConfigResource, ConfigResourceType
from pipeline.io.admin import admin_client, create_topics
from pipeline.io.avro_files import INPROGRESS_DIR
from pipeline.kafka_settings import KafkaSettings

from tests.integration.kafka_helpers import (
    alive,
    article_ids,
    committed,
    consume_all,
    decode,
    descendants,
    fully_committed,
    newsevents_cli,
    produce,
    wait_for,
)
from tests.poison import POISON, good_article

pytestmark = pytest.mark.kafka
LARGE_INPUT_BYTES = 5_000_000


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> tuple[str, str, str]:
    return topic_factory("s-articles"), topic_factory("s-events"), topic_factory("s-dead")


def run_args(bootstrap: str, topics: tuple[str, str, str], group: str, runner: str, *extra: str) -> list[str]:
    articles, events, dead = topics
    return [
        "run", "-b", bootstrap, "-i", articles, "-o", events, "-d", dead, "--group-id", group,
        "--checkpoint-seconds", "1", *extra, "--", f"--runner={runner}",
    ]  # fmt: skip


def allow_large_records(kafka: KafkaSettings, topic: str) -> None:
    admin = admin_client(kafka)
    try:
        admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": str(LARGE_INPUT_BYTES)})]
        )
    finally:
        admin.close()


def files_of(directory: Path, prefix: str) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for path in sorted(directory.glob(f"{prefix}-*.avro")):
        with path.open("rb") as handle:
            records += list(fastavro.reader(handle))  # type: ignore[arg-type]
    return records


def test_a_stream_delivers_everything_while_it_runs_and_a_sigterm_stops_it_cleanly(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, dead = topics
    allow_large_records(kafka, articles)
    good = {f"g{i}": good_article(f"g{i}", i) for i in range(6)}
    bad = {name: payload for name, (payload, _) in POISON.items()}
    produce(kafka_bootstrap, articles, [*good.values(), *bad.values()], max_bytes=LARGE_INPUT_BYTES)
    out = tmp_path / "out"
    args = run_args(kafka_bootstrap, topics, "g-done", runner_name, "--output-dir", str(out))
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: set(article_ids(kafka_bootstrap, events, timeout_s=5)) >= set(good), 120, "events of all")
        wait_for(lambda: len(consume_all(kafka_bootstrap, dead, timeout_s=5)) >= len(bad), 60, "every dead letter")
        wait_for(lambda: bool(list(out.glob("events-*.avro"))), 60, "a final events file")
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-done", articles), 60, "offsets committed to the end")
        children = descendants(cli.process.pid)
        asked = time.monotonic()
        cli.signal(signal.SIGTERM)
        assert cli.wait(30) == 0, cli.stderr
        assert time.monotonic() - asked < 30
    assert not [pid for pid in children if alive(pid)], "a child process outlived the run"
    last = cli.stderr.strip().splitlines()[-1]
    assert last.startswith("newsevents: stopped by SIGTERM after ") and "(balanced)" in last, cli.stderr
    assert f"{len(good) + len(bad)} articles read = {len(good)} with events + 0 without + {len(bad)} dead" in last
    assert "Traceback" not in cli.stderr and "finalizable" not in cli.stderr
    assert fully_committed(kafka_bootstrap, "g-done", articles)

    letters = decode(consume_all(kafka_bootstrap, dead, expect_at_least=len(bad)), "dead_letter")
    assert sorted(str(d["error_kind"]) for d in letters) == sorted(kind for _, kind in POISON.values())
    huge = next(d for d in letters if d["error_kind"] == "body_too_large")
    assert huge["raw_truncated"] and huge["raw_size"] == len(bad["huge body"])
    topic_ids = {e["event_id"] for e in decode(consume_all(kafka_bootstrap, events), "event")}
    assert {e["event_id"] for e in files_of(out, "events")} == topic_ids
    assert len(files_of(out, "dead-letter")) == len(bad)
    assert list((out / INPROGRESS_DIR).iterdir()) == []


def test_a_crash_after_commit_resumes_without_loss_or_duplicates(
    kafka_bootstrap: str, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, _ = topics
    produce(kafka_bootstrap, articles, [good_article(f"a{i}", i) for i in range(4)])
    args = run_args(kafka_bootstrap, topics, "g-crash", runner_name)
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-crash", articles), 180, "offsets of the first batch")
        children = descendants(cli.process.pid)
        cli.kill_hard()
    wait_for(lambda: not [pid for pid in children if alive(pid)], 10, "the runner to die with the CLI")
    produce(kafka_bootstrap, articles, [good_article(f"b{i}", i) for i in range(3)])
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-crash", articles), 180, "offsets of the second batch")
        cli.signal(signal.SIGINT)
        assert cli.wait(30) == 0, cli.stderr
    assert "Traceback" not in cli.stderr and "stopped by SIGINT" in cli.stderr, cli.stderr[-2000:]
    written = decode(consume_all(kafka_bootstrap, events, expect_at_least=14), "event")
    assert {e["article_id"] for e in written} == {f"a{i}" for i in range(4)} | {f"b{i}" for i in range(3)}
    # Every event written once: nothing was read again after the crash, since all was committed.
    event_ids = [e["event_id"] for e in written]
    assert len(event_ids) == len(set(event_ids))


def test_a_second_signal_forces_the_stop(kafka_bootstrap: str, topics: tuple[str, str, str], tmp_path: Path) -> None:
    articles, _, _ = topics
    produce(kafka_bootstrap, articles, [good_article("f1")])
    with newsevents_cli(run_args(kafka_bootstrap, topics, "g-force", "PrismRunner"), tmp_path) as cli:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-force", articles), 120, "the run to be going")
        children = descendants(cli.process.pid)
        cli.signal(signal.SIGINT)
        time.sleep(0.05)
        cli.signal(signal.SIGINT)
        assert cli.wait(30) == 130
    assert cli.stderr.strip().splitlines()[-1].startswith("newsevents: error: forced stop")
    wait_for(lambda: not [pid for pid in children if alive(pid)], 10, "the runner to be stopped")


def test_a_deleted_output_topic_fails_the_run_and_commits_nothing_after_it(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, _ = topics
    produce(kafka_bootstrap, articles, [good_article(f"c{i}", i) for i in range(2)])
    with newsevents_cli(run_args(kafka_bootstrap, topics, "g-sink", runner_name), tmp_path) as cli:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-sink", articles), 180, "offsets of the first batch")
        before = committed(kafka_bootstrap, "g-sink", articles, 3)
        admin = admin_client(kafka)
        try:
            admin.delete_topics([events])
        finally:
            admin.close()
        produce(kafka_bootstrap, articles, [good_article(f"d{i}", i) for i in range(3)])
        assert cli.wait(120) == 1, cli.stderr
    lines = cli.stderr.strip().splitlines()
    assert lines[-1].startswith(
        f"newsevents: error: topic '{events}' does not exist at {kafka_bootstrap} (deleted while the run was going?)"
    ), cli.stderr[-3000:]
    assert "Traceback" not in cli.stderr, cli.stderr[-3000:]
    assert committed(kafka_bootstrap, "g-sink", articles, 3) == before
    create_topics(kafka, [events], 3)
    with newsevents_cli(run_args(kafka_bootstrap, topics, "g-sink", runner_name), tmp_path) as cli:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-sink", articles), 180, "offsets after the restart")
        cli.signal(signal.SIGTERM)
        assert cli.wait(30) == 0, cli.stderr
    assert set(article_ids(kafka_bootstrap, events, expect=6)) == {"d0", "d1", "d2"}
