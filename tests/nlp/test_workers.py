"""NLP processes of their own (pipeline/nlp/workers.py): the same events as in-process
extraction, and an article that kills its NLP process (SIGKILL, for real) becomes a failed
outcome while the rest of its batch is extracted and the pool keeps working."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Sequence

import pytest
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.types import ArticleText
from pipeline.nlp.workers import CRASHED, ExtractorPool, Outcome, extract_in_process

# Our own words.
ARTICLES = [
    ArticleText(body="Rebels shelled a fuel depot outside the port city on Friday, officials said.", published_at_ms=1),
    ArticleText(body="Union leaders called a general strike over unpaid wages.", published_at_ms=1),
    ArticleText(body="The two governments signed a trade accord in the capital on Sunday.", published_at_ms=1),
]
KILL_MARK = "[kill this process]"


def kill_on_mark(articles: Sequence[ArticleText]) -> tuple[str, list[Outcome]]:
    """A task that dies by SIGKILL whenever its batch holds the marked article."""
    if any(KILL_MARK in article.body for article in articles):
        os.kill(os.getpid(), signal.SIGKILL)
    return extract_in_process(articles)


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractorPool]:
    workers = ExtractorPool(DEFAULT_MODEL, 2, task=kill_on_mark)
    yield workers
    workers.close()


def test_the_pool_extracts_what_the_worker_itself_would(pool: ExtractorPool, extractor) -> None:  # type: ignore[no-untyped-def]
    result = pool.result(pool.submit(ARTICLES))
    assert result.version == extractor.version
    expected = extractor.extract_batch(ARTICLES)
    assert result.outcomes == expected and sum(len(events) for events in expected) >= 3


def test_an_article_that_kills_its_nlp_process_fails_alone_and_the_pool_recovers(  # type: ignore[no-untyped-def]
    pool: ExtractorPool, extractor
) -> None:
    poison = ArticleText(body=f"Police arrested two men at the airport. {KILL_MARK}", published_at_ms=1)
    batch = [ARTICLES[0], poison, ARTICLES[1]]
    result = pool.result(pool.submit(batch))
    assert result.outcomes[1] == CRASHED
    assert [result.outcomes[0], result.outcomes[2]] == extractor.extract_batch([ARTICLES[0], ARTICLES[1]])
    after = pool.result(pool.submit(ARTICLES[2:]))
    assert after.outcomes == extractor.extract_batch(ARTICLES[2:])
