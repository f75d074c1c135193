"""A run's Avro output as plain typed rows: stories, their mentions, casualty claims, quotes.

`read_run` reads the files (the only I/O here); `report_data` and the counting functions are
pure, over records as schemas/event.avsc and schemas/story.avsc define them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import fastavro
import pycountry

from pipeline.aggregates import COUNTED_MODALITY, event_country
from pipeline.errors import UserError
from pipeline.schemas import load_schema

# Places drawn as points: a country centroid (precision COUNTRY) is the country's shape's job.
POINT_PRECISIONS = frozenset({"CITY", "REGION"})


@dataclass(frozen=True, slots=True)
class Place:
    """A geocoded place named in an event's sentence."""

    name: str
    latitude: float
    longitude: float
    country: str | None
    precision: str
    geonames_id: int | None

    @property
    def key(self) -> tuple[object, ...]:
        """One place however often it is named: its GeoNames id, else its name and point."""
        return (self.geonames_id,) if self.geonames_id is not None else (self.name, self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class Mention:
    """One event record: a mention of an event in one sentence of one article."""

    event_id: str
    story_id: str | None
    article_id: str
    title: str | None
    source: str | None
    published_at: datetime
    event_type: str
    modality: str
    section: str
    sentence: str
    sentence_start: int
    trigger: str
    trigger_start: int
    day: date
    country: str | None
    main_mention: bool
    places: tuple[Place, ...]

    @property
    def counted(self) -> bool:
        """Whether it counts as an event: its mention group's main mention, and asserted."""
        return self.main_mention and self.modality == COUNTED_MODALITY

    @property
    def trigger_offset(self) -> int:
        """Where the trigger starts in `sentence` (-1 when it is not inside it)."""
        offset = self.trigger_start - self.sentence_start
        fits = offset >= 0 and self.sentence[offset : offset + len(self.trigger)] == self.trigger
        return offset if fits else -1


@dataclass(frozen=True, slots=True)
class Claim:
    """A casualty figure as one event record reports it."""

    event_id: str
    story_id: str | None
    article_id: str
    source: str | None
    published_at: datetime
    event_type: str
    killed: int | None
    injured: int | None
    figure_text: str
    qualifier: str
    scope: str
    reported_by: str | None
    victims: str | None
    as_of: date | None
    conflicting_in_article: bool
    conflict_note: str | None
    conflicting_in_story: bool

    @property
    def conflicting(self) -> bool:
        return self.conflicting_in_article or self.conflicting_in_story


@dataclass(frozen=True, slots=True)
class Quote:
    """Attributed speech, tied to the story whose mention shares its sentence (if any)."""

    event_id: str
    story_id: str | None
    article_id: str
    title: str | None
    source: str | None
    published_at: datetime
    speaker: str | None
    reporting_verb: str | None
    addressee: str | None
    text: str
    direct: bool


@dataclass(frozen=True, slots=True)
class Story:
    """One story record (schemas/story.avsc), the parts a report shows."""

    story_id: str
    event_type: str
    event_types: tuple[str, ...]
    family: str
    start: datetime
    end: datetime
    dated: bool
    first_seen: datetime
    last_seen: datetime
    place: str | None
    countries: tuple[str, ...]
    actors: tuple[str, ...]
    mention_count: int
    article_count: int
    source_count: int
    sources: tuple[str, ...]
    article_ids: tuple[str, ...]
    killed_low: int | None
    killed_high: int | None
    injured_low: int | None
    injured_high: int | None
    conflicting: bool

    @property
    def label(self) -> str:
        """A short name people can tell apart: type, place, day and the id's first 8 characters."""
        where = self.place or ", ".join(self.countries) or "no place"
        return f"{self.event_type} · {where} · {self.start:%Y-%m-%d} · {self.story_id[:8]}"


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, from one run's files."""

    stories: tuple[Story, ...]
    mentions: tuple[Mention, ...]
    claims: tuple[Claim, ...]
    quotes: tuple[Quote, ...]
    event_files: int
    story_files: int


@dataclass(frozen=True, slots=True)
class DayTypeCount:
    day: date
    event_type: str
    events: int


@dataclass(frozen=True, slots=True)
class PlaceCount:
    place: Place
    events: int


@dataclass(frozen=True, slots=True)
class CountryCount:
    alpha3: str
    numeric: str | None
    name: str
    events: int


def read_run(out_dir: Path) -> ReportData:
    """The events-*.avro and stories-*.avro files of a run's output directory, as rows.

    Raises UserError when the directory does not exist, holds no events files, or a file
    cannot be read.
    """
    if not out_dir.is_dir():
        raise UserError(f"{out_dir} is not a directory" if out_dir.exists() else f"no such directory: {out_dir}")
    event_paths = sorted(out_dir.glob("events-*.avro"))
    if not event_paths:
        raise UserError(f"no events-*.avro files in {out_dir} (write them with: newsevents backfill --output-dir)")
    story_paths = sorted(out_dir.glob("stories-*.avro"))
    events = _read(event_paths, "event")
    stories = _read(story_paths, "story")
    return report_data(events, stories, event_files=len(event_paths), story_files=len(story_paths))


def _read(paths: list[Path], schema: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                records.extend(fastavro.reader(handle, reader_schema=load_schema(schema)))  # type: ignore[arg-type]
        except (OSError, ValueError, EOFError) as err:
            raise UserError(f"cannot read {path}: {err}") from None
    return records


def report_data(
    events: Iterable[dict[str, Any]], stories: Iterable[dict[str, Any]], event_files: int = 0, story_files: int = 0
) -> ReportData:
    """Rows from event and story records. Records are delivered at least once, and a story is
    republished whole each time it changes: the last record of each id wins."""
    event_records = list(_last_by_id(events, "event_id").values())
    story_rows = sorted(
        (_story(r) for r in _last_by_id(stories, "story_id").values()),
        key=lambda s: (s.start, s.event_type, s.story_id),
    )
    conflicting_stories = {s.story_id for s in story_rows if s.conflicting}
    mentions = sorted(
        (_mention(r) for r in event_records),
        key=lambda m: (m.published_at, m.article_id, m.sentence_start, m.trigger_start, m.event_id),
    )
    by_id = {str(r["event_id"]): r for r in event_records}
    claims = tuple(
        _claim(by_id[m.event_id], conflicting_stories) for m in mentions if by_id[m.event_id].get("casualties")
    )
    return ReportData(
        stories=tuple(story_rows),
        mentions=tuple(mentions),
        claims=claims,
        quotes=_quotes(mentions, by_id),
        event_files=event_files,
        story_files=story_files,
    )


def _last_by_id(records: Iterable[dict[str, Any]], field: str) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        latest[str(record[field])] = record
    return latest


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromtimestamp(int(value) / 1000, UTC)


def _story(record: dict[str, Any]) -> Story:
    casualties = record.get("casualties") or {}
    location = record.get("location")
    return Story(
        story_id=str(record["story_id"]),
        event_type=str(record["event_type"]),
        event_types=tuple(record.get("event_types") or ()),
        family=str(record["story_family"]),
        start=_utc(record["event_time_start"]),
        end=_utc(record["event_time_end"]),
        dated=bool(record.get("dated")),
        first_seen=_utc(record["first_seen"]),
        last_seen=_utc(record["last_seen"]),
        place=str(location["name"]) if location else None,
        countries=tuple(record.get("countries") or ()),
        actors=tuple(record.get("actors") or ()),
        mention_count=int(record["mention_count"]),
        article_count=int(record["article_count"]),
        source_count=int(record["source_count"]),
        sources=tuple(record.get("sources") or ()),
        article_ids=tuple(record.get("article_ids") or ()),
        killed_low=casualties.get("killed_low"),
        killed_high=casualties.get("killed_high"),
        injured_low=casualties.get("injured_low"),
        injured_high=casualties.get("injured_high"),
        conflicting=bool(casualties.get("conflicting")),
    )


def _mention(record: dict[str, Any]) -> Mention:
    sentence = record["sentence"]
    trigger = record["trigger"]
    return Mention(
        event_id=str(record["event_id"]),
        story_id=record.get("story_id"),
        article_id=str(record["article_id"]),
        title=record.get("article_title"),
        source=record.get("source"),
        published_at=_utc(record["published_at"]),
        event_type=str(record["event_type"]),
        modality=str(record.get("modality") or COUNTED_MODALITY),
        section=str(record.get("section") or "BODY"),
        sentence=str(sentence["text"]),
        sentence_start=int(sentence["start"]),
        trigger=str(trigger["text"]),
        trigger_start=int(trigger["start"]),
        day=_utc(record["event_time"]["start"]).date(),
        country=event_country(record),
        main_mention=bool(record.get("main_mention", True)),
        places=_places(record),
    )


def _places(record: dict[str, Any]) -> tuple[Place, ...]:
    places: dict[tuple[object, ...], Place] = {}
    for entity in record.get("entities") or ():
        geo = entity.get("geo")
        if not geo:
            continue
        place = Place(
            name=str(geo["name"]),
            latitude=float(geo["latitude"]),
            longitude=float(geo["longitude"]),
            country=geo.get("country_code"),
            precision=str(geo.get("precision") or "UNKNOWN"),
            geonames_id=geo.get("geonames_id"),
        )
        places.setdefault(place.key, place)
    return tuple(places.values())


def _claim(record: dict[str, Any], conflicting_stories: set[str]) -> Claim:
    casualties = record["casualties"]
    story_id = record.get("story_id")
    as_of = casualties.get("as_of")
    return Claim(
        event_id=str(record["event_id"]),
        story_id=story_id,
        article_id=str(record["article_id"]),
        source=record.get("source"),
        published_at=_utc(record["published_at"]),
        event_type=str(record["event_type"]),
        killed=casualties.get("killed"),
        injured=casualties.get("injured"),
        figure_text=str(casualties.get("figure_text") or ""),
        qualifier=str(casualties.get("qualifier") or "EXACT"),
        scope=str(casualties.get("scope") or "UNKNOWN"),
        reported_by=casualties.get("reported_by"),
        victims=casualties.get("victims"),
        as_of=_utc(as_of).date() if as_of is not None else None,
        conflicting_in_article=bool(casualties.get("conflicting")),
        conflict_note=casualties.get("conflict_note"),
        conflicting_in_story=story_id in conflicting_stories,
    )


def _quotes(mentions: Iterable[Mention], by_id: dict[str, dict[str, Any]]) -> tuple[Quote, ...]:
    """Quotes, each tied to the story of a mention in its own sentence. Speech events get no
    story of their own; a sentence that reports a strike and who said so ties them."""
    ordered = list(mentions)
    story_of_sentence: dict[tuple[str, str, int], str] = {}
    for mention in ordered:
        if mention.story_id is not None:
            story_of_sentence.setdefault(
                (mention.article_id, mention.section, mention.sentence_start), mention.story_id
            )
    quotes: list[Quote] = []
    for mention in ordered:
        quote = by_id[mention.event_id].get("quote")
        if not quote:
            continue
        quotes.append(
            Quote(
                event_id=mention.event_id,
                story_id=story_of_sentence.get((mention.article_id, mention.section, mention.sentence_start)),
                article_id=mention.article_id,
                title=mention.title,
                source=mention.source,
                published_at=mention.published_at,
                speaker=quote.get("speaker"),
                reporting_verb=quote.get("reporting_verb"),
                addressee=quote.get("addressee"),
                text=str(quote["text"]),
                direct=bool(quote.get("direct")),
            )
        )
    return tuple(quotes)


def day_type_counts(mentions: Iterable[Mention]) -> list[DayTypeCount]:
    """Events (counted mentions) per day of their event time and type, by day then type."""
    counts = Counter((m.day, m.event_type) for m in mentions if m.counted)
    return [DayTypeCount(day, kind, n) for (day, kind), n in sorted(counts.items())]


def place_counts(mentions: Iterable[Mention]) -> list[PlaceCount]:
    """Events (counted mentions) per city or region named in their sentences, most named first."""
    counts: Counter[tuple[object, ...]] = Counter()
    places: dict[tuple[object, ...], Place] = {}
    for mention in mentions:
        if not mention.counted:
            continue
        for place in mention.places:
            if place.precision in POINT_PRECISIONS:
                counts[place.key] += 1
                places.setdefault(place.key, place)
    ranked = sorted(counts, key=lambda key: (-counts[key], places[key].name))
    return [PlaceCount(places[key], counts[key]) for key in ranked]


def country_counts(mentions: Iterable[Mention]) -> list[CountryCount]:
    """Events (counted mentions) per country they happened in (pipeline.aggregates.event_country)."""
    counts = Counter(m.country for m in mentions if m.counted and m.country)
    rows = []
    for alpha3, events in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        country = pycountry.countries.get(alpha_3=alpha3)
        rows.append(
            CountryCount(
                alpha3=alpha3,
                numeric=country.numeric if country is not None else None,
                name=country.name if country is not None else alpha3,
                events=events,
            )
        )
    return rows
