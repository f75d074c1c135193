"""Output records: deterministic ids, and records that fit the schemas."""

from __future__ import annotations

import hashlib

import pytest
from pipeline.io.avro_codec import AvroCodec, EncodingError
from pipeline.model import Article, DeadLetter, Provenance, RawRecord, Stage
from pipeline.nlp.types import (
    Actor,
    CasualtyClaim,
    EntityInfo,
    EventTime,
    ExtractedEvent,
    GeoPoint,
    Granularity,
    Modality,
    Quote,
    Role,
    Section,
    TimeMethod,
)
from pipeline.records import dead_letter_key, dead_letter_record, event_id, event_record


def make_article() -> Article:
    raw = RawRecord(b"{}", Provenance.archive("a.jsonl", 3))
    return Article("art-1", "Body text.", 1_759_900_000_000, False, raw, title="T", url="u", source="s", language="en")


def make_event(**overrides: object) -> ExtractedEvent:
    fields: dict[str, object] = {
        "event_type": "STRIKE",
        "modality": Modality.ASSERTED,
        "section": Section.BODY,
        "sentence_text": "Jets struck Rafah.",
        "sentence_start": 10,
        "sentence_end": 28,
        "trigger_text": "struck",
        "trigger_lemma": "strike",
        "trigger_start": 15,
        "trigger_end": 21,
        "time": EventTime(1_759_795_200_000, None, Granularity.DAY, "Monday", TimeMethod.RELATIVE),
        "confidence": 0.85,
        "mode": "air",
        "plover": "ASSAULT",
        "cameo": "19",
        "entities": (
            EntityInfo("Rafah", "GPE", "Rafah", 22, 27, "PSE", GeoPoint("Rafah", 31.29, 34.24, 281102, "PSE", "CITY")),
        ),
        "actors": (Actor(Role.SOURCE, "Jets", 10, 14), Actor(Role.TARGET, "Rafah", 22, 27, "Rafah", "GPE", "PSE")),
        "quote": Quote("we struck", 0, 9, True, "A spokesman", "say", "reporters"),
        "casualties": CasualtyClaim(12, None, "AT_LEAST", "INCIDENT", "at least 12", "people", None, 1, "the ministry"),
        "flags": ("BACKGROUND",),
    }
    fields.update(overrides)
    return ExtractedEvent(**fields)  # type: ignore[arg-type]


def test_event_id_is_deterministic_and_sensitive_to_each_part() -> None:
    base = event_id("a", 10, "STRIKE", 15)
    assert base == event_id("a", 10, "STRIKE", 15)
    variants = {
        event_id("b", 10, "STRIKE", 15),
        event_id("a", 11, "STRIKE", 15),
        event_id("a", 10, "TALKS", 15),
        event_id("a", 10, "STRIKE", 16),
    }
    assert base not in variants and len(variants) == 4


def test_event_id_does_not_depend_on_processing_time() -> None:
    article, event = make_article(), make_event()
    first = event_record(article, event, processed_at_ms=1, extractor_version="v")
    second = event_record(article, event, processed_at_ms=2, extractor_version="v")
    assert first["event_id"] == second["event_id"]
    assert {k: v for k, v in first.items() if k != "processed_at"} == {
        k: v for k, v in second.items() if k != "processed_at"
    }


def test_event_record_round_trips_through_the_schema() -> None:
    codec = AvroCodec("event")
    record = event_record(make_article(), make_event(), processed_at_ms=5, extractor_version="v1")
    decoded = codec.decode(codec.encode(record))
    assert decoded["event_id"] == record["event_id"]
    assert decoded["casualties"]["killed"] == 12
    assert decoded["entities"][0]["geo"]["geonames_id"] == 281102
    assert decoded["actors"][1]["country_code"] == "PSE"
    assert decoded["quote"]["speaker"] == "A spokesman"
    assert decoded["provenance"] == {
        "kind": "ARCHIVE",
        "topic": None,
        "partition": None,
        "offset": None,
        "path": "a.jsonl",
        "line": 3,
    }


def test_confluent_framing_prefixes_magic_byte_and_schema_id() -> None:
    record = event_record(
        make_article(), make_event(quote=None, casualties=None), processed_at_ms=5, extractor_version="v"
    )
    framed = AvroCodec("event", confluent_schema_id=258).encode(record)
    assert framed[:5] == b"\x00\x00\x00\x01\x02"
    assert AvroCodec("event", confluent_schema_id=258).decode(framed)["event_id"] == record["event_id"]


def test_a_record_that_breaks_the_schema_raises_encoding_error() -> None:
    record = event_record(make_article(), make_event(), processed_at_ms=5, extractor_version="v")
    record["event_type"] = "NOT_A_TYPE"
    with pytest.raises(EncodingError, match="event record does not fit"):
        AvroCodec("event").encode(record)


def test_dead_letter_record_keeps_the_raw_input() -> None:
    raw = RawRecord(b"\xffbroken", Provenance.kafka("in", 2, 40), b"key", 1)
    letter = DeadLetter(raw, Stage.DECODE, "not_utf8", "payload is not UTF-8", 99, None)
    codec = AvroCodec("dead_letter")
    decoded = codec.decode(codec.encode(dead_letter_record(letter, max_payload_bytes=1024)))
    assert decoded["raw_payload"] == b"\xffbroken"
    assert (decoded["raw_size"], decoded["raw_truncated"]) == (len(b"\xffbroken"), False)
    assert decoded["raw_sha256"] == hashlib.sha256(b"\xffbroken").hexdigest()
    assert decoded["raw_key"] == b"key"
    assert decoded["stage"] == "DECODE"
    assert decoded["provenance"]["offset"] == 40


def test_a_dead_letter_carries_at_most_its_cap_and_the_digest_of_the_whole_input() -> None:
    payload = b"x" * 5000 + b"tail"
    letter = DeadLetter(RawRecord(payload, Provenance.kafka("in", 0, 1)), Stage.DECODE, "body_too_large", "m", 1)
    record = dead_letter_record(letter, max_payload_bytes=1024)
    assert record["raw_payload"] == payload[:1024]
    assert (record["raw_size"], record["raw_truncated"]) == (5004, True)
    assert record["raw_sha256"] == hashlib.sha256(payload).hexdigest()


@pytest.mark.parametrize("bad_text", ["a\ud800b", "\udfff", "ok \udc80\ud800 end"])
def test_unpaired_surrogates_in_dead_letter_texts_are_escaped_not_fatal(bad_text: str) -> None:
    raw = RawRecord(
        b"{}", Provenance.archive(f"dir/{bad_text}.jsonl", 3), key=bad_text.encode("utf-8", "surrogatepass")
    )
    letter = DeadLetter(raw, Stage.DECODE, "invalid_unicode", f"field 'id' is {bad_text}", 1, article_id=bad_text)
    record = dead_letter_record(letter, max_payload_bytes=1024)
    decoded = AvroCodec("dead_letter").decode(AvroCodec("dead_letter").encode(record))
    assert "\\u" in decoded["article_id"] and "\\u" in decoded["message"] and "\\u" in decoded["provenance"]["path"]
    assert dead_letter_key(letter).decode("utf-8")
