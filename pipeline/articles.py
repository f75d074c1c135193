"""Decode and validate input articles: raw bytes in, an `Article` out, or `InvalidRecord`."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import fastavro
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from pipeline.errors import ErrorKind, InvalidRecord
from pipeline.model import Article, RawRecord
from pipeline.schemas import load_schema

InputFormat = Literal["json", "avro", "avro-confluent"]
# Reads a registry-framed value (wire header included) into the given reader schema.
FramedReader = Callable[[bytes, Any], Any]
# Kafka's default message limit is 1 MB: a body of that size is read and processed; larger ones
# are dead-lettered as body_too_large.
DEFAULT_MAX_BODY_CHARS = 1_048_576
_CONFLUENT_MAGIC = 0
# Publication times outside this span are data errors (year 1 or 9999 cannot be reasoned
# about: relative dates would leave the calendar).
EARLIEST_PUBLISHED = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_PUBLISHED = datetime(2200, 1, 1, tzinfo=UTC)
# Fields that identify or describe the article and are kept as given; body and title are
# cleaned character by character instead (clean_text).
_VERBATIM_FIELDS = ("id", "url", "source", "language", "published_at")


class ArticleIn(BaseModel):
    """The input contract (schemas/article.avsc); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: StrictStr
    body: StrictStr
    title: StrictStr | None = None
    url: StrictStr | None = None
    source: StrictStr | None = None
    published_at: StrictStr | None = None
    language: StrictStr | None = None


def decode_article(
    raw: RawRecord,
    *,
    input_format: InputFormat = "json",
    max_body_chars: int = DEFAULT_MAX_BODY_CHARS,
    now_ms: int,
    framed_reader: FramedReader | None = None,
) -> Article:
    """Parse and validate one input record. `framed_reader` reads registry-framed Avro with
    the writer's schema (pipeline.io.registry.WriterSchemas.decode); without it, framed
    records are read with our own article schema.

    Raises:
        InvalidRecord: with the reason, for anything that breaks the input contract.
    """
    fields = _payload_to_mapping(raw.payload, input_format, framed_reader)
    article_id = fields.get("id") if isinstance(fields.get("id"), str) else None
    try:
        parsed = ArticleIn.model_validate(fields)
    except ValidationError as err:
        raise _from_validation_error(err, article_id) from None
    _require_valid_unicode(parsed)
    if not parsed.id.strip():
        raise InvalidRecord(ErrorKind.EMPTY_FIELD, "field 'id' is empty")
    if not parsed.body.strip():
        raise InvalidRecord(ErrorKind.EMPTY_FIELD, "field 'body' is empty", parsed.id)
    if len(parsed.body) > max_body_chars:
        raise InvalidRecord(
            ErrorKind.BODY_TOO_LARGE,
            f"body has {len(parsed.body):,} characters, over the limit of {max_body_chars:,}",
            parsed.id,
        )
    if not any(ch.isalnum() for ch in parsed.body):
        raise InvalidRecord(ErrorKind.UNUSABLE_TEXT, "body has no letters or digits", parsed.id)
    if parsed.published_at is None:
        published_ms, inferred = _record_time_or_now(raw.timestamp_ms, now_ms), True
    else:
        published_ms, inferred = parse_rfc3339_ms(parsed.published_at, parsed.id), False
    return Article(
        id=parsed.id,
        body=clean_text(parsed.body),
        title=clean_text(parsed.title) if parsed.title else None,
        url=parsed.url,
        source=parsed.source,
        language=parsed.language,
        published_at_ms=published_ms,
        published_at_inferred=inferred,
        raw=raw,
    )


