"""Event identity on hand-made event records: mention groups within an article, stories across
articles, and the cases that must stay apart. Words and places differ from the stories set."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline.nlp.ontology import load_ontology
from pipeline.schemas import load_schema
from pipeline.stories.evaluation import bcubed, pairwise
from pipeline.stories.facts import mention_facts
from pipeline.stories.grouping import group_mentions
from pipeline.stories.linking import StoryBook, link_records
from pipeline.stories.records import story_record
from pipeline.transforms.stories import casualty_type

FAMILIES = load_ontology().story_families
DAY = 86_400_000
_ids = itertools.count()


def ms(day: str, hour: int = 12) -> int:
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC).timestamp() * 1000)


def event(
    article: str,
    event_type: str,
    *,
    published: str,
    on: str | None = None,
    city: tuple[str, str] | None = None,
    lemma: str = "shell",
    sentence: str = "Artillery shelled the market.",
    section: str = "BODY",
    position: int = 0,
    killed: int | None = None,
    scope: str = "INCIDENT",
    actors: tuple[str, ...] = (),
    source: str | None = None,
) -> dict[str, Any]:
    """An event record with what identity decisions read; `on` dates it, else publication does."""
    entities = []
    if city is not None:
        entities.append(
            {
                "text": city[0],
                "geo": {
                    "name": city[0],
                    "latitude": 1.0,
                    "longitude": 2.0,
                    "country_code": city[1],
                    "precision": "CITY",
                },
            }
        )
    start = ms(on, 0) if on else ms(published, 0)
    mapping = load_ontology().mapping(event_type, None)
    return {
        "plover": mapping.plover,
        "plover_mode": mapping.plover_mode,
        "cameo_root": mapping.cameo,
        "acled_event_type": mapping.acled_event_type,
        "acled_sub_event_type": mapping.acled_sub_event_type,
        "event_id": f"e{next(_ids)}",
        "article_id": article,
        "source": source or f"outlet of {article}",
        "published_at": ms(published),
        "event_type": event_type,
        "section": section,
        "sentence": {"text": sentence, "start": position, "end": position + len(sentence)},
        "trigger": {"text": lemma, "lemma": lemma, "start": position + 1, "end": position + 5},
        "event_time": {
            "start": start,
            "end": None,
            "granularity": "DAY",
            "method": "RELATIVE" if on else "PUBLICATION_DATE",
        },
        "entities": entities,
        "actors": [{"role": "SOURCE", "text": a, "canonical": a, "country_code": None} for a in actors],
        "casualties": {"killed": killed, "injured": None, "scope": scope, "reported_by": None} if killed else None,
    }


def stories_of(*articles: list[dict[str, Any]]) -> dict[str, str]:
    records = [r for article in articles for r in group_mentions(article, FAMILIES)]
    assigned, _ = link_records(records, FAMILIES)
    return assigned


def test_a_headline_its_lede_and_the_toll_are_one_mention_group_with_the_lede_as_main() -> None:
    article = [
        event("a1", "STRIKE", published="2025-02-11", section="HEADLINE", sentence="Market shelled", position=0),
        event("a1", "STRIKE", published="2025-02-11", on="2025-02-10", city=("Mykolaiv", "UKR"), position=20),
        event("a1", "CASUALTIES", published="2025-02-11", lemma="kill", killed=3, position=90),
    ]
    grouped = group_mentions(article, FAMILIES)
    assert len({r["event_group_id"] for r in grouped}) == 1
    assert [r["main_mention"] for r in grouped] == [False, True, False]


def test_two_strikes_an_article_places_in_two_cities_are_two_groups() -> None:
    article = [
        event("a2", "STRIKE", published="2025-02-11", city=("Mykolaiv", "UKR"), position=0),
        event("a2", "STRIKE", published="2025-02-11", city=("Sumy", "UKR"), position=50),
    ]
    grouped = group_mentions(article, FAMILIES)
    assert grouped[0]["event_group_id"] != grouped[1]["event_group_id"]
    assert all(r["main_mention"] for r in grouped)


def test_speech_acts_are_their_own_group_and_join_no_story() -> None:
    said = event("a3", "STATEMENT", published="2025-02-11", lemma="say", city=("Sumy", "UKR"))
    grouped = group_mentions([said], FAMILIES)
    assert grouped[0]["event_group_id"] and grouped[0]["main_mention"]
    assert stories_of([said]) == {}


def test_three_outlets_reporting_one_shelling_in_their_own_words_make_one_story() -> None:
    first = [event("b1", "STRIKE", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"), killed=2)]
    second = [
        event("b2", "STRIKE", published="2025-03-04", section="HEADLINE", lemma="bombard", sentence="Bombardment"),
        event(
            "b2",
            "STRIKE",
            published="2025-03-04",
            on="2025-03-03",
            city=("Kherson", "UKR"),
            lemma="bombard",
            position=30,
        ),
    ]
    third = [
        event(
            "b3", "CASUALTIES", published="2025-03-05", on="2025-03-03", city=("Kherson", "UKR"), lemma="die", killed=5
        )
    ]
    assigned = stories_of(first, second, third)
    assert len(assigned) == 4 and len(set(assigned.values())) == 1


def test_the_same_city_on_days_far_apart_gives_two_stories() -> None:
    monday = [event("c1", "STRIKE", published="2025-04-07", on="2025-04-07", city=("Zaporizhzhia", "UKR"))]
    friday = [event("c2", "STRIKE", published="2025-04-11", on="2025-04-11", city=("Zaporizhzhia", "UKR"))]
    assert len(set(stories_of(monday, friday).values())) == 2


def test_rallies_on_one_day_in_two_cities_are_two_stories() -> None:
    one = [event("d1", "PROTEST", published="2025-05-02", on="2025-05-01", city=("Lyon", "FRA"), lemma="rally")]
    two = [event("d2", "PROTEST", published="2025-05-02", on="2025-05-01", city=("Marseille", "FRA"), lemma="rally")]
    assert len(set(stories_of(one, two).values())) == 2


def test_a_truce_and_the_fighting_that_breaks_it_a_week_later_are_two_stories() -> None:
    truce = [event("e1", "CEASEFIRE", published="2025-06-02", on="2025-06-01", city=("Goma", "COD"), lemma="truce")]
    fighting = [event("e2", "CLASH", published="2025-06-09", on="2025-06-08", city=("Goma", "COD"), lemma="fight")]
    assert len(set(stories_of(truce, fighting).values())) == 2


def test_a_funeral_march_after_an_air_raid_is_its_own_story() -> None:
    raid = [event("f1", "STRIKE", published="2025-07-03", on="2025-07-02", city=("Tyre", "LBN"), lemma="raid")]
    march = [event("f2", "PROTEST", published="2025-07-03", on="2025-07-03", city=("Tyre", "LBN"), lemma="march")]
    assert len(set(stories_of(raid, march).values())) == 2


def test_talks_and_an_arrest_in_one_capital_on_one_day_are_two_stories() -> None:
    talks = [event("g1", "TALKS", published="2025-08-05", on="2025-08-05", city=("Amman", "JOR"), lemma="meet")]
    arrest = [event("g2", "ARREST", published="2025-08-05", on="2025-08-05", city=("Amman", "JOR"), lemma="detain")]
    assert len(set(stories_of(talks, arrest).values())) == 2


def test_a_running_total_joins_no_story() -> None:
    total = event("h1", "CASUALTIES", published="2025-02-11", lemma="kill", killed=900, scope="CUMULATIVE")
    assert mention_facts(total, FAMILIES) is None
    assert stories_of([total]) == {}


def test_a_replay_changes_nothing_and_keeps_the_ids() -> None:
    records = group_mentions(
        [event("i1", "STRIKE", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"))], FAMILIES
    ) + group_mentions(
        [event("i2", "STRIKE", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"))], FAMILIES
    )
    book = StoryBook("violence")
    facts = [f for f in (mention_facts(r, FAMILIES) for r in records) if f is not None]
    first = book.link(facts)
    assert book.link(facts) == {} and book.changed == set()
    again, _ = link_records(records, FAMILIES)
    assert again == first


def test_stories_close_when_nothing_joined_them_for_days_so_a_stream_holds_only_open_ones() -> None:
    book = StoryBook("violence", idle_days=3)
    old = group_mentions(
        [event("j1", "STRIKE", published="2025-01-01", on="2025-01-01", city=("Kherson", "UKR"))], FAMILIES
    )
    new = group_mentions(
        [event("j2", "STRIKE", published="2025-01-20", on="2025-01-20", city=("Sumy", "UKR"))], FAMILIES
    )
    for records in (old, new):
        book.link([f for f in (mention_facts(r, FAMILIES) for r in records) if f is not None])
    closed = book.expire()
    assert [s.mentions[0].article_id for s in closed] == ["j1"]
    assert [s.mentions[0].article_id for s in book.stories.values()] == ["j2"]


def test_a_story_record_keeps_every_casualty_claim_and_flags_rival_figures_of_one_day() -> None:
    articles = [
        [
            event(
                "k1",
                "CASUALTIES",
                published="2025-03-04",
                on="2025-03-03",
                city=("Kherson", "UKR"),
                killed=4,
                source="A",
            )
        ],
        [
            event(
                "k2",
                "CASUALTIES",
                published="2025-03-04",
                on="2025-03-03",
                city=("Kherson", "UKR"),
                killed=9,
                source="B",
            )
        ],
    ]
    records = [r for a in articles for r in group_mentions(a, FAMILIES)]
    _, stories = link_records(records, FAMILIES)
    (story,) = stories
    record = story_record(story, casualty_type())
    casualties = record["casualties"]
    assert (casualties["killed_low"], casualties["killed_high"], casualties["conflicting"]) == (4, 9, True)
    assert [c["source"] for c in casualties["claims"]] == ["A", "B"]
    assert (record["article_count"], record["source_count"], record["plover"]) == (2, 2, "ASSAULT")


def test_a_toll_that_rises_from_one_day_to_the_next_is_not_a_conflict() -> None:
    articles = [
        [event("l1", "CASUALTIES", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"), killed=4)],
        [event("l2", "CASUALTIES", published="2025-03-05", on="2025-03-03", city=("Kherson", "UKR"), killed=9)],
    ]
    _, stories = link_records([r for a in articles for r in group_mentions(a, FAMILIES)], FAMILIES)
    assert len(stories) == 1
    assert story_record(stories[0], casualty_type())["casualties"]["conflicting"] is False


def test_bcubed_and_pairwise_on_a_clustering_worked_by_hand() -> None:
    gold = {1: "x", 2: "x", 3: "y"}
    found = {1: "p", 2: "q", 3: "q"}
    b = bcubed(gold, found)
    # item 1: P 1, R 1/2; item 2: P 1/2, R 1/2; item 3: P 1/2, R 1
    assert (round(b.precision, 4), round(b.recall, 4)) == (round(2 / 3, 4), round(2 / 3, 4))
    p = pairwise(gold, found)
    assert (p.precision, p.recall) == (0.0, 0.0)


_cities = st.sampled_from([("Kherson", "UKR"), ("Sumy", "UKR"), ("Lyon", "FRA"), None])
_types = st.sampled_from(["STRIKE", "CASUALTIES", "PROTEST", "TALKS", "STATEMENT", "ARREST"])
_days = st.sampled_from(["2025-03-01", "2025-03-02", "2025-03-05", None])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(_types, _cities, _days), min_size=1, max_size=4), min_size=1, max_size=6))
def test_every_linkable_event_gets_exactly_one_story_the_same_on_every_run(spec: list[list[Any]]) -> None:
    articles = [
        [
            event(f"p{a}", t, published="2025-03-05", on=day, city=city, position=10 * i)
            for i, (t, city, day) in enumerate(mentions)
        ]
        for a, mentions in enumerate(spec)
    ]
    records = [r for article in articles for r in group_mentions(article, FAMILIES)]
    assigned, stories = link_records(records, FAMILIES)
    linkable = {r["event_id"] for r in records if mention_facts(r, FAMILIES) is not None}
    assert set(assigned) == linkable
    members = [m.event_id for s in stories for m in s.mentions]
    assert sorted(members) == sorted(linkable)
    assert link_records(records, FAMILIES)[0] == assigned


def test_inspect_shows_a_stories_file_as_a_table_of_stories(tmp_path: Path) -> None:
    articles = [
        [event("m1", "STRIKE", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"), killed=4)],
        [event("m2", "CASUALTIES", published="2025-03-04", on="2025-03-03", city=("Kherson", "UKR"), killed=6)],
    ]
    _, stories = link_records([r for a in articles for r in group_mentions(a, FAMILIES)], FAMILIES)
    path = tmp_path / "stories-test.avro"
    with path.open("wb") as handle:
        fastavro.writer(handle, load_schema("story"), [story_record(s, casualty_type()) for s in stories])
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "inspect", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "2025-03-03" in line)
    assert "STRIKE" in row and "Kherson" in row and "4-6!" in row
