"""Kafka to Kafka on the real local broker, checked with a second client (confluent-kafka)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka.admin import NewTopic
from pipeline.config import ExtractionSettings, KafkaSettings, KafkaSinkSettings, KafkaSourceSettings, RunConfig
from pipeline.errors import SinkRejected
from pipeline.io.admin import admin_client
from pipeline.io.kafka_sink import ConfirmedSender, make_producer
from pipeline.runner import run

from pipeline import metrics as m
from tests.integration.kafka_helpers import committed, consume_all, decode, end_offsets, produce

pytestmark = pytest.mark.kafka
PUBLISHED = "2025-10-08T10:00:00Z"
ARTICLES = [
    {
        "id": "k1",
        "published_at": PUBLISHED,
        "body": "Israeli jets struck Rafah on Tuesday, killing at least 12 people.",
    },
    {"id": "k2", "published_at": PUBLISHED, "body": "Egyptian mediators hosted talks with Hamas in Cairo on Monday."},
    {"id": "k3", "published_at": PUBLISHED, "body": "Protesters rallied in London on Saturday to demand a ceasefire."},
    {"id": "k4", "body": "The markets were calm and the weather was mild."},
]
BAD = [b"not json", b'{"id": "k5"}', b"\xff\xfe\xfd"]
PAYLOADS = [json.dumps(a).encode() for a in ARTICLES] + BAD


def config(kafka: KafkaSettings, topics: tuple[str, str, str], group: str, **source: object) -> RunConfig:
    articles, events, dead = topics
    return RunConfig(
        source=KafkaSourceSettings(kafka=kafka, topic=articles, group_id=group, bounded=True, **source),  # type: ignore[arg-type]
        extraction=ExtractionSettings(),
        events_topic=KafkaSinkSettings(kafka=kafka, topic=events),
        dead_letter_topic=KafkaSinkSettings(kafka=kafka, topic=dead),
    )


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> tuple[str, str, str]:
    return topic_factory("articles"), topic_factory("events"), topic_factory("dead")


def test_bounded_run_accounts_for_every_article(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], runner_name: str
) -> None:
    articles, events_topic, dead_topic = topics
    produce(kafka_bootstrap, articles, PAYLOADS)
    summary = run(config(kafka, topics, "it-bounded"), [f"--runner={runner_name}"])

    events_raw = consume_all(kafka_bootstrap, events_topic, expect_at_least=summary.get(m.EVENTS_EXTRACTED))
    events = decode(events_raw, "event")
    letters = decode(consume_all(kafka_bootstrap, dead_topic, expect_at_least=3), "dead_letter")

    assert summary.balanced
    assert summary.get(m.ARTICLES_READ) == len(PAYLOADS)
    assert len(events) == summary.get(m.EVENTS_EXTRACTED) == summary.get(m.EVENTS_WRITTEN_KAFKA)
    assert all(key == record["event_id"].encode() for (key, _), record in zip(events_raw, events, strict=True))
    with_events = {e["article_id"] for e in events}
    assert with_events == {"k1", "k2", "k3"}
    assert sorted(letter["raw_payload"] for letter in letters) == sorted(BAD)
    assert all(letter["provenance"]["topic"] == articles for letter in letters)
    # articles in = with events + without events (k4) + dead letters
    assert len(with_events) + summary.get(m.ARTICLES_WITHOUT_EVENTS) + len(letters) == len(PAYLOADS)
    # Offsets were committed after the writes, up to the end of every partition.
    assert committed(kafka_bootstrap, "it-bounded", articles, 3) == end_offsets(kafka_bootstrap, articles, 3)


def test_rerun_with_the_same_group_reads_nothing_and_a_replay_gives_the_same_ids(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], runner_name: str
) -> None:
    articles, events_topic, _ = topics
    produce(kafka_bootstrap, articles, PAYLOADS[:3])
    args = [f"--runner={runner_name}"]
    first = run(config(kafka, topics, "it-replay"), args)
    again = run(config(kafka, topics, "it-replay"), args)
    assert again.get(m.ARTICLES_READ) == 0
    replay = run(config(kafka, topics, "it-replay-2"), args)
    assert replay.get(m.EVENTS_EXTRACTED) == first.get(m.EVENTS_EXTRACTED)
    events = decode(
        consume_all(kafka_bootstrap, events_topic, expect_at_least=2 * first.get(m.EVENTS_EXTRACTED)), "event"
    )
    ids = [e["event_id"] for e in events]
    assert len(ids) == 2 * len(set(ids))  # each event twice, with the same id


def test_a_time_range_reads_only_records_inside_it(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], runner_name: str
) -> None:
    articles, events_topic, _ = topics
    base = 1_760_000_000_000
    produce(kafka_bootstrap, articles, PAYLOADS[:3], timestamps_ms=[base, base + 60_000, base + 120_000])
    window = config(kafka, topics, "it-range", from_time_ms=base + 30_000, to_time_ms=base + 90_000)
    summary = run(window, [f"--runner={runner_name}"])
    assert summary.get(m.ARTICLES_READ) == 1
    events = decode(consume_all(kafka_bootstrap, events_topic, expect_at_least=1), "event")
    assert {e["article_id"] for e in events} == {"k2"}


def test_confluent_wire_format_for_event_values(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str]
) -> None:
    articles, events_topic, dead = topics
    produce(kafka_bootstrap, articles, PAYLOADS[:1])
    base = config(kafka, topics, "it-confluent")
    framed = base.model_copy(
        update={"events_topic": KafkaSinkSettings(kafka=kafka, topic=events_topic, confluent_schema_id=7)}
    )
    run(framed, [])
    records = consume_all(kafka_bootstrap, events_topic, expect_at_least=1)
    assert records and all(value[:5] == b"\x00\x00\x00\x00\x07" for _, value in records)
    assert {e["article_id"] for e in decode(records, "event")} == {"k1"}
    del dead


def test_a_stopped_bounded_run_commits_only_what_it_read(
    kafka: KafkaSettings, kafka_bootstrap: str, topics: tuple[str, str, str], tmp_path: Path, runner_name: str
) -> None:
    articles, events_topic, _ = topics
    produce(kafka_bootstrap, articles, PAYLOADS[:3])
    stop = tmp_path / "stop"
    stop.touch()  # the stop was asked before the first poll
    base = config(kafka, topics, "it-stop")
    stopped = base.model_copy(update={"source": base.source.model_copy(update={"stop_path": str(stop)})})
    summary = run(stopped, [f"--runner={runner_name}"])
    assert summary.get(m.ARTICLES_READ) == 0 and summary.balanced
    assert all(offset < 1 for offset in committed(kafka_bootstrap, "it-stop", articles, 3).values())
    rest = run(base, [f"--runner={runner_name}"])  # the next run reads everything, once
    assert rest.get(m.ARTICLES_READ) == 3
    assert committed(kafka_bootstrap, "it-stop", articles, 3) == end_offsets(kafka_bootstrap, articles, 3)
    assert {e["article_id"] for e in decode(consume_all(kafka_bootstrap, events_topic, 3), "event")} == {
        "k1",
        "k2",
        "k3",
    }


def test_a_broker_refusal_fails_with_the_brokers_reason(kafka: KafkaSettings, kafka_bootstrap: str) -> None:
    name = f"tiny-{uuid.uuid4().hex[:8]}"
    admin = admin_client(kafka)
    try:
        admin.create_topics([NewTopic(name, 1, 1, topic_configs={"max.message.bytes": "512"})])
    finally:
        admin.close()
    settings = KafkaSinkSettings(kafka=kafka, topic=name, outage_limit_s=30)
    producer = make_producer(settings)
    try:
        sender = ConfirmedSender(settings, producer)
        with pytest.raises(SinkRejected) as caught:
            sender.confirm([sender.send(b"k", b"x" * 4096)])
    finally:
        producer.close(timeout=5)
    assert f"topic '{name}' refused 1 of 1 records: MessageSizeTooLargeError" in caught.value.reason
