"""Time expressions resolved against the publication time (Wednesday 8 October 2025)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pipeline.nlp.timex import TimeMention, TimeResolver, nearest_weekday
from pipeline.nlp.types import Granularity, TimeMethod

PUBLISHED = int(datetime(2025, 10, 8, 9, 30, tzinfo=UTC).timestamp() * 1000)


def day(ms: int | None) -> date | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC).date()


@pytest.fixture(scope="module")
def resolver() -> TimeResolver:
    return TimeResolver()


@pytest.mark.parametrize(
    ("text", "lead", "future", "start", "end", "granularity", "method"),
    [
        ("Wednesday", "on", False, date(2025, 10, 8), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("Tuesday", "on", False, date(2025, 10, 7), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("Thursday", "on", False, date(2025, 10, 2), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("Thursday", "on", True, date(2025, 10, 9), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("the night before", None, False, date(2025, 10, 7), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("the weekend", "over", False, date(2025, 10, 4), date(2025, 10, 6), Granularity.DAY, TimeMethod.RELATIVE),
        ("this weekend", None, False, date(2025, 10, 11), date(2025, 10, 13), Granularity.DAY, TimeMethod.RELATIVE),
        ("the weekend", "at", True, date(2025, 10, 11), date(2025, 10, 13), Granularity.DAY, TimeMethod.RELATIVE),
        ("yesterday", None, False, date(2025, 10, 7), None, Granularity.DAY, TimeMethod.RELATIVE),
        ("last month", None, False, date(2025, 9, 1), date(2025, 10, 1), Granularity.MONTH, TimeMethod.RELATIVE),
        ("next week", None, True, date(2025, 10, 13), date(2025, 10, 20), Granularity.WEEK, TimeMethod.RELATIVE),
        ("October 7, 2023", "on", False, date(2023, 10, 7), None, Granularity.DAY, TimeMethod.EXPLICIT_DATE),
        ("October 2023", "in", False, date(2023, 10, 1), date(2023, 11, 1), Granularity.MONTH, TimeMethod.PARTIAL_DATE),
        ("October 2023", "since", False, date(2023, 10, 1), None, Granularity.RANGE, TimeMethod.RANGE),
        ("2024", "in", False, date(2024, 1, 1), date(2025, 1, 1), Granularity.YEAR, TimeMethod.PARTIAL_DATE),
        ("last year", None, False, date(2024, 1, 1), date(2025, 1, 1), Granularity.YEAR, TimeMethod.RELATIVE),
    ],
)
def test_resolution(
    resolver: TimeResolver,
    text: str,
    lead: str | None,
    future: bool,
    start: date,
    end: date | None,
    granularity: Granularity,
    method: TimeMethod,
) -> None:
    resolved = resolver.resolve(TimeMention(text, 0, len(text), 0, lead), PUBLISHED, prefer_future=future)
    assert resolved is not None
    assert (day(resolved.start_ms), day(resolved.end_ms)) == (start, end)
    assert resolved.granularity is granularity
    assert resolved.method is method
    assert resolved.anchor_text is not None and text in resolved.anchor_text


@pytest.mark.parametrize("text", ["two weeks", "the night", "weeks", "a second"])
def test_durations_and_vague_words_do_not_resolve(resolver: TimeResolver, text: str) -> None:
    assert resolver.resolve(TimeMention(text, 0, len(text), 0, None), PUBLISHED) is None


@pytest.mark.parametrize(
    ("today", "weekday", "future", "expected"),
    [
        (date(2025, 10, 8), 2, False, date(2025, 10, 8)),  # same day
        (date(2025, 10, 8), 4, False, date(2025, 10, 3)),  # last Friday
        (date(2025, 10, 8), 4, True, date(2025, 10, 10)),  # coming Friday
        (date(2025, 10, 8), 2, True, date(2025, 10, 8)),
    ],
)
def test_nearest_weekday(today: date, weekday: int, future: bool, expected: date) -> None:
    assert nearest_weekday(today, weekday, future) == expected
