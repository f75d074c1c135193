"""Beam metric names and the end-of-run accounting: nothing may go missing unseen."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from apache_beam.metrics.metric import MetricsFilter

LOGGER = logging.getLogger("newsevents")
NAMESPACE = "newsevents"

ARTICLES_READ = "articles_read"
ARTICLES_WITH_EVENTS = "articles_with_events"
ARTICLES_WITHOUT_EVENTS = "articles_without_events"
ARTICLES_DEAD_LETTERED = "articles_dead_lettered"
EVENTS_EXTRACTED = "events_extracted"
DEAD_LETTERS_WRITTEN = "dead_letters_written"
EVENTS_WRITTEN_KAFKA = "events_written_kafka"
EVENTS_WRITTEN_FILES = "event_records_written_files"
DEAD_LETTERS_WRITTEN_FILES = "dead_letter_records_written_files"
AGGREGATES_EMITTED = "aggregates_emitted"
AGGREGATES_WRITTEN_KAFKA = "aggregates_written_kafka"
AGGREGATES_SUPERSEDED = "aggregates_superseded"
AGGREGATE_EVENTS_TOO_LATE = "events_too_late_for_aggregates"
AGGREGATE_INPUTS_UNREADABLE = "events_topic_records_unreadable"
STORIES_WRITTEN_KAFKA = "stories_written_kafka"
STORIES_MADE = "stories_made"
EVENTS_IN_STORIES = "events_linked_to_stories"


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counters of a finished run. `reported` is False when the runner gave no metrics (a
    Dataflow dry run, say): then nothing is known, and `balanced` is None, never True."""

    counters: dict[str, int]
    reported: bool = True

    def get(self, name: str) -> int:
        return self.counters.get(name, 0)

    @property
    def balanced(self) -> bool | None:
        """articles read == with events + without events + dead-lettered; None if unknown."""
        if not self.reported:
            return None
        accounted = (
            self.get(ARTICLES_WITH_EVENTS) + self.get(ARTICLES_WITHOUT_EVENTS) + self.get(ARTICLES_DEAD_LETTERED)
        )
        return accounted == self.get(ARTICLES_READ)


def summarize(result: Any) -> RunSummary:
    """Counter values of a finished pipeline result, summed over steps."""
    try:
        query = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    except NotImplementedError:
        LOGGER.warning("this runner reports no metrics: the run's counts are unknown")
        return RunSummary({}, reported=False)
    counters: dict[str, int] = {}
    for counter in query["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        counters[counter.key.metric.name] = counters.get(counter.key.metric.name, 0) + int(value or 0)
    return RunSummary(counters)
