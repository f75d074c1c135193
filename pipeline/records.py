"""Avro records for the output contracts, built from extracted events and dead letters."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pipeline import __version__
from pipeline.model import Article, DeadLetter
from pipeline.nlp.types import Actor, CasualtyClaim, EntityInfo, ExtractedEvent, Quote

SCHEMA_VERSION = "1"
# Fixed namespace for event ids: changing it would change every id ever written.
EVENT_ID_NAMESPACE = uuid.UUID("6f1b8c8e-2d0a-5b4e-9a57-0c3e4f2b7d11")


def event_id(article_id: str, sentence_start: int, event_type: str, trigger_start: int) -> str:
    """Deterministic id: the same article, sentence, type and trigger always give the same id."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{article_id}\x1f{sentence_start}\x1f{event_type}\x1f{trigger_start}"))


def event_record(
    article: Article, event: ExtractedEvent, *, processed_at_ms: int, extractor_version: str
) -> dict[str, Any]:
    """The schemas/event.avsc record for one event of one article."""
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": event_id(article.id, event.sentence_start, event.event_type, event.trigger_start),
        "article_id": article.id,
        "article_url": article.url,
        "article_title": article.title,
        "source": article.source,
        "language": article.language,
        "published_at": article.published_at_ms,
        "published_at_origin": "INGEST_TIME" if article.published_at_inferred else "ARTICLE",
        "processed_at": processed_at_ms,
        "event_type": event.event_type,
        "event_mode": event.mode,
        "plover": event.plover,
        "cameo_root": event.cameo,
        "plover_mode": event.plover_mode,
        "acled_event_type": event.acled_event_type,
        "acled_sub_event_type": event.acled_sub_event_type,
        "modality": event.modality.value,
        "section": event.section.value,
        "sentence": {"text": event.sentence_text, "start": event.sentence_start, "end": event.sentence_end},
        "trigger": {
            "text": event.trigger_text,
            "lemma": event.trigger_lemma,
            "start": event.trigger_start,
            "end": event.trigger_end,
        },
        "entities": [_entity(e) for e in event.entities],
        "actors": [_actor(a) for a in event.actors],
        "quote": _quote(event.quote) if event.quote else None,
        "casualties": _casualties(event.casualties) if event.casualties else None,
        "event_time": {
            "start": event.time.start_ms,
            "end": event.time.end_ms,
            "granularity": event.time.granularity.value,
            "anchor_text": event.time.anchor_text,
            "method": event.time.method.value,
        },
        "confidence": event.confidence,
        "flags": [str(flag) for flag in event.flags],
        "extractor_version": extractor_version,
        "provenance": article.raw.provenance.to_record(),
        # Identity: set by stories/grouping.py (within the article) and by story linking.
        "event_group_id": None,
        "main_mention": True,
        "story_id": None,
    }


# Room for the dead letter's other fields (message, ids, provenance) next to the payload.
DEAD_LETTER_OVERHEAD_BYTES = 16_384
MAX_KEY_BYTES = 1_024
_MAX_TEXT_CHARS = 2_000


def dead_letter_record(letter: DeadLetter, max_payload_bytes: int) -> dict[str, Any]:
    """The schemas/dead_letter.avsc record for one failed input.

    The payload is cut to `max_payload_bytes`, so that the dead letter always fits its sink;
    the size and SHA-256 of the whole input are kept. Text fields are made encodable (an
    unpaired surrogate becomes an escape), because a dead letter must never fail to encode.
    """
    payload = letter.raw.payload
    provenance = letter.raw.provenance.to_record()
    for name in ("topic", "path"):
        if provenance[name] is not None:
            provenance[name] = encodable(provenance[name])
    return {
        "schema_version": SCHEMA_VERSION,
        "raw_payload": payload[:max_payload_bytes],
        "raw_size": len(payload),
        "raw_sha256": hashlib.sha256(payload).hexdigest(),
        "raw_truncated": len(payload) > max_payload_bytes,
        "raw_key": letter.raw.key[:MAX_KEY_BYTES] if letter.raw.key is not None else None,
        "article_id": encodable(letter.article_id[:_MAX_TEXT_CHARS]) if letter.article_id is not None else None,
        "stage": letter.stage.value,
        "error_kind": letter.kind,
        "message": encodable(letter.message[:_MAX_TEXT_CHARS]),
        "failed_at": letter.failed_at_ms,
        "pipeline_version": __version__,
        "provenance": provenance,
    }


def dead_letter_key(letter: DeadLetter) -> bytes:
    """Kafka key of a dead letter: the article id when known, else where the input came from."""
    key = letter.article_id or letter.raw.provenance.describe()
    return key.encode("utf-8", "backslashreplace")[:MAX_KEY_BYTES]


def encodable(text: str) -> str:
    """`text` unchanged when it is valid UTF-8 text, else with unpaired surrogates escaped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _entity(entity: EntityInfo) -> dict[str, Any]:
    geo = entity.geo
    return {
        "text": entity.text,
        "label": entity.label,
        "canonical": entity.canonical,
        "start": entity.start,
        "end": entity.end,
        "country_code": entity.country_code,
        "geo": None
        if geo is None
        else {
            "name": geo.name,
            "latitude": geo.latitude,
            "longitude": geo.longitude,
            "geonames_id": geo.geonames_id,
            "country_code": geo.country_code,
            "precision": geo.precision,
        },
    }


def _actor(actor: Actor) -> dict[str, Any]:
    return {
        "role": actor.role.value,
        "text": actor.text,
        "canonical": actor.canonical,
        "label": actor.label,
        "country_code": actor.country_code,
        "start": actor.start,
        "end": actor.end,
    }


def _quote(quote: Quote) -> dict[str, Any]:
    return {
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "direct": quote.direct,
        "speaker": quote.speaker,
        "reporting_verb": quote.reporting_verb,
        "addressee": quote.addressee,
    }


def _casualties(claim: CasualtyClaim) -> dict[str, Any]:
    return {
        "killed": claim.killed,
        "injured": claim.injured,
        "qualifier": claim.qualifier,
        "scope": claim.scope,
        "victims": claim.victims,
        "since": claim.since_ms,
        "as_of": claim.as_of_ms,
        "reported_by": claim.reported_by,
        "figure_text": claim.figure_text,
        "conflicting": claim.conflicting,
        "conflict_note": claim.conflict_note,
    }
