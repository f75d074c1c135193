"""Property tests: any bytes either decode to an article or fail with a known reason."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline.articles import decode_article
from pipeline.errors import ErrorKind, InvalidRecord
from pipeline.io.avro_codec import AvroCodec
from pipeline.model import DeadLetter, Provenance, RawRecord, Stage
from pipeline.records import dead_letter_record

from tests.poison import bad_records

KINDS = {kind.value for kind in ErrorKind}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
article_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=20), st.integers(), st.none()),
        "body": st.one_of(st.text(max_size=300), st.integers(), st.lists(st.text(max_size=5), max_size=2)),
        "title": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        "published_at": st.one_of(st.text(max_size=30), st.none(), st.just("2025-10-08T09:00:00Z")),
    },
)


CAP = 64
DEAD_LETTER = AvroCodec("dead_letter")


def check(payload: bytes) -> None:
    raw = RawRecord(payload, Provenance.kafka("in", 0, 1), key=payload[:40])
    try:
        article = decode_article(raw, max_body_chars=200, now_ms=1)
    except InvalidRecord as err:
        assert err.kind in KINDS
        assert err.message and "\n" not in err.message
        # Its dead letter always encodes, and carries at most the cap of the payload.
        letter = DeadLetter(raw, Stage.DECODE, err.kind, err.message, 1, err.article_id)
        record = DEAD_LETTER.decode(DEAD_LETTER.encode(dead_letter_record(letter, CAP)))
        assert record["raw_payload"] == payload[:CAP] and record["raw_size"] == len(payload)
        return
    assert article.id.strip() and article.body.strip()
    assert len(article.body) <= 200


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes(payload: bytes) -> None:
    check(payload)


@settings(max_examples=300)
@given(json_values)
def test_arbitrary_json(value: object) -> None:
    check(json.dumps(value).encode())


@settings(max_examples=300)
@given(article_like)
def test_article_shaped_json(value: dict[str, object]) -> None:
    check(json.dumps(value).encode())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bad_records)
def test_records_built_to_be_bad(payload: bytes) -> None:
    check(payload)
