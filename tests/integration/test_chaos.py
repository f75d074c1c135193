"""Faults injected for real, on a broker of this module's own: the pipeline killed with -9
mid-stream, the broker killed with -9 and restarted on its data directory, and an outage
longer than the limit. Nothing may be lost, and nothing committed that was not written.
Counted with a second client (confluent-kafka)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fastavro
import pytest
from pipeline.io.admin import create_topics
from pipeline.io.avro_files import INPROGRESS_DIR
from pipeline.kafka_settings import KafkaSettings

from tests.conftest import KAFKA_SCRIPT, _free_port
from tests.integration.kafka_helpers import (
    alive,
    committed,
    decode,
    end_offsets,
    fully_committed,
    newsevents_cli,
    produce,
    read_to_end,
    wait_for,
)
from tests.poison import POISON, good_article

pytestmark = [pytest.mark.kafka, pytest.mark.chaos]
SMALL_POISON = [payload for payload, _ in POISON.values() if len(payload) < 100_000]


@dataclass
class Broker:
    """A broker this module started; killed and stopped only by the PID kafka-local recorded."""

    port: int
    data_dir: Path

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _script(self, command: str) -> None:
        args = [str(KAFKA_SCRIPT), command, "--port", str(self.port), "--data-dir", str(self.data_dir)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            logs = "".join(
                f"\n--- {path.name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-15:])
                for path in sorted(self.data_dir.glob("*.out")) + sorted(self.data_dir.glob("*.log"))
            )
            raise AssertionError(f"kafka-local {command}: {done.stdout}\n{done.stderr}{logs}")

    def start(self) -> None:
        self._script("start")

    def stop(self) -> None:
        self._script("stop")

    def kill_hard(self) -> None:
        pid = int((self.data_dir / "broker.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not alive(pid), 30, "the broker to die", every_s=0.2)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    # Below the ephemeral range: while the broker is down, no client socket can take its ports.
    started = Broker(_free_port(below_ephemeral=True), tmp_path_factory.mktemp("chaos-kafka"))
    started.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def topics(broker: Broker) -> tuple[str, str, str]:
    names = tuple(f"chaos-{kind}-{time.time_ns() % 10**9}" for kind in ("articles", "events", "dead"))
    create_topics(KafkaSettings(bootstrap_servers=broker.bootstrap), names, 3)
    return names  # type: ignore[return-value]


def run_args(broker: Broker, topics: tuple[str, str, str], group: str, runner: str, *extra: str) -> list[str]:
    articles, events, dead = topics
    return [
        "run", "-b", broker.bootstrap, "-i", articles, "-o", events, "-d", dead, "--group-id", group,
        "--checkpoint-seconds", "1", *extra, "--", f"--runner={runner}",
    ]  # fmt: skip


def produce_steadily(bootstrap: str, topic: str, payloads: list[bytes], per_second: float) -> threading.Thread:
    def send() -> None:
        for payload in payloads:
            produce(bootstrap, topic, [payload])
            time.sleep(1 / per_second)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def event_ids_by_article(bootstrap: str, topic: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for event in decode(read_to_end(bootstrap, topic, 3), "event"):
        found.setdefault(str(event["article_id"]), set()).add(str(event["event_id"]))
    return found


def test_a_pipeline_killed_mid_stream_loses_nothing_and_leaves_no_partial_file(
    broker: Broker, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, dead = topics
    good = {f"k{i}": good_article(f"k{i}", i) for i in range(60)}
    payloads = [*good.values()]
    for index, bad in enumerate(SMALL_POISON):
        payloads.insert(5 + index * 6, bad)
    out = tmp_path / "out"
    args = run_args(broker, topics, "g-kill", runner_name, "--output-dir", str(out))
    producer = produce_steadily(broker.bootstrap, articles, payloads, per_second=8)
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: bool(committed(broker.bootstrap, "g-kill", articles, 3)), 120, "a first commit")
        wait_for(lambda: len(event_ids_by_article(broker.bootstrap, events)) >= 10, 120, "the stream to flow")
        cli.kill_hard()  # mid-stream: bundles in flight, files open
    producer.join(timeout=60)
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: fully_committed(broker.bootstrap, "g-kill", articles), 240, "the rest to be committed")
        cli.signal(signal.SIGTERM)
        assert cli.wait(30) == 0, cli.stderr[-2000:]
    written = event_ids_by_article(broker.bootstrap, events)
    assert set(good) <= set(written), f"lost: {sorted(set(good) - set(written))}"
    letters = decode(read_to_end(broker.bootstrap, dead, 3), "dead_letter")
    assert {hashlib.sha256(p).hexdigest() for p in SMALL_POISON} <= {str(d["raw_sha256"]) for d in letters}
    in_files: set[str] = set()
    for path in out.glob("events-*.avro"):
        with path.open("rb") as handle:
            in_files |= {str(record["article_id"]) for record in fastavro.reader(handle)}  # type: ignore[index]
    assert set(good) <= in_files
    assert list((out / INPROGRESS_DIR).iterdir()) == []  # the killed run's partial files were swept


def test_a_broker_killed_and_restarted_is_ridden_out(
    broker: Broker, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, _ = topics
    produce(broker.bootstrap, articles, [good_article(f"r{i}", i) for i in range(5)])
    with newsevents_cli(run_args(broker, topics, "g-restart", runner_name, "--outage-limit", "180"), tmp_path) as cli:
        wait_for(lambda: fully_committed(broker.bootstrap, "g-restart", articles), 120, "the first batch")
        broker.kill_hard()
        time.sleep(15)  # an outage of a quarter of a minute, and more while it restarts
        broker.start()
        produce(broker.bootstrap, articles, [good_article(f"s{i}", i) for i in range(5)])
        wanted = {f"r{i}" for i in range(5)} | {f"s{i}" for i in range(5)}
        wait_for(lambda: set(event_ids_by_article(broker.bootstrap, events)) >= wanted, 240, "the second batch")
        wait_for(lambda: fully_committed(broker.bootstrap, "g-restart", articles), 120, "commits after the outage")
        assert cli.process.poll() is None, "the run ended during the outage"
        cli.signal(signal.SIGTERM)
        assert cli.wait(30) == 0, cli.stderr[-2000:]
    assert "unreachable" in cli.stderr and "is back after" in cli.stderr


def test_an_outage_past_the_limit_fails_the_run_and_commits_nothing_unwritten(
    broker: Broker, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events, _ = topics
    produce(broker.bootstrap, articles, [good_article(f"o{i}", i) for i in range(5)])
    args = run_args(broker, topics, "g-limit", runner_name, "--outage-limit", "8")
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(lambda: fully_committed(broker.bootstrap, "g-limit", articles), 120, "the first batch")
        produce(broker.bootstrap, articles, [good_article(f"p{i}", i) for i in range(5)])
        broker.kill_hard()  # some of the second batch may be read, none can be written
        try:
            assert cli.wait(120) == 1, cli.stderr[-2000:]
        finally:
            broker.start()
    last = cli.stderr.strip().splitlines()[-1]
    assert last.startswith("newsevents: error: Kafka at ") and "the outage limit is 8s (--outage-limit)" in last, last
    # Every committed offset is covered by written output. Read to the end offsets: just after
    # the restart a partition may still be unavailable, and a read that stops when the topic is
    # quiet would miss its records.
    written = {
        (e["provenance"]["partition"], e["provenance"]["offset"])
        for e in decode(read_to_end(broker.bootstrap, events, 3), "event")
    }
    ends = end_offsets(broker.bootstrap, articles, 3)
    for partition, offset in committed(broker.bootstrap, "g-limit", articles, 3).items():
        assert all((partition, o) in written for o in range(max(offset, 0))), (partition, offset, ends)
