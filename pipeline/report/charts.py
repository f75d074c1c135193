"""The report's charts as Vega-Lite specs, made with Altair from the report's rows.

Every chart carries its data inline (no URL to load) and names its marks, so a reader of the
rendered page can find and count them: `MARKS` says which mark of which chart draws one
item per what.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import altair as alt

from pipeline.report.data import Claim, CountryCount, DayTypeCount, PlaceCount, Story

WIDTH = 760
WORLD_FILE = "countries-110m.json"
COLOR_CONFLICT = "#d62728"
COLOR_AGREED = "#1f77b4"
LEAD_DAYS = timedelta(days=7)

# Chart id -> mark name -> what each mark stands for.
MARKS: dict[str, dict[str, str]] = {
    "timeline": {"story_span": "story (its event-time range)", "story_start": "story (its first day)"},
    "day_type": {"cell": "day and type with events", "cell_count": "day and type with events"},
    "map": {"country": "country shape", "place": "city or region named by events"},
    "claims": {"claim_figure": "figure (killed or injured) of a casualty claim"},
}


@cache
def world_topology() -> dict[str, Any]:
    """Country shapes (Natural Earth 1:110m, TopoJSON, ids ISO 3166 numeric), shipped with the package."""
    text = resources.files("pipeline.report").joinpath("data", WORLD_FILE).read_text("utf-8")
    topology: dict[str, Any] = json.loads(text)
    return topology


def country_shape_count() -> int:
    """How many country shapes the map draws."""
    return len(world_topology()["objects"]["countries"]["geometries"])


def _iso(value: datetime) -> str:
    return value.isoformat()


def _datetime(value: datetime) -> alt.DateTime:
    return alt.DateTime(year=value.year, month=value.month, date=value.day, utc=True)


def news_period(stories: list[Story]) -> tuple[datetime, datetime]:
    """The span a timeline opens on: from a week before the first report to the end of the
    last story or report. Background events ("the attack on October 7, 2023") lie before it."""
    first = min(s.first_seen for s in stories).replace(hour=0, minute=0, second=0, microsecond=0)
    last = max(max(s.end for s in stories), max(s.last_seen for s in stories))
    return first - LEAD_DAYS, last + timedelta(days=1)


def timeline_chart(stories: list[Story]) -> alt.TopLevelMixin:
    """Stories along event time, one row per type: a bar over the days each story spans and a
    dot on its first day (sized by mentions, hollow when no mention dates it). It opens on the
    news period; stories before it are a drag away."""
    rows = [
        {
            "story": s.label,
            "story_id": s.story_id,
            "type": s.event_type,
            "start": _iso(s.start),
            "end": _iso(s.end),
            "dated": "dated by the text" if s.dated else "publication day",
            "mentions": s.mention_count,
            "articles": s.article_count,
            "sources": s.source_count,
            "place": s.place or ", ".join(s.countries) or "-",
        }
        for s in stories
    ]
    types = sorted({s.event_type for s in stories})
    colors = alt.Scale(domain=types, scheme="tableau20")
    period_start, period_end = news_period(stories)
    earlier = sum(1 for s in stories if s.end <= period_start)
    x_scale = alt.Scale(type="utc")
    # Opens on the news period: the initial value of the zoom (an explicit scale domain would
    # conflict with the zoom's own in a layered chart).
    zoom = alt.selection_interval(
        bind="scales", encodings=["x"], value={"x": [_datetime(period_start), _datetime(period_end)]}
    )
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        x=alt.X("start:T", title="event time (UTC)", scale=x_scale, axis=alt.Axis(format="%b %d")),
        y=alt.Y("type:N", title=None, sort=types),
        tooltip=[
            alt.Tooltip("story:N"),
            alt.Tooltip("start:T", title="first day", format="%Y-%m-%d", formatType="utc"),
            alt.Tooltip("dated:N"),
            alt.Tooltip("place:N"),
            alt.Tooltip("mentions:Q"),
            alt.Tooltip("articles:Q"),
            alt.Tooltip("sources:Q"),
        ],
    )
    span = (
        base.mark_bar(height=6, opacity=0.5, clip=True)
        .encode(
            x2="end:T",
            color=alt.Color("type:N", legend=None, scale=colors),
        )
        .properties(name="story_span")
    )
    start = (
        base.mark_point(filled=True, opacity=0.85, clip=True)
        .encode(
            size=alt.Size("mentions:Q", title="mentions", scale=alt.Scale(range=[40, 400]), legend=None),
            stroke=alt.Stroke("type:N", legend=None, scale=colors),
            fill=alt.condition(
                alt.datum.dated == "publication day", alt.value("white"), alt.Fill("type:N", legend=None, scale=colors)
            ),
        )
        .properties(name="story_start")
    )
    note = "dot: first day, sized by mentions; hollow: no mention dates it (publication day); drag or scroll to zoom"
    if earlier:
        note += (
            f"; {earlier} {'story lies' if earlier == 1 else 'stories lie'} before {period_start:%Y-%m-%d}: drag right"
        )
    return (
        alt.layer(span, start)
        .properties(
            width=WIDTH,
            height=max(120, 26 * len(types)),
            title=alt.TitleParams("Stories by type, along event time", subtitle=note),
        )
        .add_params(zoom)
    )


def day_type_chart(counts: list[DayTypeCount]) -> alt.TopLevelMixin:
    """A grid of event counts: one cell per day of event time and type that has events."""
    rows = [{"day": c.day.isoformat(), "type": c.event_type, "events": c.events} for c in counts]
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        x=alt.X("day:O", title="day of event time (UTC)", sort="ascending"),
        y=alt.Y("type:N", title=None, sort="ascending"),
    )
    cells = (
        base.mark_rect()
        .properties(name="cell")
        .encode(
            color=alt.Color("events:Q", title="events", scale=alt.Scale(scheme="blues", domainMin=0)),
            tooltip=[alt.Tooltip("day:O"), alt.Tooltip("type:N"), alt.Tooltip("events:Q")],
        )
    )
    dark = max((c.events for c in counts), default=0) / 2
    labels = (
        base.mark_text(fontSize=11)
        .properties(name="cell_count")
        .encode(
            text=alt.Text("events:Q"),
            color=alt.condition(alt.datum.events > dark, alt.value("white"), alt.value("black")),
        )
    )
    return alt.layer(cells, labels).properties(
        width=alt.Step(34),
        height=alt.Step(20),
        title=alt.TitleParams(
            "Events by day and type",
            subtitle="one per mention group (main_mention), asserted only, on the day of the event's resolved time",
        ),
    )


def map_chart(places: list[PlaceCount], countries: list[CountryCount]) -> alt.TopLevelMixin:
    """Countries shaded by the events that happened there, and a dot per city or region named."""
    by_numeric = [{"numeric": str(c.numeric), "found": c.events} for c in countries if c.numeric is not None]
    shapes = (
        alt.Chart(
            alt.InlineData(values=world_topology(), format=alt.TopoDataFormat(type="topojson", feature="countries"))
        )
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .properties(name="country")
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(alt.InlineData(values=by_numeric), key="numeric", fields=["found"]),
        )
        # A country without events must keep its shape: a missing count would be filtered out.
        .transform_calculate(events="isValid(datum.found) ? datum.found : 0")
        .encode(
            color=alt.condition(
                "datum.events > 0",
                alt.Color("events:Q", title="events in country", scale=alt.Scale(scheme="oranges", domainMin=0)),
                alt.value("#e4e4e4"),
            ),
            tooltip=[alt.Tooltip("properties.name:N", title="country"), alt.Tooltip("events:Q")],
        )
    )
    rows = [
        {
            "name": p.place.name,
            "latitude": p.place.latitude,
            "longitude": p.place.longitude,
            "country": p.place.country or "-",
            "precision": p.place.precision.lower(),
            "geonames_id": p.place.geonames_id,
            "events": p.events,
        }
        for p in places
    ]
    points = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_circle(color="#08306b", opacity=0.8, stroke="white", strokeWidth=1)
        .properties(name="place")
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("events:Q", title="events naming the place", scale=alt.Scale(range=[40, 500])),
            tooltip=[
                alt.Tooltip("name:N", title="place"),
                alt.Tooltip("country:N"),
                alt.Tooltip("precision:N"),
                alt.Tooltip("geonames_id:N", title="GeoNames id"),
                alt.Tooltip("events:Q"),
            ],
        )
    )
    return (
        alt.layer(shapes, points)
        .project(type="equalEarth")
        .properties(
            width=WIDTH,
            height=400,
            title=alt.TitleParams(
                "Where events happened",
                subtitle="shade: events placed in the country; dots: cities and regions their sentences name "
                "(GeoNames coordinates)",
            ),
        )
    )


def claims_chart(claims: list[Claim], stories: list[Story]) -> alt.TopLevelMixin:
    """Every casualty figure claimed, per story: red where figures conflict."""
    labels = {s.story_id: s.label for s in stories}
    rows = []
    for claim in claims:
        story = labels.get(claim.story_id or "", f"no story · {claim.article_id}")
        for measure, figure in (("killed", claim.killed), ("injured", claim.injured)):
            if figure is None:
                continue
            rows.append(
                {
                    "story": story,
                    "measure": measure,
                    "figure": figure,
                    "figure_text": claim.figure_text,
                    "claimed_by": claim.reported_by or "-",
                    "source": claim.source or "-",
                    "article": claim.article_id,
                    "scope": claim.scope.lower(),
                    "conflict": "conflicting" if claim.conflicting else "no conflict",
                }
            )
    stories_shown = sorted({str(r["story"]) for r in rows})
    top = max((f for c in claims for f in (c.killed, c.injured) if f is not None), default=1)
    chart: alt.TopLevelMixin = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_point(filled=True, size=90, opacity=0.8)
        .encode(
            x=alt.X(
                "figure:Q",
                title="people (symlog scale)",
                scale=alt.Scale(type="symlog"),
                axis=alt.Axis(
                    values=_powers_of_ten(top),
                    labelExpr="format(datum.value, ',')",  # symlog axes ignore `format`
                ),
            ),
            y=alt.Y("story:N", title=None, sort=stories_shown, axis=alt.Axis(labelLimit=330)),
            shape=alt.Shape("measure:N", title="figure", scale=alt.Scale(domain=["killed", "injured"])),
            color=alt.Color(
                "conflict:N",
                title=None,
                scale=alt.Scale(domain=["conflicting", "no conflict"], range=[COLOR_CONFLICT, COLOR_AGREED]),
            ),
            tooltip=[
                alt.Tooltip("story:N"),
                alt.Tooltip("measure:N"),
                alt.Tooltip("figure:Q", format=","),
                alt.Tooltip("figure_text:N", title="as written"),
                alt.Tooltip("scope:N"),
                alt.Tooltip("claimed_by:N"),
                alt.Tooltip("source:N"),
                alt.Tooltip("article:N"),
                alt.Tooltip("conflict:N"),
            ],
        )
        .properties(
            name="claim_figure",
            width=WIDTH - 330,
            height=alt.Step(22),
            title=alt.TitleParams(
                "Casualty figures claimed, per story",
                subtitle="red: the article gives another figure for the same count, or the story's "
                "figures of one day disagree",
            ),
        )
    )
    return chart


def _powers_of_ten(top: int) -> list[int]:
    """Axis ticks 0, 1, 10, 100, ... up to the first power at or above `top`."""
    ticks = [0, 1]
    while ticks[-1] < top:
        ticks.append(ticks[-1] * 10)
    return ticks


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec (validated by Altair), data inline."""
    spec: dict[str, Any] = chart.to_dict()
    return spec
