"""The report's rows from hand-made event and story records: what is counted, placed, flagged
and tied to which story; and the user mistakes read_run reports in one line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pipeline.errors import UserError
from pipeline.report.data import country_counts, day_type_counts, place_counts, read_run, report_data

from tests.report_records import casualties, entity, event, geo, quote, story, write_avro

RAFAH = geo("Rafah", 31.29, 34.25, "PSE", 281129)
CAIRO = geo("Cairo", 30.06, 31.25, "EGY", 360630)
GAZA_REGION = geo("Gaza Strip", 31.4, 34.4, "PSE", None, precision="REGION")
EGYPT_CENTROID = geo("Egypt", 26.5, 30.8, "EGY", 357994, precision="COUNTRY")


def test_the_last_record_of_an_id_wins_for_events_and_stories() -> None:
    # At-least-once delivery repeats an event; a story is republished whole when it grows.
    events = [event("e1", event_type="STRIKE"), event("e1", event_type="CLASH"), event("e2")]
    stories = [story("s1", mentions=1), story("s1", mentions=3)]
    data = report_data(events, stories)
    assert sorted((m.event_id, m.event_type) for m in data.mentions) == [("e1", "CLASH"), ("e2", "STRIKE")]
    assert [(s.story_id, s.mention_count) for s in data.stories] == [("s1", 3)]


@pytest.mark.parametrize(
    ("modality", "main_mention", "counted"),
    [
        ("ASSERTED", True, True),
        ("ASSERTED", False, False),  # a headline repeating the lede's event
        ("PLANNED", True, False),
        ("NEGATED", True, False),
        ("DEMANDED", True, False),
    ],
)
def test_only_asserted_main_mentions_count_as_events(modality: str, main_mention: bool, counted: bool) -> None:
    data = report_data([event("e1", modality=modality, main_mention=main_mention)], [])
    assert data.mentions[0].counted is counted
    assert len(day_type_counts(data.mentions)) == int(counted)


def test_counts_by_day_and_type_group_on_the_event_day_not_the_publication_day() -> None:
    events = [
        event("e1", day="2025-10-06", published="2025-10-08"),
        event("e2", day="2025-10-06", article_id="a2"),
        event("e3", day="2025-10-07", event_type="TALKS"),
        event("e4", day="2025-10-07"),
    ]
    counts = day_type_counts(report_data(events, []).mentions)
    assert [(c.day, c.event_type, c.events) for c in counts] == [
        (date(2025, 10, 6), "STRIKE", 2),
        (date(2025, 10, 7), "STRIKE", 1),
        (date(2025, 10, 7), "TALKS", 1),
    ]


def test_places_are_cities_and_regions_counted_once_per_event() -> None:
    events = [
        # Rafah named twice in one sentence, the Gaza Strip (a region) and a country centroid.
        event("e1", entities=[entity("Rafah", RAFAH), entity("Rafah", RAFAH), entity("Gaza", GAZA_REGION)]),
        event("e2", entities=[entity("Rafah", RAFAH), entity("Egypt", EGYPT_CENTROID)]),
        event("e3", entities=[entity("Cairo", CAIRO)], modality="PLANNED"),  # not an event that happened
    ]
    places = place_counts(report_data(events, []).mentions)
    assert [(p.place.name, p.place.precision, p.events) for p in places] == [
        ("Rafah", "CITY", 2),
        ("Gaza Strip", "REGION", 1),
    ]


def test_countries_get_iso_numeric_codes_for_the_map_and_keep_unknown_codes() -> None:
    events = [
        event("e1", location_country="PSE"),
        event("e2", location_country="PSE"),
        event("e3", entities=[entity("Cairo", CAIRO)]),  # no LOCATION actor: the place's country
        event("e4", location_country="XKX"),  # Kosovo's user-assigned code: no ISO numeric
        event("e5"),  # no place at all
    ]
    rows = country_counts(report_data(events, []).mentions)
    assert [(c.alpha3, c.numeric, c.events) for c in rows] == [("PSE", "275", 2), ("EGY", "818", 1), ("XKX", None, 1)]
    assert rows[2].name == "XKX"


def test_claims_are_flagged_by_their_article_and_by_their_story() -> None:
    events = [
        event("e1", story_id="s1", casualties=casualties(10, conflicting=True, note="killed 12 in: headline")),
        event("e2", story_id="s2", casualties=casualties(5, injured=7)),
        event("e3", story_id="s3", casualties=casualties(3)),
        event("e4", story_id="s3"),  # no claim
    ]
    stories = [story("s1", conflicting=False), story("s2", conflicting=True), story("s3", conflicting=False)]
    claims = {c.event_id: c for c in report_data(events, stories).claims}
    assert sorted(claims) == ["e1", "e2", "e3"]
    assert (claims["e1"].conflicting_in_article, claims["e1"].conflicting_in_story) == (True, False)
    assert claims["e1"].conflict_note == "killed 12 in: headline"
    assert (claims["e2"].conflicting_in_article, claims["e2"].conflicting_in_story) == (False, True)
    assert (claims["e2"].killed, claims["e2"].injured) == (5, 7)
    assert not claims["e3"].conflicting


def test_a_quote_belongs_to_the_story_mentioned_in_its_own_sentence() -> None:
    said = "Jets struck Rafah, the ministry said."
    other = "We will not stop, he said."
    events = [
        event("strike", story_id="s1", sentence=said, sentence_start=100),
        event("said", event_type="STATEMENT", sentence=said, sentence_start=100, quote=quote("Jets struck Rafah")),
        event("elsewhere", event_type="STATEMENT", sentence=other, sentence_start=200, quote=quote("We will not stop")),
        # The same offsets in another article are another sentence.
        event("other-article", article_id="a2", event_type="STATEMENT", sentence=said, sentence_start=100,
              quote=quote("Jets struck Rafah")),
    ]  # fmt: skip
    quotes = {q.event_id: q.story_id for q in report_data(events, [story("s1")]).quotes}
    assert quotes == {"said": "s1", "elsewhere": None, "other-article": None}


@pytest.mark.parametrize(
    ("sentence", "sentence_start", "trigger", "offset"),
    [
        ("Jets struck Rafah.", 0, ("struck", 5), 5),
        ("Jets struck Rafah.", 40, ("struck", 45), 5),  # body offsets: relative to the sentence
        ("Jets struck Rafah.", 0, ("struck", 9), -1),  # offsets that do not point at the trigger
        ("Jets struck Rafah.", 10, ("struck", 2), -1),  # before the sentence
    ],
)
def test_the_trigger_is_found_in_its_sentence_only_where_the_offsets_say(
    sentence: str, sentence_start: int, trigger: tuple[str, int], offset: int
) -> None:
    mention = report_data([event("e1", sentence=sentence, sentence_start=sentence_start, trigger=trigger)], [])
    assert mention.mentions[0].trigger_offset == offset


def test_stories_are_ordered_by_event_time_and_labelled() -> None:
    stories = [story("bbbbbbbb-2", start="2025-10-07", end="2025-10-08"), story("aaaaaaaa-1", place="Rafah")]
    data = report_data([], stories)
    assert [s.story_id for s in data.stories] == ["aaaaaaaa-1", "bbbbbbbb-2"]
    assert data.stories[0].label == "STRIKE · Rafah · 2025-10-06 · aaaaaaaa"
    assert data.stories[1].label == "STRIKE · PSE · 2025-10-07 · bbbbbbbb"


def test_read_run_reads_the_files_of_a_directory(tmp_path: Path) -> None:
    write_avro(tmp_path / "events-w1-x.avro", "event", [event("e1", story_id="s1"), event("e2")])
    write_avro(tmp_path / "events-w2-y.avro", "event", [event("e3")])
    write_avro(tmp_path / "stories-w1-x.avro", "story", [story("s1")])
    write_avro(tmp_path / "aggregates-w1-x.avro", "event", [event("not-an-event-file")])
    data = read_run(tmp_path)
    assert sorted(m.event_id for m in data.mentions) == ["e1", "e2", "e3"]
    assert [s.story_id for s in data.stories] == ["s1"]
    assert (data.event_files, data.story_files) == (2, 1)


def test_a_run_without_stories_files_still_reads(tmp_path: Path) -> None:
    write_avro(tmp_path / "events-w1-x.avro", "event", [event("e1")])
    data = read_run(tmp_path)
    assert (len(data.mentions), data.stories, data.story_files) == (1, (), 0)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no such directory"),
        ("file", "is not a directory"),
        ("empty", "no events-*.avro files in"),
        ("garbage", "cannot read"),
    ],
)
def test_user_mistakes_are_one_line_errors(tmp_path: Path, setup: str, message: str) -> None:
    target = tmp_path / "out"
    if setup == "file":
        target.write_text("not a directory")
    elif setup == "empty":
        target.mkdir()
        write_avro(target / "stories-w1-x.avro", "story", [story("s1")])
    elif setup == "garbage":
        target.mkdir()
        (target / "events-w1-x.avro").write_bytes(b"this is not avro")
    with pytest.raises(UserError, match=re.escape(message)) as caught:
        read_run(target)
    assert "\n" not in str(caught.value)
