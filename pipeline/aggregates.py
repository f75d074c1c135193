"""Windowed counts of events: the pure part (what is counted, and how), over event records.

Everything here works on event records as `schemas/event.avsc` defines them, so the same
functions serve the pipeline, a test, or anyone who wants to recount a topic or a set of files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Only events the text says happened are counted: a planned strike, a demanded ceasefire or a
# denied attack is not a strike, a ceasefire or an attack.
COUNTED_MODALITY = "ASSERTED"
# A running total ("67,000 killed since the war began") is not a toll of this window.
SUMMED_CASUALTY_SCOPES = frozenset({"INCIDENT", "UNKNOWN"})
NO_COUNTRY = "-"


@dataclass(frozen=True, slots=True)
class GroupKey:
    """What a count is kept per, besides its window."""

    event_type: str
    country: str | None


@dataclass(frozen=True, slots=True)
class CountedEvent:
    """The parts of one event record that a count needs."""

    event_id: str
    time_ms: int
    key: GroupKey
    plover: str | None
    article_id: str
    source: str | None
    killed: int
    injured: int


def event_country(record: dict[str, Any]) -> str | None:
    """Where the event happened: its LOCATION actor's country, else the first geocoded place
    in its sentence; None when the record names no place."""
    for actor in record.get("actors") or ():
        if actor.get("role") == "LOCATION" and actor.get("country_code"):
            return str(actor["country_code"])
    for entity in record.get("entities") or ():
        geo = entity.get("geo")
        if geo and geo.get("country_code"):
            return str(geo["country_code"])
    return None


def counted_event(record: dict[str, Any]) -> CountedEvent | None:
    """The event as a count sees it, or None when it is not counted (not asserted)."""
    if record.get("modality", COUNTED_MODALITY) != COUNTED_MODALITY:
        return None
    killed = injured = 0
    casualties = record.get("casualties")
    if casualties and casualties.get("scope", "UNKNOWN") in SUMMED_CASUALTY_SCOPES:
        killed = max(int(casualties.get("killed") or 0), 0)
        injured = max(int(casualties.get("injured") or 0), 0)
    return CountedEvent(
        event_id=str(record["event_id"]),
        time_ms=epoch_ms(record["event_time"]["start"]),
        key=GroupKey(str(record["event_type"]), event_country(record)),
        plover=record.get("plover"),
        article_id=str(record["article_id"]),
        source=record.get("source"),
        killed=killed,
        injured=injured,
    )


@dataclass(slots=True)
class Tally:
    """A running count for one key and window; merged across workers (a CombineFn's
    accumulator), so every part of it is a plain, mergeable value. Adding an event twice
    changes nothing: delivery is at least once, and event ids are deterministic."""

    event_ids: set[str] = field(default_factory=set)
    # The PLOVER type of the key's event type (the ontology gives one per type; the smallest
    # seen is kept, so that merge order cannot change it).
    plover: str | None = None
    sources: set[str] = field(default_factory=set)
    # article id -> (killed, injured): the highest claim of the article's events.
    tolls: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(self, event: CountedEvent) -> Tally:
        self.event_ids.add(event.event_id)
        self.plover = _first(self.plover, event.plover)
        if event.source:
            self.sources.add(event.source)
        killed, injured = self.tolls.get(event.article_id, (0, 0))
        self.tolls[event.article_id] = (max(killed, event.killed), max(injured, event.injured))
        return self

    def merge(self, other: Tally) -> Tally:
        self.event_ids |= other.event_ids
        self.plover = _first(self.plover, other.plover)
        self.sources |= other.sources
        for article, (killed, injured) in other.tolls.items():
            mine = self.tolls.get(article, (0, 0))
            self.tolls[article] = (max(mine[0], killed), max(mine[1], injured))
        return self

    @property
    def events(self) -> int:
        return len(self.event_ids)

    @property
    def killed(self) -> int:
        return sum(killed for killed, _ in self.tolls.values())

    @property
    def injured(self) -> int:
        return sum(injured for _, injured in self.tolls.values())


def supersedes(newest_pane: int | None, pane_index: int) -> bool:
    """True when a firing with `pane_index` is newer than the newest one published for its key
    (None: none yet). Panes accumulate, so the newest holds every event counted before."""
    return newest_pane is None or pane_index > newest_pane


def epoch_ms(value: int | datetime) -> int:
    """A timestamp-millis field as written (int) or as read back by fastavro (datetime)."""
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    return int(value)


def aggregate_key(window_start_ms: int, window_end_ms: int, key: GroupKey) -> str:
    """The upsert key: '2026-12-01T10:00:00Z/2026-12-01T11:00:00Z|STRIKE|PSE'."""
    span = "/".join(_iso(ms) for ms in (window_start_ms, window_end_ms))
    return f"{span}|{key.event_type}|{key.country or NO_COUNTRY}"


def aggregate_record(
    key: GroupKey,
    tally: Tally,
    window_start_ms: int,
    window_end_ms: int,
    *,
    timing: str,
    pane_index: int,
    final: bool,
    emitted_at_ms: int,
) -> dict[str, Any]:
    """The `aggregate.avsc` record of one firing."""
    return {
        "schema_version": "1",
        "key": aggregate_key(window_start_ms, window_end_ms, key),
        "window_start": window_start_ms,
        "window_end": window_end_ms,
        "event_type": key.event_type,
        "plover": tally.plover,
        "country": key.country,
        "events": tally.events,
        "articles": len(tally.tolls),
        "sources": len(tally.sources),
        "killed": tally.killed,
        "injured": tally.injured,
        "timing": timing,
        "pane_index": pane_index,
        "final": final,
        "emitted_at": emitted_at_ms,
    }


def _first(mine: str | None, theirs: str | None) -> str | None:
    return min((p for p in (mine, theirs) if p is not None), default=None)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
