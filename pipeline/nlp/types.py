"""Plain records the NLP layer produces; independent of Beam, Kafka and Avro."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Section(StrEnum):
    HEADLINE = "HEADLINE"
    SUBHEAD = "SUBHEAD"
    BULLET = "BULLET"
    BODY = "BODY"


class Modality(StrEnum):
    ASSERTED = "ASSERTED"
    PLANNED = "PLANNED"
    HYPOTHETICAL = "HYPOTHETICAL"
    NEGATED = "NEGATED"
    DEMANDED = "DEMANDED"


class Role(StrEnum):
    SOURCE = "SOURCE"
    TARGET = "TARGET"
    SPEAKER = "SPEAKER"
    ADDRESSEE = "ADDRESSEE"
    LOCATION = "LOCATION"
    MEDIATOR = "MEDIATOR"
    OTHER = "OTHER"


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"
    RANGE = "RANGE"
    UNKNOWN = "UNKNOWN"


class TimeMethod(StrEnum):
    EXPLICIT_DATE = "EXPLICIT_DATE"
    RELATIVE = "RELATIVE"
    PARTIAL_DATE = "PARTIAL_DATE"
    RANGE = "RANGE"
    CONTEXT = "CONTEXT"
    PUBLICATION_DATE = "PUBLICATION_DATE"


class Flag(StrEnum):
    CONFLICTING_FIGURES = "CONFLICTING_FIGURES"
    DATELINE_LOCATION = "DATELINE_LOCATION"
    BACKGROUND = "BACKGROUND"
    PUBLISHED_AT_INFERRED = "PUBLISHED_AT_INFERRED"


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph-level unit of text: headline, subhead, bullet item or body paragraph."""

    section: Section
    text: str
    start: int  # offset of text[0] in the body (in the title for HEADLINE)
    paragraph: int


@dataclass(frozen=True, slots=True)
class GeoPoint:
    name: str
    latitude: float
    longitude: float
    geonames_id: int | None
    country_code: str | None
    precision: str  # CITY, REGION, COUNTRY


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """An entity mention after article-level resolution."""

    text: str
    label: str
    canonical: str
    start: int
    end: int
    country_code: str | None = None
    geo: GeoPoint | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    role: Role
    text: str
    start: int
    end: int
    canonical: str | None = None
    label: str | None = None
    country_code: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    start: int
    end: int
    direct: bool
    speaker: str | None
    reporting_verb: str | None
    addressee: str | None


@dataclass(frozen=True, slots=True)
class EventTime:
    start_ms: int
    end_ms: int | None
    granularity: Granularity
    anchor_text: str | None
    method: TimeMethod


@dataclass(frozen=True, slots=True)
class CasualtyClaim:
    killed: int | None
    injured: int | None
    qualifier: str  # EXACT, AT_LEAST, MORE_THAN, ABOUT, UP_TO, FEWER_THAN
    scope: str  # INCIDENT, CUMULATIVE, UNKNOWN
    figure_text: str
    victims: str | None = None
    since_ms: int | None = None
    as_of_ms: int | None = None
    reported_by: str | None = None
    conflicting: bool = False
    conflict_note: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    """One event, as found in the text; article metadata is added when it is encoded."""

    event_type: str
    modality: Modality
    section: Section
    sentence_text: str
    sentence_start: int
    sentence_end: int
    trigger_text: str
    trigger_lemma: str
    trigger_start: int
    trigger_end: int
    time: EventTime
    confidence: float
    mode: str | None = None
    plover: str | None = None
    cameo: str | None = None
    plover_mode: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    entities: tuple[EntityInfo, ...] = ()
    actors: tuple[Actor, ...] = ()
    quote: Quote | None = None
    casualties: CasualtyClaim | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What extraction needs of an article (independent of Kafka and Beam)."""

    body: str
    published_at_ms: int
    title: str | None = None
    language: str | None = None
    published_at_inferred: bool = False
