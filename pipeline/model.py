"""Records that flow between the pipeline's steps (plain, frozen, picklable dataclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    """Pipeline stages, as recorded on dead letters."""

    READ = "READ"
    DECODE = "DECODE"
    EXTRACT = "EXTRACT"
    ENCODE = "ENCODE"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an input record came from: a Kafka position or an archive file and line."""

    kind: str = "UNKNOWN"
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    path: str | None = None
    line: int | None = None

    @classmethod
    def kafka(cls, topic: str, partition: int, offset: int) -> Provenance:
        return cls(kind="KAFKA", topic=topic, partition=partition, offset=offset)

    @classmethod
    def archive(cls, path: str, line: int) -> Provenance:
        return cls(kind="ARCHIVE", path=path, line=line)

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        if self.kind == "KAFKA":
            return f"{self.topic}[{self.partition}]@{self.offset}"
        if self.kind == "ARCHIVE":
            return f"{self.path}:{self.line}"
        return "unknown"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """An input record exactly as read, before any parsing."""

    payload: bytes
    provenance: Provenance
    key: bytes | None = None
    timestamp_ms: int | None = None  # Kafka record time, or the read time for archives


@dataclass(frozen=True, slots=True)
class Article:
    """A validated article, ready for extraction."""

    id: str
    body: str
    published_at_ms: int
    published_at_inferred: bool
    raw: RawRecord
    title: str | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An input that failed a stage, with the reason; written whole to the dead-letter sink."""

    raw: RawRecord
    stage: Stage
    kind: str
    message: str
    failed_at_ms: int
    article_id: str | None = None


@dataclass(frozen=True, slots=True)
class EncodedRecord:
    """A record ready for a sink: Kafka key and Avro value, plus the dict for file sinks."""

    key: bytes
    value: bytes
    record: dict[str, Any]
