"""Hand-made event and story records (schemas/event.avsc, schemas/story.avsc) for the report's
tests, and a writer that checks them against the schemas by writing them as Avro files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro
from pipeline.schemas import load_schema


def ms(day: str, hour: int = 0) -> int:
    """Epoch milliseconds of `day` (YYYY-MM-DD) at `hour` UTC."""
    return int(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC).timestamp() * 1000)


def geo(name: str, lat: float, lon: float, country: str, geonames_id: int | None, precision: str = "CITY") -> dict:
    return {
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "geonames_id": geonames_id,
        "country_code": country,
        "precision": precision,
    }


def entity(text: str, place: dict[str, Any] | None = None, country: str | None = None) -> dict[str, Any]:
    return {
        "text": text,
        "label": "GPE",
        "canonical": text,
        "start": 0,
        "end": len(text),
        "country_code": country,
        "geo": place,
    }


def event(
    event_id: str,
    *,
    article_id: str = "a1",
    event_type: str = "STRIKE",
    day: str = "2025-10-06",
    published: str = "2025-10-07",
    sentence: str = "Jets struck Rafah on Monday.",
    sentence_start: int = 0,
    trigger: tuple[str, int] = ("struck", 5),
    modality: str = "ASSERTED",
    main_mention: bool = True,
    story_id: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    location_country: str | None = None,
    casualties: dict[str, Any] | None = None,
    quote: dict[str, Any] | None = None,
    section: str = "BODY",
    source: str | None = "Wire",
) -> dict[str, Any]:
    """A valid event record; the keyword arguments are what the report reads."""
    actors = []
    if location_country:
        actors.append(
            {
                "role": "LOCATION",
                "text": "there",
                "canonical": None,
                "label": "GPE",
                "country_code": location_country,
                "start": 0,
                "end": 5,
            }
        )
    return {
        "schema_version": "1",
        "event_id": event_id,
        "article_id": article_id,
        "article_url": None,
        "article_title": f"Title of {article_id}",
        "source": source,
        "language": "en",
        "published_at": ms(published, 9),
        "published_at_origin": "ARTICLE",
        "processed_at": ms("2026-01-01"),
        "event_type": event_type,
        "event_mode": None,
        "plover": None,
        "cameo_root": None,
        "modality": modality,
        "section": section,
        "sentence": {"text": sentence, "start": sentence_start, "end": sentence_start + len(sentence)},
        "trigger": {"text": trigger[0], "lemma": trigger[0], "start": trigger[1], "end": trigger[1] + len(trigger[0])},
        "entities": entities or [],
        "actors": actors,
        "quote": quote,
        "casualties": casualties,
        "event_time": {
            "start": ms(day),
            "end": ms(day) + 86_400_000,
            "granularity": "DAY",
            "anchor_text": None,
            "method": "RELATIVE",
        },
        "confidence": 0.9,
        "flags": [],
        "extractor_version": "test",
        "provenance": {"kind": "ARCHIVE", "topic": None, "partition": None, "offset": None, "path": "x", "line": 1},
        "event_group_id": None,
        "main_mention": main_mention,
        "story_id": story_id,
    }


def casualties(
    killed: int | None, injured: int | None = None, conflicting: bool = False, note: str | None = None
) -> dict[str, Any]:
    return {
        "killed": killed,
        "injured": injured,
        "qualifier": "AT_LEAST",
        "scope": "INCIDENT",
        "victims": "people",
        "since": None,
        "as_of": ms("2025-10-06"),
        "reported_by": "the health ministry",
        "figure_text": f"at least {killed}",
        "conflicting": conflicting,
        "conflict_note": note,
    }


def quote(text: str, speaker: str = "the ministry", direct: bool = True) -> dict[str, Any]:
    return {
        "text": text,
        "start": 0,
        "end": len(text),
        "direct": direct,
        "speaker": speaker,
        "reporting_verb": "say",
        "addressee": None,
    }


def story(
    story_id: str,
    *,
    event_type: str = "STRIKE",
    start: str = "2025-10-06",
    end: str = "2025-10-07",
    first_seen: str = "2025-10-07",
    mentions: int = 1,
    conflicting: bool | None = None,
    place: str | None = None,
    members: list[str] | None = None,
) -> dict[str, Any]:
    """A valid story record; `conflicting` None means no casualty claims."""
    return {
        "schema_version": "1",
        "story_id": story_id,
        "story_family": "violence",
        "event_type": event_type,
        "event_types": [event_type],
        "plover": None,
        "cameo_root": None,
        "acled_event_type": None,
        "first_seen": ms(first_seen, 9),
        "last_seen": ms(first_seen, 9),
        "event_time_start": ms(start),
        "event_time_end": ms(end),
        "dated": True,
        "location": {"name": place, "latitude": 31.3, "longitude": 34.2} if place else None,
        "countries": ["PSE"],
        "places": [place] if place else [],
        "actors": ["israel"],
        "mention_count": mentions,
        "article_count": 1,
        "source_count": 1,
        "sources": ["Wire"],
        "article_ids": ["a1"],
        "casualties": None
        if conflicting is None
        else {
            "killed_low": 10,
            "killed_high": 12,
            "injured_low": None,
            "injured_high": None,
            "conflicting": conflicting,
            "claims": [],
        },
        "member_event_ids": members or [],
    }


def write_avro(path: Path, kind: str, records: list[dict[str, Any]]) -> Path:
    """Write `records` with the schema of `kind` (event or story); fastavro rejects a record
    the schema does not allow."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        fastavro.writer(handle, load_schema(kind), records, validator=True)
    return path
