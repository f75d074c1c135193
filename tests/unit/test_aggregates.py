"""What a windowed count counts: asserted events, each article's highest toll once, no running
totals; and a tally merged from any split of its events is the tally of all of them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pipeline.aggregates import Tally, aggregate_key, aggregate_record, counted_event, event_country
from pipeline.io.avro_codec import AvroCodec
from pipeline.schemas import load_schema

HOUR_MS = 3_600_000


def record(
    article: str = "a1",
    *,
    event_type: str = "STRIKE",
    modality: str = "ASSERTED",
    killed: int | None = None,
    scope: str = "INCIDENT",
    source: str | None = "wire",
    actors: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    casualties = None if killed is None else {"killed": killed, "injured": None, "scope": scope}
    return {
        "event_id": event_id or f"{article}-{event_type}-{killed}-{scope}-{source}",
        "article_id": article,
        "event_type": event_type,
        "plover": "ASSAULT",
        "modality": modality,
        "source": source,
        "event_time": {"start": 5 * HOUR_MS + 120_000},
        "casualties": casualties,
        "actors": actors or [],
        "entities": entities or [],
    }


def test_the_country_is_the_location_actors_then_the_first_geocoded_place() -> None:
    located = record(actors=[{"role": "SOURCE", "country_code": "RUS"}, {"role": "LOCATION", "country_code": "UKR"}])
    assert event_country(located) == "UKR"
    placed = record(entities=[{"geo": None}, {"geo": {"country_code": "KEN"}}, {"geo": {"country_code": "UGA"}}])
    assert event_country(placed) == "KEN"
    assert event_country(record(actors=[{"role": "SOURCE", "country_code": "RUS"}])) is None


def test_times_count_alike_as_written_and_as_read_back() -> None:
    written = counted_event(record())
    read_back = counted_event({**record(), "event_time": {"start": datetime.fromtimestamp(5 * 3600 + 120, UTC)}})
    assert written is not None and read_back is not None and written.time_ms == read_back.time_ms


def test_planned_demanded_and_denied_events_are_not_counted() -> None:
    for modality in ("PLANNED", "DEMANDED", "HYPOTHETICAL", "NEGATED"):
        assert counted_event(record(modality=modality)) is None
    assert counted_event(record()) is not None


def test_a_headline_and_its_lede_count_their_shared_toll_once_and_running_totals_not_at_all() -> None:
    tally = Tally()
    for event in (
        record("a1", killed=12),  # the headline
        record("a1", killed=14),  # the body's updated figure: the article's highest claim
        record("a2", killed=5, source="other"),
        record("a2", killed=40_000, scope="CUMULATIVE", source="other"),  # a war's running total
    ):
        counted = counted_event(event)
        assert counted is not None
        tally.add(counted)
    assert (tally.events, len(tally.tolls), len(tally.sources), tally.killed) == (4, 2, 2, 19)


events = st.builds(
    record,
    article=st.sampled_from(["a", "b", "c", "d"]),
    killed=st.none() | st.integers(min_value=0, max_value=500),
    source=st.none() | st.sampled_from(["x", "y"]),
)


def test_an_event_delivered_twice_is_counted_once() -> None:
    event = counted_event(record("a1", killed=4, event_id="e-1"))
    assert event is not None
    tally = Tally().add(event).add(event).merge(Tally().add(event))
    assert (tally.events, tally.killed) == (1, 4)


@given(st.lists(events, max_size=30), st.integers(min_value=0, max_value=30))
def test_a_tally_merged_from_two_workers_equals_the_tally_of_all_events(batch: list[dict[str, Any]], cut: int) -> None:
    counted = [c for c in map(counted_event, batch) if c is not None]
    whole, left, right = Tally(), Tally(), Tally()
    for event in counted:
        whole.add(event)
    for event in counted[:cut]:
        left.add(event)
    for event in counted[cut:]:
        right.add(event)
    merged = Tally().merge(right).merge(left)
    assert (merged.event_ids, merged.sources, merged.tolls, merged.plover) == (
        whole.event_ids,
        whole.sources,
        whole.tolls,
        whole.plover,
    )


def test_the_upsert_key_names_the_window_type_and_country_and_the_record_fits_its_schema() -> None:
    counted = counted_event(record(killed=3))
    assert counted is not None
    tally = Tally().add(counted)
    key = aggregate_key(5 * HOUR_MS, 6 * HOUR_MS, counted.key)
    assert key == "1970-01-01T05:00:00Z/1970-01-01T06:00:00Z|STRIKE|-"
    built = aggregate_record(
        counted.key, tally, 5 * HOUR_MS, 6 * HOUR_MS, timing="EARLY", pane_index=0, final=False, emitted_at_ms=1
    )
    codec = AvroCodec("aggregate")
    back = codec.decode(codec.encode(built))
    assert back["key"] == key and back["events"] == 1 and back["killed"] == 3 and back["plover"] == "ASSAULT"
    assert load_schema("aggregate")["name"] == "dev.newsevents.Aggregate"
