"""Unbounded runs: offsets are committed only after output is written, so a crash or a failing
sink loses nothing, and a restart resumes where the commits say."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from pipeline.config import KafkaSettings
from pipeline.io.admin import admin_client, create_topics

from tests.integration.kafka_helpers import committed, consume_all, decode, end_offsets, produce

pytestmark = pytest.mark.kafka
PUBLISHED = "2025-10-08T10:00:00Z"

RUNNER = """
import sys
from pipeline.config import KafkaSettings, KafkaSinkSettings, KafkaSourceSettings, RunConfig
from pipeline.runner import run
bootstrap, articles, events, dead, group = sys.argv[1:6]
kafka = KafkaSettings(bootstrap_servers=bootstrap)
run(RunConfig(
    source=KafkaSourceSettings(kafka=kafka, topic=articles, group_id=group, max_bundle_seconds=1.0),
    events_topic=KafkaSinkSettings(kafka=kafka, topic=events, max_block_ms=3000),
    dead_letter_topic=KafkaSinkSettings(kafka=kafka, topic=dead, max_block_ms=3000),
), [])
"""


def articles(prefix: str, count: int) -> list[bytes]:
    return [
        json.dumps(
            {
                "id": f"{prefix}{i}",
                "published_at": PUBLISHED,
                "body": f"Israeli jets struck Rafah on Tuesday, killing {i + 2} people.",
            }
        ).encode()
        for i in range(count)
    ]


@contextmanager
def streaming_run(bootstrap: str, topics: tuple[str, str, str], group: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, bootstrap, *topics, group],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(1.0)
    pytest.fail(f"timed out after {timeout_s}s waiting for {what}")


def article_ids(bootstrap: str, topic: str, expect: int) -> list[str]:
    return [
        e["article_id"] for e in decode(consume_all(bootstrap, topic, expect_at_least=expect, timeout_s=10), "event")
    ]


def fully_committed(bootstrap: str, group: str, topic: str) -> bool:
    """Every partition that has records is committed up to its end."""
    done = committed(bootstrap, group, topic, 3)
    return all(done.get(p) == end for p, end in end_offsets(bootstrap, topic, 3).items() if end > 0)


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> tuple[str, str, str]:
    return topic_factory("s-articles"), topic_factory("s-events"), topic_factory("s-dead")


def test_a_crash_after_commit_resumes_without_loss_or_duplicates(
    kafka_bootstrap: str, topics: tuple[str, str, str]
) -> None:
    source, events, _ = topics
    first, second = articles("a", 4), articles("b", 3)
    produce(kafka_bootstrap, source, first)
    with streaming_run(kafka_bootstrap, topics, "g-crash") as process:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-crash", source), 180, "offsets of the first batch")
        os.killpg(process.pid, signal.SIGKILL)  # a crash: no shutdown, no flush
    produce(kafka_bootstrap, source, second)
    with streaming_run(kafka_bootstrap, topics, "g-crash"):
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-crash", source), 180, "offsets of the second batch")
    ids = article_ids(kafka_bootstrap, events, expect=7)
    assert sorted(set(ids)) == sorted([f"a{i}" for i in range(4)] + [f"b{i}" for i in range(3)])
    # Each article is one STRIKE and one CASUALTIES event, written once: nothing re-read after the crash.
    assert len(ids) == 2 * 7


def test_a_failing_sink_does_not_commit_and_a_restart_writes_the_rest(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str]
) -> None:
    source, events, _ = topics
    produce(kafka_bootstrap, source, articles("c", 2))
    with streaming_run(kafka_bootstrap, topics, "g-sink") as process:
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-sink", source), 180, "offsets of the first batch")
        before = committed(kafka_bootstrap, "g-sink", source, 3)
        client = admin_client(kafka)
        try:
            client.delete_topics([events])  # the sink now fails on every send
        finally:
            client.close()
        produce(kafka_bootstrap, source, articles("d", 3))
        time.sleep(15)
        assert committed(kafka_bootstrap, "g-sink", source, 3) == before
        os.killpg(process.pid, signal.SIGKILL)
    create_topics(kafka, [events], 3)
    with streaming_run(kafka_bootstrap, topics, "g-sink"):
        wait_for(lambda: fully_committed(kafka_bootstrap, "g-sink", source), 180, "offsets after the restart")
    ids = set(article_ids(kafka_bootstrap, events, expect=6))
    assert ids == {"d0", "d1", "d2"}
