"""Inputs that once stopped the stream (or could), each with the dead-letter kind it must get.

Written in our own words; shared by the property, pipeline and streaming tests.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

PUBLISHED = "2025-10-08T10:00:00Z"
# Over Kafka's default 1 MB: a topic must be configured to carry it, and its dead letter must
# still fit the default dead-letter topic.
HUGE_BODY_CHARS = 1_300_000


def _article(article_id: str, body: str, **extra: object) -> bytes:
    return json.dumps({"id": article_id, "body": body, "published_at": PUBLISHED, **extra}).encode()


POISON: dict[str, tuple[bytes, str]] = {
    "not json": (b"not json", "invalid_json"),
    "no body": (b'{"id": "k5"}', "missing_field"),
    "nested 5000 deep": (b"[" * 5000 + b"]" * 5000, "nested_too_deep"),
    "nested inside an article": (
        b'{"id": "deep", "body": "Talks went on.", "extra": ' + b"[" * 3000 + b"]" * 3000 + b"}",
        "nested_too_deep",
    ),
    "lone surrogate in id": (b'{"id": "a\\ud800b", "body": "Police fired tear gas on Monday."}', "invalid_unicode"),
    "lone surrogate in url": (
        b'{"id": "u1", "url": "https://x.test/\\udc80", "body": "Rebels shelled the town."}',
        "invalid_unicode",
    ),
    "year one": (
        _article("old", "Talks resumed on Tuesday.", published_at="0001-01-01T00:00:00+14:00"),
        "invalid_timestamp",
    ),
    "year 9999 west": (
        _article("far", "Talks resumed on Tuesday.", published_at="9999-12-31T23:59:59-14:00"),
        "invalid_timestamp",
    ),
    "five thousand digits": (b'{"id": 1' + b"2" * 5000 + b', "body": "x"}', "invalid_json"),
    "not utf-8": (b"\xff\xfe{}", "not_utf8"),
    "huge body": (_article("huge", "word " * (HUGE_BODY_CHARS // 5)), "body_too_large"),
}


def good_article(article_id: str, day: int = 7) -> bytes:
    return _article(article_id, f"Israeli jets struck Rafah on Tuesday, killing {day % 9 + 2} people, medics said.")


# Bad records by construction: property tests draw from these and assert the books balance.
_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\ud800", "\udfff", "\x00", "\u202e"]))
_nested = st.integers(min_value=900, max_value=6000).map(lambda depth: b"[" * depth + b"]" * depth)
_dates = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2025-10-08T10:00:00",
        "yesterday",
    ]
)
_articleish = st.fixed_dictionaries(
    {"id": _text | st.integers() | st.none(), "body": _text | st.lists(_text, max_size=2)},
    optional={"published_at": _dates, "title": _text, "url": _text, "language": _text},
).map(lambda value: json.dumps(value).encode())
bad_records = st.one_of(
    st.binary(max_size=200),
    _nested,
    _articleish,
    st.sampled_from([payload for payload, _ in POISON.values() if len(payload) < 100_000]),
)
