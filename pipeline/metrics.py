"""Beam metric names and the end-of-run accounting: nothing may go missing unseen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apache_beam.metrics.metric import MetricsFilter

NAMESPACE = "newsevents"

ARTICLES_READ = "articles_read"
ARTICLES_WITH_EVENTS = "articles_with_events"
ARTICLES_WITHOUT_EVENTS = "articles_without_events"
ARTICLES_DEAD_LETTERED = "articles_dead_lettered"
EVENTS_EXTRACTED = "events_extracted"
DEAD_LETTERS_WRITTEN = "dead_letters_written"
EVENTS_WRITTEN_KAFKA = "events_written_kafka"


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counters of a finished run; `balanced` checks articles in = out."""

    counters: dict[str, int]

    def get(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def balanced(self) -> bool:
        accounted = (
            self.get(ARTICLES_WITH_EVENTS) + self.get(ARTICLES_WITHOUT_EVENTS) + self.get(ARTICLES_DEAD_LETTERED)
        )
        return accounted == self.get(ARTICLES_READ)


def summarize(result: Any) -> RunSummary:
    """Committed counter values of a finished pipeline result, summed over steps."""
    counters: dict[str, int] = {}
    query = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    for counter in query["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        counters[counter.key.metric.name] = counters.get(counter.key.metric.name, 0) + int(value or 0)
    return RunSummary(counters)
