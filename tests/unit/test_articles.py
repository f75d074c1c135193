"""The input contract: what becomes an article and what becomes a dead letter, with why."""

from __future__ import annotations

import io
import json

import fastavro
import pytest
from pipeline.articles import clean_text, decode_article, parse_rfc3339_ms
from pipeline.errors import ErrorKind, InvalidRecord
from pipeline.model import Provenance, RawRecord
from pipeline.schemas import load_schema

from tests.poison import POISON

NOW = 1_760_000_000_000


def raw(payload: bytes | str, timestamp_ms: int | None = None) -> RawRecord:
    data = payload.encode() if isinstance(payload, str) else payload
    return RawRecord(data, Provenance.kafka("articles", 0, 7), b"k", timestamp_ms)


def test_valid_article_keeps_every_field() -> None:
    payload = {
        "id": "a-1",
        "body": "Talks resumed in Cairo on Monday.",
        "title": "Talks resume",
        "url": "https://example.org/a-1",
        "source": "Example Wire",
        "published_at": "2025-10-08T09:30:00+02:00",
        "language": "en",
        "unknown_extra": 42,
    }
    article = decode_article(raw(json.dumps(payload)), now_ms=NOW)
    assert article.id == "a-1"
    assert article.title == "Talks resume"
    assert article.source == "Example Wire"
    assert article.published_at_ms == 1_759_908_600_000  # 07:30 UTC
    assert article.published_at_inferred is False
    assert article.raw.provenance.offset == 7


@pytest.mark.parametrize(
    ("timestamp_ms", "expected"),
    [(1_700_000_000_000, 1_700_000_000_000), (None, NOW)],
    ids=["kafka-record-time", "read-time"],
)
def test_missing_published_at_uses_ingest_time_and_flags_it(timestamp_ms: int | None, expected: int) -> None:
    article = decode_article(raw('{"id": "a", "body": "Text."}', timestamp_ms), now_ms=NOW)
    assert article.published_at_ms == expected
    assert article.published_at_inferred is True


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (b"\xff\xfe{", ErrorKind.NOT_UTF8),
        (b"{not json", ErrorKind.INVALID_JSON),
        (b"[1, 2]", ErrorKind.NOT_AN_OBJECT),
        (b'"a string"', ErrorKind.NOT_AN_OBJECT),
        (b'{"body": "text"}', ErrorKind.MISSING_FIELD),
        (b'{"id": "a"}', ErrorKind.MISSING_FIELD),
        (b'{"id": 12, "body": "text"}', ErrorKind.WRONG_TYPE),
        (b'{"id": "a", "body": ["text"]}', ErrorKind.WRONG_TYPE),
        (b'{"id": "a", "body": "text", "title": 5}', ErrorKind.WRONG_TYPE),
        (b'{"id": " ", "body": "text"}', ErrorKind.EMPTY_FIELD),
        (b'{"id": "a", "body": "   \\n "}', ErrorKind.EMPTY_FIELD),
        (b'{"id": "a", "body": "... !!! ---"}', ErrorKind.UNUSABLE_TEXT),
        (b'{"id": "a", "body": "x", "published_at": "yesterday"}', ErrorKind.INVALID_TIMESTAMP),
        (b'{"id": "a", "body": "x", "published_at": "2025-10-08T09:00:00"}', ErrorKind.INVALID_TIMESTAMP),
    ],
)
def test_bad_input_is_rejected_with_its_reason(payload: bytes, kind: ErrorKind) -> None:
    with pytest.raises(InvalidRecord) as caught:
        decode_article(raw(payload), now_ms=NOW)
    assert caught.value.kind == kind
    assert caught.value.message


def test_oversized_body_is_rejected_with_the_sizes() -> None:
    payload = json.dumps({"id": "big", "body": "word " * 300})
    with pytest.raises(InvalidRecord) as caught:
        decode_article(raw(payload), max_body_chars=1000, now_ms=NOW)
    assert caught.value.kind == ErrorKind.BODY_TOO_LARGE
    assert caught.value.article_id == "big"
    assert "1,500" in caught.value.message


def test_avro_input_with_and_without_confluent_header() -> None:
    record = {
        "id": "av-1",
        "body": "Protesters marched in Paris.",
        "title": None,
        "url": None,
        "source": None,
        "published_at": "2025-10-08T00:00:00Z",
        "language": "en",
    }
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, load_schema("article"), record)
    plain = decode_article(raw(buffer.getvalue()), input_format="avro", now_ms=NOW)
    framed = decode_article(raw(b"\x00\x00\x00\x00\x07" + buffer.getvalue()), input_format="avro-confluent", now_ms=NOW)
    assert plain.id == framed.id == "av-1"
    with pytest.raises(InvalidRecord) as caught:
        decode_article(raw(buffer.getvalue()), input_format="avro-confluent", now_ms=NOW)
    assert caught.value.kind == ErrorKind.INVALID_AVRO


def test_control_characters_become_spaces_without_moving_offsets() -> None:
    text = "Talks\x00 resumed\x07 in\u200b Cairo.\nNext line\ttab."
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    assert cleaned.index("Cairo") == text.index("Cairo")
    assert "\x00" not in cleaned and "\n" in cleaned and "\t" in cleaned


def test_rfc3339_with_z_and_offset_agree() -> None:
    assert parse_rfc3339_ms("2025-10-08T09:00:00Z") == parse_rfc3339_ms("2025-10-08T11:00:00+02:00")


@pytest.mark.parametrize("name", sorted(POISON))
def test_inputs_that_once_stopped_the_stream_get_a_precise_reason(name: str) -> None:
    payload, kind = POISON[name]
    with pytest.raises(InvalidRecord) as caught:
        decode_article(raw(payload), now_ms=NOW)
    assert caught.value.kind == kind
    assert caught.value.message and "\n" not in caught.value.message


def test_an_unpaired_surrogate_in_the_body_is_replaced_in_place() -> None:
    article = decode_article(raw('{"id": "b1", "body": "Rockets hit \\ud83d the port."}'), now_ms=NOW)
    assert article.body == "Rockets hit   the port." and len(article.body) == len("Rockets hit x the port.")
    article.body.encode("utf-8")  # no surrogate survives


@pytest.mark.parametrize(
    ("published_at", "accepted"),
    [
        ("1900-01-01T00:00:00Z", True),
        ("2199-12-31T23:59:59+00:00", True),
        ("1899-12-31T23:59:59Z", False),
        ("1900-01-01T00:00:00+01:00", False),  # 1899 in UTC
        ("2200-01-01T00:00:00Z", False),
        ("0001-01-01T00:00:00+14:00", False),
    ],
)
def test_publication_times_must_lie_between_1900_and_2199_utc(published_at: str, accepted: bool) -> None:
    if accepted:
        assert parse_rfc3339_ms(published_at) is not None
        return
    with pytest.raises(InvalidRecord, match="outside 1900-2199") as caught:
        parse_rfc3339_ms(published_at)
    assert caught.value.kind == ErrorKind.INVALID_TIMESTAMP


@pytest.mark.parametrize("record_time", [None, -1, 0, 7_258_118_400_000])
def test_an_unusable_kafka_record_time_does_not_stand_in_for_a_missing_date(record_time: int | None) -> None:
    article = decode_article(raw('{"id": "t1", "body": "Talks resumed."}', timestamp_ms=record_time), now_ms=NOW)
    expected = NOW if record_time in (None, -1, 7_258_118_400_000) else 0
    assert (article.published_at_ms, article.published_at_inferred) == (expected, True)
