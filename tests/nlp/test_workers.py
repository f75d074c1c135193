"""NLP processes of their own (pipeline/nlp/workers.py): the same events as in-process
extraction, and an article that kills its NLP process (SIGKILL, for real) becomes a failed
outcome while the rest of its batch is extracted and the pool keeps working."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pipeline.nlp.extractor import Outcome
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.types import ArticleText
from pipeline.nlp.workers import CRASHED, ExtractorPool, extract_in_process

# Our own words.
ARTICLES = [
    ArticleText(body="Rebels shelled a fuel depot outside the port city on Friday, officials said.", published_at_ms=1),
    ArticleText(body="Union leaders called a general strike over unpaid wages.", published_at_ms=1),
    ArticleText(body="The two governments signed a trade accord in the capital on Sunday.", published_at_ms=1),
]
KILL_MARK = "[kill this process]"
ROOT = Path(__file__).resolve().parents[2]


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


def report_pid(articles: Sequence[ArticleText]) -> tuple[str, list[Outcome]]:
    """A task that answers with the NLP process's pid (one outcome per article)."""
    return str(os.getpid()), [[] for _ in articles]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_nlp_processes_end_when_the_process_that_made_them_is_killed() -> None:
    # A process that makes a pool and is then killed with SIGKILL cannot stop the pool; its
    # NLP processes (a model each) must not stay behind.
    owner_code = (
        "import sys, time\n"
        "from pipeline.nlp.workers import ExtractorPool\n"
        "from pipeline.nlp.types import ArticleText\n"
        "from tests.nlp.test_workers import report_pid\n"
        f"pool = ExtractorPool({DEFAULT_MODEL!r}, 2, task=report_pid)\n"
        "batches = [pool.submit([ArticleText(body='x', published_at_ms=1)]) for _ in range(8)]\n"
        "print(' '.join(sorted({pool.result(b).version for b in batches})), flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", owner_code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert owner.stdout is not None
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert pids and all(_alive(pid) for pid in pids)
    finally:
        owner.kill()
        owner.wait(30)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in pids), f"NLP processes left behind: {pids}"
