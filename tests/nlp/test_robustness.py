"""No input crashes extraction; the same input always gives the same events."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleText

from tests.nlp.conftest import PUBLISHED, Extract

pytestmark = pytest.mark.model
SAMPLE = (
    "GAZA CITY: Israeli jets struck Khan Younis on Monday, killing at least 12 people, medics said.\n"
    '"We will not stop," a spokesman said. Hamas rejected the proposal and called for a full withdrawal.\n'
)


@pytest.mark.parametrize(
    ("body", "types"),
    [
        ("", set()),
        ("   \n\t  ", set()),
        ("... !!! ??? --- ***", set()),
        ("Les négociations ont repris au Caire lundi, selon des responsables égyptiens.", set()),
        ("الجيش قصف المدينة يوم الاثنين", set()),
        ("Envoys negotiated in Doha\x1b on Monday.", {"TALKS"}),
        ("Talks\x00 resumed\x07 in\x1b Cairo\x0c on Monday.", set()),  # too mangled to parse: no crash
        ("a" * 5000, set()),
        ("word " * 20_000, set()),
        ("\n" * 1000, set()),
    ],
)
def test_hard_bodies_give_exactly_their_events(extract: Extract, body: str, types: set[str]) -> None:
    events = extract(body)
    assert {e.event_type for e in events} == types
    for event in events:  # offsets point into the body as given, control characters and all
        assert body[event.sentence_start : event.sentence_end] == event.sentence_text
        assert body[event.trigger_start : event.trigger_end] == event.trigger_text


def test_non_english_text_gives_no_events(extract: Extract) -> None:
    assert (
        extract("Les forces israéliennes ont frappé Rafah lundi et tué douze personnes, selon les secouristes.") == []
    )


def test_a_megabyte_of_news_text_is_processed(extractor: EventExtractor) -> None:
    body = (SAMPLE * (1_000_000 // len(SAMPLE) + 1))[:1_000_000]
    events = extractor.extract(ArticleText(body=body, published_at_ms=PUBLISHED))
    assert len(events) > 1000


def test_extraction_is_deterministic(extractor: EventExtractor) -> None:
    article = ArticleText(body=SAMPLE * 3, published_at_ms=PUBLISHED, title="Strikes resume")
    first = extractor.extract(article)
    second = extractor.extract_batch([article, article])
    assert first == second[0] == second[1]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_text_extracts_without_error(extractor: EventExtractor, text: str) -> None:
    events = extractor.extract(ArticleText(body=text, published_at_ms=PUBLISHED))
    for event in events:
        assert 0 <= event.sentence_start <= event.trigger_start < event.trigger_end <= event.sentence_end + 1
        assert 0.0 < event.confidence <= 1.0
