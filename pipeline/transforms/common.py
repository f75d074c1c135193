"""Helpers the Beam steps share: output tags, clocks and dead-letter construction."""

from __future__ import annotations

import time

from apache_beam.metrics.metric import Metrics

from pipeline import progress
from pipeline.metrics import ARTICLES_DEAD_LETTERED, NAMESPACE
from pipeline.model import DeadLetter, RawRecord, Stage

MAIN = "main"
DEAD_LETTERS = "dead_letters"


def now_ms() -> int:
    return int(time.time() * 1000)


class DeadLetterFactory:
    """Builds dead letters and counts them, per stage, as article-level outcomes."""

    def __init__(self, stage: Stage) -> None:
        self._stage = stage
        self._total = Metrics.counter(NAMESPACE, ARTICLES_DEAD_LETTERED)
        self._by_stage = Metrics.counter(NAMESPACE, f"dead_letters_{stage.value.lower()}")

    def __call__(self, raw: RawRecord, kind: str, message: str, article_id: str | None = None) -> DeadLetter:
        self._total.inc()
        self._by_stage.inc()
        progress.article_done()
        return DeadLetter(raw, self._stage, kind, message[:2000], now_ms(), article_id)
