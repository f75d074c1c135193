"""Helpers for extraction tests: one published date and a compact way to find events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleText, ExtractedEvent, Role

# Wednesday 8 October 2025, 10:00 UTC
PUBLISHED = int(datetime(2025, 10, 8, 10, 0, tzinfo=UTC).timestamp() * 1000)

Extract = Callable[..., list[ExtractedEvent]]


@pytest.fixture(scope="session")
def extract(extractor: EventExtractor) -> Extract:
    def run(body: str, title: str | None = None, published_ms: int = PUBLISHED) -> list[ExtractedEvent]:
        return extractor.extract(ArticleText(body=body, published_at_ms=published_ms, title=title))

    return run


def day(event: ExtractedEvent) -> str:
    return datetime.fromtimestamp(event.time.start_ms / 1000, tz=UTC).date().isoformat()


def names(event: ExtractedEvent, *roles: Role) -> list[str]:
    return [a.canonical or a.text for a in event.actors if a.role in roles]


def only(events: list[ExtractedEvent], event_type: str) -> ExtractedEvent:
    found = [e for e in events if e.event_type == event_type]
    assert len(found) == 1, [(e.event_type, e.trigger_text) for e in events]
    return found[0]
