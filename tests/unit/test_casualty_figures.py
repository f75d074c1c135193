"""Casualty figures: numbers in digits and words, and conflicts between figures."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pipeline.nlp.casualties import parse_number
from pipeline.nlp.conflicts import mark_conflicts
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.types import CasualtyClaim, Flag

from tests.unit.test_records import make_event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("67,183", 67183),
        ("47", 47),
        ("three", 3),
        ("forty-seven", 47),
        ("forty - seven", 47),
        ("1.2 million", 1_200_000),
        ("twelve thousand", 12_000),
        ("hundreds", None),
        ("dozens", None),
        ("several", None),
        ("", None),
    ],
)
def test_parse_number(text: str, expected: int | None) -> None:
    assert parse_number(text, load_lexicon()) == expected


def claim(
    killed: int | None, qualifier: str = "EXACT", scope: str = "CUMULATIVE", injured: int | None = None
) -> CasualtyClaim:
    return CasualtyClaim(killed, injured, qualifier, scope, f"{qualifier} {killed}")


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        (claim(76_183), claim(67_183, "AT_LEAST"), True),  # a subhead and the body disagree
        (claim(67_000, "MORE_THAN"), claim(67_183, "AT_LEAST"), False),  # a rounded figure agrees
        (claim(67_183), claim(67_183), False),
        (claim(20_000), claim(67_000), False),  # a different population, not a conflict
        (claim(100, "ABOUT"), claim(108), False),
        (claim(100, "ABOUT"), claim(130), True),
        (claim(12, scope="INCIDENT"), claim(15, scope="INCIDENT"), False),  # incidents are separate events
        (claim(None, injured=300), claim(None, injured=350), True),
    ],
)
def test_conflicting_figures(first: CasualtyClaim, second: CasualtyClaim, conflict: bool) -> None:
    events = [make_event(casualties=first, sentence_text="A."), make_event(casualties=second, sentence_text="B.")]
    marked = mark_conflicts(events)
    for event in marked:
        assert event.casualties is not None
        assert event.casualties.conflicting is conflict
        assert (Flag.CONFLICTING_FIGURES in event.flags) is conflict
    if conflict:
        assert marked[0].casualties is not None and "B." in (marked[0].casualties.conflict_note or "")


def test_events_without_claims_are_untouched() -> None:
    events = [make_event(casualties=None), make_event(casualties=claim(5))]
    assert mark_conflicts(events) == events
    assert replace(events[0]) == events[0]
