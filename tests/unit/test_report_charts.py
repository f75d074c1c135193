"""The report's Vega-Lite specs: one mark per item the chart stands for, data inline, and the
charts that have nothing to draw left out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pipeline.report import chart_specs
from pipeline.report.charts import MARKS, country_shape_count, news_period, world_topology
from pipeline.report.data import ReportData, report_data

from tests.report_records import casualties, entity, event, geo, story

RAFAH = geo("Rafah", 31.29, 34.25, "PSE", 281129)


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for value in node.values() for k in _keys(value)}
    if isinstance(node, list):
        return {k for value in node for k in _keys(value)}
    return set()


def _layers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {layer["name"]: layer for layer in spec.get("layer", [spec])}


def _values(layer: dict[str, Any], spec: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
    """A layer's inline data (Altair moves it to the spec's named datasets)."""
    data = data or layer.get("data") or spec["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


@pytest.fixture(scope="module")
def data() -> ReportData:
    events = [
        event("e1", story_id="s1", entities=[entity("Rafah", RAFAH)], location_country="PSE",
              casualties=casualties(10, injured=4, conflicting=True)),
        event("e2", story_id="s1", article_id="a2", casualties=casualties(12)),
        event("e3", story_id="s2", event_type="TALKS", day="2025-10-07", location_country="EGY"),
        event("e4", event_type="STATEMENT", day="2025-10-07"),
        event("e5", event_type="STATEMENT", day="2025-10-07", modality="NEGATED"),
    ]  # fmt: skip
    stories = [
        story("s1", conflicting=True, place="Rafah", mentions=2),
        story("s2", event_type="TALKS", start="2025-10-07", end="2025-10-08"),
        # A background story, long before the news: off the timeline's opening view.
        story("s3", start="2023-10-07", end="2023-10-08", first_seen="2025-10-07"),
    ]
    return report_data(events, stories)


@pytest.fixture(scope="module")
def specs(data: ReportData) -> dict[str, dict[str, Any]]:
    return chart_specs(data)


def test_every_chart_carries_its_data_and_loads_nothing(specs: dict[str, dict[str, Any]]) -> None:
    assert set(specs) == {"timeline", "day_type", "map", "claims"}
    for spec in specs.values():
        assert "url" not in _keys(spec)


def test_each_chart_names_the_marks_the_page_counts(specs: dict[str, dict[str, Any]]) -> None:
    for chart_id, marks in MARKS.items():
        assert set(marks) <= set(_layers(specs[chart_id])), chart_id


def test_the_timeline_draws_each_story_once_and_opens_on_the_news(
    specs: dict[str, dict[str, Any]], data: ReportData
) -> None:
    spec = specs["timeline"]
    rows = _values(spec, spec)
    assert sorted(r["story_id"] for r in rows) == ["s1", "s2", "s3"]
    assert {"story_span", "story_start"} == set(_layers(spec))
    zoom = spec["params"][0]
    assert zoom["bind"] == "scales"
    opening = [datetime(d["year"], d["month"], d["date"], tzinfo=UTC) for d in zoom["value"]["x"]]
    assert opening == list(news_period(list(data.stories)))
    assert "1 story lies before 2025-09-30" in spec["title"]["subtitle"]


def test_the_news_period_runs_from_a_week_before_the_first_report_to_the_last_day() -> None:
    stories = report_data([], [story("s1", start="2023-10-07", end="2023-10-08", first_seen="2025-10-05"),
                               story("s2", start="2025-10-06", end="2025-10-09")]).stories  # fmt: skip
    assert news_period(list(stories)) == (
        datetime(2025, 9, 28, tzinfo=UTC),
        datetime(2025, 10, 10, tzinfo=UTC),
    )


def test_counts_by_day_and_type_have_one_cell_per_day_and_type(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["day_type"]
    rows = _values(_layers(spec)["cell"], spec)
    # e1 and e2 are one day's strikes; the negated statement is not counted.
    assert sorted((r["day"], r["type"], r["events"]) for r in rows) == [
        ("2025-10-06", "STRIKE", 2),
        ("2025-10-07", "STATEMENT", 1),
        ("2025-10-07", "TALKS", 1),
    ]


def test_the_map_draws_every_country_shape_and_a_dot_per_place(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["map"]
    layers = _layers(spec)
    assert layers["country"]["data"]["format"] == {"type": "topojson", "feature": "countries"}
    topology = _values(layers["country"], spec)
    assert len(topology["objects"]["countries"]["geometries"]) == country_shape_count() == 177
    lookup = layers["country"]["transform"][0]
    found = _values(layers["country"], spec, lookup["from"]["data"])
    assert sorted((r["numeric"], r["found"]) for r in found) == [("275", 1), ("818", 1)]
    places = _values(layers["place"], spec)
    assert [(p["name"], p["geonames_id"], p["events"]) for p in places] == [("Rafah", 281129, 1)]


def test_the_packaged_country_shapes_are_keyed_by_iso_numeric_codes() -> None:
    geometries = world_topology()["objects"]["countries"]["geometries"]
    ids = {g.get("id") for g in geometries}
    assert {"275", "376", "818", "804", "643", "729"} <= ids  # Palestine, Israel, Egypt, Ukraine, Russia, Sudan


def test_the_claims_chart_has_a_point_per_figure_red_where_they_conflict(specs: dict[str, dict[str, Any]]) -> None:
    spec = specs["claims"]
    rows = _values(spec, spec)
    assert sorted((r["measure"], r["figure"], r["conflict"]) for r in rows) == [
        ("injured", 4, "conflicting"),
        ("killed", 10, "conflicting"),
        ("killed", 12, "conflicting"),  # its story's figures of one day disagree
    ]
    assert spec["encoding"]["x"]["axis"]["values"] == [0, 1, 10, 100]


def test_charts_with_nothing_to_draw_are_left_out() -> None:
    # One planned talk, no stories, no place, no claims: nothing counted, nothing drawn.
    assert chart_specs(report_data([event("e1", event_type="TALKS", modality="PLANNED")], [])) == {}
