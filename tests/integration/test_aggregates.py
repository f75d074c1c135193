"""Windowed aggregates on Prism, streaming: running counts reach the aggregates topic while the
job runs, and later articles update them (an upsert per window, type and country). Checked
with a second client (confluent-kafka) against counts made here from the events topic."""

from __future__ import annotations

import json
import signal
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pipeline.aggregates import event_country

from tests.integration.kafka_helpers import (
    CliRun,
    article_ids,
    consume_all,
    decode,
    newsevents_cli,
    produce,
    wait_for,
)

pytestmark = pytest.mark.kafka

# Our own words. Each body reports events in a named country with a toll, dated by nothing but
# the publication time, so every event falls in the window of that time.
BODIES = (
    "Troops shelled villages near Kharkiv, killing four civilians, regional officials said.",
    "Police in Nairobi detained twelve demonstrators during a march against fuel prices.",
    "Artillery fire hit a market in Kharkiv, wounding nine shoppers, according to medics.",
)


def _article(article_id: str, body: str, published: datetime, source: str) -> bytes:
    stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"id": article_id, "body": body, "published_at": stamp, "source": source}).encode()


def _counts(events: list[dict[str, Any]]) -> Counter[tuple[str, str | None]]:
    """Distinct asserted events per (type, country), counted here from the event records."""
    distinct = {e["event_id"]: e for e in events if e["modality"] == "ASSERTED"}
    return Counter((e["event_type"], event_country(e)) for e in distinct.values())


def _newest(aggregates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The last record of each key in the topic: the upsert view a table consumer keeps (one
    key is always in one partition, whose order the reader keeps)."""
    return {record["key"]: record for record in aggregates}


def _run_args(bootstrap: str, topics: tuple[str, str, str, str], group: str) -> list[str]:
    articles, events, dead, aggregates = topics
    return [
        "run", "-b", bootstrap, "-i", articles, "-o", events, "-d", dead, "--group-id", group,
        "--aggregates-topic", aggregates, "--early-firing", "1", "--checkpoint-seconds", "1",
        "--", "--runner=PrismRunner",
    ]  # fmt: skip


def _matching(bootstrap: str, topics: tuple[str, str, str, str], cli: CliRun) -> Callable[[], bool]:
    """A condition: the newest aggregates count every recent event of the events topic."""
    _, events, _, aggregates = topics

    def aggregates_match_events() -> bool:
        assert cli.process.poll() is None, f"the run ended early:\n{cli.stderr}"
        produced = decode(consume_all(bootstrap, events, timeout_s=5), "event")
        newest = _newest(decode(consume_all(bootstrap, aggregates, timeout_s=5), "aggregate"))
        counted = Counter({(r["event_type"], r["country"]): r["events"] for r in newest.values()})
        recent = [e for e in produced if e["article_id"] != "old"]
        # Shown if the wait times out: what the topics held the last time we looked.
        panes = {(r["event_type"], r["country"]): r["pane_index"] for r in newest.values()}
        print(f"events {len(recent)}, counted {dict(counted)}, expected {dict(_counts(recent))}, panes {panes}")
        return bool(recent) and counted == _counts(recent)

    return aggregates_match_events


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> tuple[str, str, str, str]:
    return topic_factory("a-articles"), topic_factory("a-events"), topic_factory("a-dead"), topic_factory("a-agg")


def test_aggregates_stream_running_counts_that_later_articles_update(
    kafka_bootstrap: str, topics: tuple[str, str, str, str], tmp_path: Path
) -> None:
    articles, events, _, aggregates = topics
    now = datetime.now(UTC).replace(microsecond=0)
    old = now - timedelta(days=30)
    first = [_article(f"f{i}", body, now, f"outlet-{i}") for i, body in enumerate(BODIES)]
    produce(kafka_bootstrap, articles, [*first, _article("old", BODIES[0], old, "outlet-0")])
    with newsevents_cli(_run_args(kafka_bootstrap, topics, "g-agg"), tmp_path) as cli:
        aggregates_match_events = _matching(kafka_bootstrap, topics, cli)
        wait_for(aggregates_match_events, 180, "aggregates that count the first articles' events")
        before = _newest(decode(consume_all(kafka_bootstrap, aggregates), "aggregate"))
        produce(kafka_bootstrap, articles, [_article(f"s{i}", BODIES[i], now, "outlet-9") for i in (0, 2)])
        wait_for(lambda: len({e["article_id"] for e in decode(consume_all(kafka_bootstrap, events), "event")}) == 6,
                 120, "events of the second articles")  # fmt: skip
        wait_for(aggregates_match_events, 120, "aggregates updated by the second articles")
        cli.signal(signal.SIGTERM)
        assert cli.wait(60) == 0, cli.stderr

    after = _newest(decode(consume_all(kafka_bootstrap, aggregates), "aggregate"))
    grown = [key for key in before if after[key]["events"] > before[key]["events"]]
    assert grown, "no count grew when more articles arrived"
    assert all(after[key]["pane_index"] > before[key]["pane_index"] for key in grown)
    window = 3600 * 1000
    for record in after.values():
        start = int(record["window_start"].timestamp() * 1000)
        assert int(record["window_end"].timestamp() * 1000) - start == window and start % window == 0
        assert record["key"].split("|")[1:] == [record["event_type"], record["country"] or "-"]
    kharkiv = [r for r in after.values() if r["country"] == "UKR"]
    assert kharkiv and max(r["articles"] for r in kharkiv) >= 2
    produced = decode(consume_all(kafka_bootstrap, events), "event")
    late = sum(_counts([e for e in produced if e["article_id"] == "old"]).values())
    assert late > 0
    last = cli.stderr.strip().splitlines()[-1]
    assert "(balanced)" in last and f"{late} events too late for their aggregate window" in last, cli.stderr


def test_counts_lost_with_a_crashed_runner_are_rebuilt_from_the_events_topic(
    kafka_bootstrap: str, topics: tuple[str, str, str, str], tmp_path: Path
) -> None:
    articles, _, _, aggregates = topics
    now = datetime.now(UTC).replace(microsecond=0)
    produce(kafka_bootstrap, articles, [_article(f"c{i}", body, now, f"outlet-{i}") for i, body in enumerate(BODIES)])
    args = _run_args(kafka_bootstrap, topics, "g-agg-crash")
    with newsevents_cli(args, tmp_path) as cli:
        wait_for(_matching(kafka_bootstrap, topics, cli), 180, "aggregates of the first articles")
        cli.kill_hard()  # kill -9: Prism's in-memory window state is gone
    before = _newest(decode(consume_all(kafka_bootstrap, aggregates), "aggregate"))
    produce(kafka_bootstrap, articles, [_article(f"d{i}", BODIES[i], now, "outlet-9") for i in (0, 2)])
    with newsevents_cli(args, tmp_path) as cli:
        # Only the new articles are read from the articles topic (the first ones were
        # committed), yet the counts must hold every event: they are rebuilt from the events.
        wait_for(lambda: {"d0", "d2"} <= set(article_ids(kafka_bootstrap, topics[1], timeout_s=5)),
                 120, "events of the new articles")  # fmt: skip
        wait_for(_matching(kafka_bootstrap, topics, cli), 180, "aggregates of every article, after the restart")
        cli.signal(signal.SIGTERM)
        assert cli.wait(60) == 0, cli.stderr
    after = _newest(decode(consume_all(kafka_bootstrap, aggregates), "aggregate"))
    assert any(after[key]["events"] > before[key]["events"] for key in before), "no count grew"
    assert all(after[key]["events"] >= before[key]["events"] for key in before), "a count lost events"
