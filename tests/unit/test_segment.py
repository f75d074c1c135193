"""Segmentation survives headlines, bullet lists, subheads, datelines and promo lines."""

from __future__ import annotations

from pipeline.nlp.segment import MAX_SEGMENT_CHARS, segment_article
from pipeline.nlp.types import Section

BODY = """KEY POINTS
- Egypt reports early progress in the truce negotiations.
• Hamas wants a full pullout of Israeli forces.
GAZA CITY, Gaza Strip (Reuters) — Israeli jets struck a school on Monday.
Families fled south
Medics said twelve people were killed.
ALSO READ: Another story about something else
"""


def test_sections_in_reading_order() -> None:
    segments, _ = segment_article("Strikes resume in Gaza", BODY, ("also read",))
    assert [s.section for s in segments] == [
        Section.HEADLINE,
        Section.SUBHEAD,
        Section.BULLET,
        Section.BULLET,
        Section.BODY,
        Section.SUBHEAD,
        Section.BODY,
    ]


def test_offsets_point_into_the_body() -> None:
    segments, _ = segment_article(None, BODY, ())
    for segment in segments:
        assert BODY[segment.start : segment.start + len(segment.text)] == segment.text


def test_bullet_markers_are_dropped() -> None:
    segments, _ = segment_article(None, BODY, ())
    bullets = [s.text for s in segments if s.section is Section.BULLET]
    assert bullets == [
        "Egypt reports early progress in the truce negotiations.",
        "Hamas wants a full pullout of Israeli forces.",
    ]


def test_dateline_is_split_off_and_kept() -> None:
    segments, dateline = segment_article(None, BODY, ())
    assert dateline is not None
    assert dateline.place == "GAZA CITY, Gaza Strip"
    assert dateline.agency == "Reuters"
    assert dateline.city == "Gaza City"
    first_body = next(s for s in segments if s.section is Section.BODY)
    assert first_body.text.startswith("Israeli jets struck")
    assert first_body.start == dateline.end


def test_promo_lines_are_skipped() -> None:
    segments, _ = segment_article(None, BODY, ("also read",))
    assert not any("Another story" in s.text for s in segments)


def test_a_sentence_that_mentions_a_place_is_not_a_dateline() -> None:
    _, dateline = segment_article(None, "Cairo hosted the talks on Monday.", ())
    assert dateline is None


def test_very_long_paragraphs_are_cut_at_sentence_ends() -> None:
    paragraph = "Talks resumed in Cairo on Monday. " * (MAX_SEGMENT_CHARS // 20)
    segments, _ = segment_article(None, paragraph, ())
    assert len(segments) > 1
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in segments)
    assert all(s.text.rstrip().endswith(".") for s in segments[:-1])
    assert all(paragraph[s.start : s.start + len(s.text)] == s.text for s in segments)
