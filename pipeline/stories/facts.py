"""What identity decisions need from one event record: its type family, days, places, actors,
trigger, casualty figure and whether its words point back at an earlier report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

DAY_MS = 86_400_000
CODE_FIELDS = ("plover", "plover_mode", "cameo_root", "acled_event_type", "acled_sub_event_type")
# An event the text does not date is dated by its article's publication; news reports an event
# up to this many days after it happened.
UNDATED_LOOKBACK_DAYS = 2
# A possessive day or a demonstrative before the trigger refers back to a known event
# ("Tuesday's strike", "the weekend's raid", "that attack", "the attack").
_BACK_REFERENCE = re.compile(
    r"(?:\b(?:mon|tues|wednes|thurs|fri|satur|sun)day's|\bweekend's|\byesterday's|\bweek's|\bthe|\bthat|\bthis)"
    r"(?:\s+[\w-]+){0,2}\s*$",
    re.IGNORECASE,
)


def epoch_ms(value: int | datetime) -> int:
    """A timestamp-millis field as written (int) or as read back by fastavro (datetime)."""
    return int(value.timestamp() * 1000) if isinstance(value, datetime) else int(value)


@dataclass(frozen=True, slots=True)
class MentionFacts:
    """One event record as identity decisions see it. Days are whole days since the epoch."""

    event_id: str
    article_id: str
    source: str | None
    published_at_ms: int
    event_type: str
    family: str
    section: str
    sentence_start: int
    trigger_start: int
    day_low: int
    day_high: int
    dated: bool
    granularity: str
    countries: frozenset[str]
    cities: frozenset[str]
    regions: frozenset[str]
    actors: frozenset[str]
    lemma: str
    killed: int | None
    injured: int | None
    claimed_by: str | None
    refers_back: bool
    event_group_id: str | None = None
    point: tuple[str, float, float] | None = None  # the first geocoded place: name, latitude, longitude
    # Where the event lands in the codebooks: plover, plover_mode, cameo_root, acled_event_type,
    # acled_sub_event_type, as its record says (older records have none).
    codes: tuple[str | None, ...] = (None, None, None, None, None)

    @property
    def order(self) -> tuple[int, str, int, int, str]:
        """The order in which mentions are decided: by publication, then article, then text."""
        return (self.published_at_ms, self.article_id, self.sentence_start, self.trigger_start, self.event_id)


def mention_facts(record: dict[str, Any], families: dict[str, str]) -> MentionFacts | None:
    """The facts of an event record, or None when its type has no story family or it is a
    running total ("since the war began"), which no single real event owns."""
    family = families.get(str(record["event_type"]))
    casualties = record.get("casualties") or {}
    if family is None or casualties.get("scope") == "CUMULATIVE":
        return None
    published = epoch_ms(record["published_at"])
    low, high, dated = _days(record["event_time"], published)
    countries, cities, regions = _places(record)
    sentence, trigger = record["sentence"], record["trigger"]
    before_trigger = sentence["text"][: max(0, trigger["start"] - sentence["start"])]
    return MentionFacts(
        event_id=str(record["event_id"]),
        article_id=str(record["article_id"]),
        source=record.get("source"),
        published_at_ms=published,
        event_type=str(record["event_type"]),
        family=family,
        section=str(record.get("section") or "BODY"),
        sentence_start=int(sentence["start"]),
        trigger_start=int(trigger["start"]),
        day_low=low,
        day_high=high,
        dated=dated,
        granularity=str(record["event_time"].get("granularity") or "UNKNOWN"),
        countries=countries,
        cities=cities,
        regions=regions,
        actors=_actors(record),
        lemma=str(trigger.get("lemma") or "").lower(),
        killed=_count(casualties.get("killed")),
        injured=_count(casualties.get("injured")),
        claimed_by=casualties.get("reported_by"),
        refers_back=bool(_BACK_REFERENCE.search(before_trigger)),
        event_group_id=record.get("event_group_id"),
        point=_point(record),
        codes=tuple(record.get(name) for name in CODE_FIELDS),
    )


def _days(event_time: dict[str, Any], published_ms: int) -> tuple[int, int, bool]:
    if event_time.get("method") == "PUBLICATION_DATE":
        day = published_ms // DAY_MS
        return day - UNDATED_LOOKBACK_DAYS, day, False
    start = epoch_ms(event_time["start"]) // DAY_MS
    end = event_time.get("end")
    if end is None or event_time.get("granularity") == "DAY":
        return start, start, True
    return start, max(start, (epoch_ms(end) - 1) // DAY_MS), True


def _places(record: dict[str, Any]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    countries: set[str] = set()
    cities: set[str] = set()
    regions: set[str] = set()
    for entity in record.get("entities") or ():
        geo = entity.get("geo")
        if not geo:
            continue
        if geo.get("country_code"):
            countries.add(str(geo["country_code"]))
        name = str(geo.get("name") or "").lower()
        if name and geo.get("precision") == "CITY":
            cities.add(name)
        elif name and geo.get("precision") == "REGION":
            regions.add(name)
    for actor in record.get("actors") or ():
        if actor.get("role") != "LOCATION":
            continue
        if actor.get("country_code"):
            countries.add(str(actor["country_code"]))
        # A place named without a gazetteer match (a dateline city): evidence of where, but
        # too loose a name to rule anything out.
        name = str(actor.get("canonical") or actor.get("text") or "").lower()
        if name and name not in cities:
            regions.add(name)
    return frozenset(countries), frozenset(cities), frozenset(regions)


def _point(record: dict[str, Any]) -> tuple[str, float, float] | None:
    geos = [e["geo"] for e in record.get("entities") or () if e.get("geo")]
    ranked = sorted(geos, key=lambda geo: {"CITY": 0, "REGION": 1}.get(str(geo.get("precision")), 2))
    if not ranked:
        return None
    return str(ranked[0]["name"]), float(ranked[0]["latitude"]), float(ranked[0]["longitude"])


def _actors(record: dict[str, Any]) -> frozenset[str]:
    names: set[str] = set()
    for actor in record.get("actors") or ():
        if actor.get("role") in ("SOURCE", "TARGET"):
            names.add(str(actor.get("canonical") or actor.get("text") or "").lower())
            if actor.get("country_code"):
                names.add(f"iso:{actor['country_code']}")
    names.discard("")
    return frozenset(names)


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, int) and value >= 0 else None
