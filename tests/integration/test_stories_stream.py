"""Stories on Prism, streaming: story upserts reach the stories topic while the job runs, a
later article from another outlet updates its story, and the stream's stories are the ones a
backfill makes from the same events. Checked with a second client (confluent-kafka)."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pipeline.nlp.ontology import load_ontology
from pipeline.stories.linking import link_records

from tests.integration.kafka_helpers import consume_all, decode, newsevents_cli, produce, wait_for

pytestmark = pytest.mark.kafka


def _bodies(day: str) -> dict[str, str]:
    # Our own words: three outlets report one shelling of a depot, a fourth an unrelated arrest.
    return {
        "depot-1": f"Russian artillery shelled a bus depot in Kharkiv on {day}, killing three workers, officials said.",
        "depot-2": f"A missile struck a bus depot in Kharkiv on {day}, and three people died, rescuers reported.",
        "lyon": f"Police in Lyon detained several farmers on {day} after a march through the city centre.",
        "depot-3": f"Rescuers said on {day} that shelling of the Kharkiv depot had killed four people, up from three.",
    }


def _article(article_id: str, body: str, published: datetime) -> bytes:
    stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {"id": article_id, "body": body, "published_at": stamp, "source": f"outlet {article_id}"}
    ).encode()


def _newest(stories: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {story["story_id"]: story for story in stories}


def _depot_story(bootstrap: str, topic: str) -> dict[str, Any] | None:
    newest = _newest(decode(consume_all(bootstrap, topic, timeout_s=5), "story"))
    depot = [s for s in newest.values() if any(a.startswith("depot") for a in s["article_ids"])]
    print(f"stories {[(s['event_type'], s['article_ids']) for s in newest.values()]}")
    return max(depot, key=lambda s: s["article_count"]) if depot else None


@pytest.fixture
def topics(topic_factory: Callable[[str], str]) -> tuple[str, str, str, str]:
    return topic_factory("s-articles"), topic_factory("s-events"), topic_factory("s-dead"), topic_factory("s-stories")


def test_stories_update_on_the_stories_topic_as_articles_arrive(
    kafka_bootstrap: str, topics: tuple[str, str, str, str], tmp_path: Path
) -> None:
    articles, events, dead, stories_topic = topics
    now = datetime.now(UTC).replace(microsecond=0)
    bodies = _bodies(f"{now.day} {now:%B}")
    produce(kafka_bootstrap, articles, [_article(k, bodies[k], now) for k in ("depot-1", "depot-2", "lyon")])
    args = [
        "run", "-b", kafka_bootstrap, "-i", articles, "-o", events, "-d", dead, "--group-id", "g-stories",
        "--stories-topic", stories_topic, "--checkpoint-seconds", "1", "--", "--runner=PrismRunner",
    ]  # fmt: skip
    with newsevents_cli(args, tmp_path) as cli:

        def depot_reported_by(count: int) -> Callable[[], bool]:
            def check() -> bool:
                assert cli.process.poll() is None, f"the run ended early:\n{cli.stderr}"
                story = _depot_story(kafka_bootstrap, stories_topic)
                return story is not None and story["article_count"] == count

            return check

        wait_for(depot_reported_by(2), 180, "one story of the depot shelling from two outlets")
        produce(kafka_bootstrap, articles, [_article("depot-3", bodies["depot-3"], now)])
        wait_for(depot_reported_by(3), 120, "the depot story updated by a third outlet")
        cli.signal(signal.SIGTERM)
        assert cli.wait(60) == 0, cli.stderr

    story = _depot_story(kafka_bootstrap, stories_topic)
    assert story is not None
    assert story["sources"] == ["outlet depot-1", "outlet depot-2", "outlet depot-3"]
    assert story["casualties"]["killed_low"] == 3 and story["casualties"]["killed_high"] == 4
    # The stream's stories are the backfill's: link the same events, as a bounded run does.
    produced = decode(consume_all(kafka_bootstrap, events), "event")
    assigned, _ = link_records(produced, load_ontology().story_families)
    bounded = {}
    for event_id, story_id in assigned.items():
        bounded.setdefault(story_id, set()).add(event_id)
    streamed = {
        s["story_id"]: set(s["member_event_ids"])
        for s in _newest(decode(consume_all(kafka_bootstrap, stories_topic), "story")).values()
    }
    assert streamed == bounded
