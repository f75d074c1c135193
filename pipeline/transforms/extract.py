"""ExtractEvents: articles -> (article, events), batched through spaCy once per worker, in the
worker's process or, with `nlp_processes` > 1, in NLP processes of its own (nlp/workers.py)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PCollection, TaggedOutput
from apache_beam.transforms.window import GlobalWindow, TimestampedValue
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.errors import ErrorKind
from pipeline.metrics import EVENTS_EXTRACTED, NAMESPACE
from pipeline.model import Article, Stage
from pipeline.nlp.extractor import EventExtractor, Outcome
from pipeline.nlp.types import ArticleText, ExtractedEvent
from pipeline.nlp.workers import ExtractorPool, PendingBatch
from pipeline.transforms.common import DEAD_LETTERS, MAIN, DeadLetterFactory


@dataclass(frozen=True, slots=True)
class ArticleEvents:
    article: Article
    events: tuple[ExtractedEvent, ...]
    extractor_version: str


def article_text(article: Article) -> ArticleText:
    return ArticleText(
        body=article.body,
        published_at_ms=article.published_at_ms,
        title=article.title,
        language=article.language,
        published_at_inferred=article.published_at_inferred,
    )


@dataclass(frozen=True)
class SharedExtractor:
    """One extractor per model per process, used under a lock.

    Runners start several DoFn instances per worker (Prism runs a stage's bundles in parallel
    threads); each loading its own model would cost seconds and hundreds of MB apiece, and
    spaCy's string store is not safe to grow from two threads at once.
    """

    extractor: EventExtractor
    lock: threading.Lock


@cache
def shared_extractor(model: str) -> SharedExtractor:
    return SharedExtractor(EventExtractor.load(model), threading.Lock())


@cache
def shared_pool(model: str, processes: int) -> ExtractorPool:
    return ExtractorPool(model, processes)


def record_time(article: Article) -> float:
    """Seconds since the epoch of the article's input record (Kafka record time, read time)."""
    return (article.raw.timestamp_ms or 0) / 1000


class ExtractEventsFn(beam.DoFn):
    """Loads the spaCy model once per worker (in `setup`) and extracts a batch at a time.

    Every output is stamped again with its own record's time: BatchElements stamps a batch in
    the global window at the end of time, and a window after it would never close.
    """

    def __init__(self, model: str) -> None:
        self._model = model
        self._events = Metrics.counter(NAMESPACE, EVENTS_EXTRACTED)
        self._dead_letter = DeadLetterFactory(Stage.EXTRACT)

    def setup(self) -> None:
        self._shared = shared_extractor(self._model)
        self._version = self._shared.extractor.version

    def process(self, batch: Sequence[Article]) -> Iterator[TimestampedValue | TaggedOutput[str, TimestampedValue]]:
        with self._shared.lock:
            outcomes = self._shared.extractor.extract_each([article_text(a) for a in batch])
        yield from self._outputs(batch, outcomes, self._version)

    def _outputs(
        self, articles: Sequence[Article], outcomes: Sequence[Outcome], version: str
    ) -> Iterator[TimestampedValue | TaggedOutput[str, TimestampedValue]]:
        """An article's events, or its dead letter when its outcome is an error (any extractor
        bug becomes a dead letter, never a lost article)."""
        for article, outcome in zip(articles, outcomes, strict=True):
            if isinstance(outcome, str):
                letter = self._dead_letter(article.raw, ErrorKind.EXTRACTION_FAILED, outcome, article.id)
                yield TaggedOutput(DEAD_LETTERS, TimestampedValue(letter, record_time(article)))
            else:
                self._events.inc(len(outcome))
                events = ArticleEvents(article, tuple(outcome), version)
                yield TimestampedValue(events, record_time(article))


class PooledExtractEventsFn(ExtractEventsFn):
    """Extracts in a pool of NLP processes (one pool per worker process). Keeps up to two
    batches per NLP process in flight, so that every process has work while the worker waits
    for the oldest; a bundle's results are all out before the bundle ends."""

    def __init__(self, model: str, processes: int) -> None:
        super().__init__(model)
        self._processes = processes

    def setup(self) -> None:
        self._pool = shared_pool(self._model, self._processes)

    def start_bundle(self) -> None:
        self._pending: deque[tuple[list[Article], PendingBatch]] = deque()

    def process(self, batch: Sequence[Article]) -> Iterator[TimestampedValue | TaggedOutput[str, TimestampedValue]]:
        self._pending.append((list(batch), self._pool.submit([article_text(a) for a in batch])))
        while len(self._pending) > 2 * self._pool.processes:
            yield from self._completed(*self._pending.popleft())

    def finish_bundle(self) -> Iterator[WindowedValue | TaggedOutput[str, WindowedValue]]:
        while self._pending:
            for output in self._completed(*self._pending.popleft()):
                if isinstance(output, TaggedOutput):
                    yield TaggedOutput(output.tag, _in_global_window(output.value))
                else:
                    yield _in_global_window(output)

    def _completed(
        self, articles: list[Article], pending: PendingBatch
    ) -> Iterator[TimestampedValue | TaggedOutput[str, TimestampedValue]]:
        result = self._pool.result(pending)
        return self._outputs(articles, result.outcomes, result.version)


def _in_global_window(value: TimestampedValue) -> WindowedValue:
    """finish_bundle's outputs name their window; every input of this step is global."""
    return WindowedValue(value.value, Timestamp.of(value.timestamp), (GlobalWindow(),))


class ExtractEvents(beam.PTransform[PCollection[Article], DoOutputsTuple]):
    """Outputs `main` (ArticleEvents) and `dead_letters`."""

    def __init__(self, model: str, batch_size: int, nlp_processes: int = 1) -> None:
        super().__init__()
        self._model = model
        self._batch_size = batch_size
        self._nlp_processes = nlp_processes

    def expand(self, articles: PCollection) -> DoOutputsTuple:
        return (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=min(8, self._batch_size), max_batch_size=self._batch_size)
            | "Extract" >> beam.ParDo(self._extract_fn()).with_outputs(DEAD_LETTERS, main=MAIN)
        )

    def _extract_fn(self) -> ExtractEventsFn:
        if self._nlp_processes > 1:
            return PooledExtractEventsFn(self._model, self._nlp_processes)
        return ExtractEventsFn(self._model)