def clean_text(text: str) -> str:
    """Replace control and format characters (but not line breaks or tabs) with spaces.

    One character in, one character out, so offsets into the result are offsets into the input.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)


def parse_rfc3339_ms(value: str, article_id: str | None = None) -> int:
    """Epoch milliseconds of an RFC 3339 timestamp; the offset is required, and the time must
    lie between EARLIEST_PUBLISHED and LATEST_PUBLISHED."""
    shown = repr(value[:40])
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRecord(
            ErrorKind.INVALID_TIMESTAMP, f"published_at {shown} is not an RFC 3339 timestamp", article_id
        ) from None
    if parsed.tzinfo is None:
        raise InvalidRecord(
            ErrorKind.INVALID_TIMESTAMP,
            f"published_at {shown} has no UTC offset (RFC 3339 needs one, e.g. Z)",
            article_id,
        )
    try:
        in_range = EARLIEST_PUBLISHED <= parsed < LATEST_PUBLISHED
    except OverflowError:  # the offset moves it past year 1 or 9999
        in_range = False
    if not in_range:
        raise InvalidRecord(
            ErrorKind.INVALID_TIMESTAMP,
            f"published_at {shown} is outside {EARLIEST_PUBLISHED.year}-{LATEST_PUBLISHED.year - 1}",
            article_id,
        )
    return int(parsed.timestamp() * 1000)


def _record_time_or_now(timestamp_ms: int | None, now_ms: int) -> int:
    """The Kafka record time stands in for a missing published_at, when it is a sane time
    (Kafka writes -1 for "no timestamp"; record times start at the epoch)."""
    latest = int(LATEST_PUBLISHED.timestamp() * 1000)
    if timestamp_ms is not None and 0 <= timestamp_ms < latest:
        return timestamp_ms
    return now_ms


def _require_valid_unicode(parsed: ArticleIn) -> None:
    """JSON can spell unpaired surrogates (\\ud800), which no UTF-8 sink can write."""
    for name in _VERBATIM_FIELDS:
        value = getattr(parsed, name)
        if value is None:
            continue
        position = _first_surrogate(value)
        if position is not None:
            raise InvalidRecord(
                ErrorKind.INVALID_UNICODE,
                f"field '{name}' holds an unpaired surrogate U+{ord(value[position]):04X} at character {position}",
                None if name == "id" else parsed.id,
            )


def _first_surrogate(text: str) -> int | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def _payload_to_mapping(
    payload: bytes, input_format: InputFormat, framed_reader: FramedReader | None
) -> dict[str, Any]:
    if input_format == "json":
        return _json_mapping(payload)
    return _avro_mapping(payload, framed=input_format == "avro-confluent", framed_reader=framed_reader)


def _json_mapping(payload: bytes) -> dict[str, Any]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidRecord(ErrorKind.NOT_UTF8, f"payload is not UTF-8 (bad byte at position {err.start})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidRecord(ErrorKind.INVALID_JSON, f"payload is not JSON: {err.msg} at line {err.lineno}") from None
    except RecursionError:
        raise InvalidRecord(ErrorKind.NESTED_TOO_DEEP, "payload is JSON nested too deeply to read") from None
    except ValueError as err:  # e.g. an integer of more digits than Python converts
        raise InvalidRecord(ErrorKind.INVALID_JSON, f"payload is not usable JSON: {err}") from None
    if not isinstance(value, dict):
        raise InvalidRecord(ErrorKind.NOT_AN_OBJECT, f"payload is a JSON {type(value).__name__}, not an object")
    return value


def _avro_mapping(payload: bytes, *, framed: bool, framed_reader: FramedReader | None = None) -> dict[str, Any]:
    body = payload
    if framed:
        if len(payload) < 5 or payload[0] != _CONFLUENT_MAGIC:
            raise InvalidRecord(ErrorKind.INVALID_AVRO, "payload lacks the Confluent wire-format header")
        body = payload[5:]
    try:
        if framed and framed_reader is not None:
            record = framed_reader(payload, _article_schema())
        else:
            record = fastavro.schemaless_reader(io.BytesIO(body), _article_schema(), None)
    except (EOFError, ValueError, IndexError, UnicodeDecodeError, OverflowError, MemoryError, TypeError) as err:
        # Garbage bytes read as Avro can claim huge lengths or impossible unions.
        raise InvalidRecord(
            ErrorKind.INVALID_AVRO, f"payload is not an Article Avro record: {type(err).__name__}: {err}"
        ) from None
    if not isinstance(record, dict):
        raise InvalidRecord(ErrorKind.INVALID_AVRO, "payload is not an Article Avro record")
    return record


@lru_cache(maxsize=1)
def _article_schema() -> Any:
    return load_schema("article")


def _from_validation_error(err: ValidationError, article_id: str | None) -> InvalidRecord:
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "payload"
    if first["type"] == "missing":
        return InvalidRecord(ErrorKind.MISSING_FIELD, f"required field '{field}' is missing", article_id)
    return InvalidRecord(
        ErrorKind.WRONG_TYPE,
        f"field '{field}' has the wrong type: {first['msg'].lower()}",
        article_id,
    )
