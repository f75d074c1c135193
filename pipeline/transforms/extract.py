"""ExtractEvents: articles -> (article, events), batched through spaCy once per worker."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PCollection, TaggedOutput

from pipeline.errors import ErrorKind
from pipeline.metrics import EVENTS_EXTRACTED, NAMESPACE
from pipeline.model import Article, DeadLetter, Stage
from pipeline.nlp.extractor import EventExtractor
from pipeline.nlp.types import ArticleText, ExtractedEvent
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


class ExtractEventsFn(beam.DoFn):
    """Loads the spaCy model once per worker (in `setup`) and extracts a batch at a time."""

    def __init__(self, model: str) -> None:
        self._model = model
        self._events = Metrics.counter(NAMESPACE, EVENTS_EXTRACTED)
        self._dead_letter = DeadLetterFactory(Stage.EXTRACT)

    def setup(self) -> None:
        self._extractor = EventExtractor.load(self._model)
        self._version = self._extractor.version

    def process(self, batch: Sequence[Article]) -> Iterator[ArticleEvents | TaggedOutput[str, DeadLetter]]:
        try:
            results = self._extractor.extract_batch([article_text(a) for a in batch])
        except Exception:  # noqa: BLE001 - isolate the article that broke the batch, below
            results = None
        for index, article in enumerate(batch):
            try:
                events = results[index] if results is not None else self._extractor.extract(article_text(article))
            except Exception as err:  # noqa: BLE001 - any extractor bug becomes a dead letter, never a lost article
                yield TaggedOutput(
                    DEAD_LETTERS,
                    self._dead_letter(
                        article.raw, ErrorKind.EXTRACTION_FAILED, f"{type(err).__name__}: {err}", article.id
                    ),
                )
                continue
            self._events.inc(len(events))
            yield ArticleEvents(article, tuple(events), self._version)


class ExtractEvents(beam.PTransform[PCollection[Article], DoOutputsTuple]):
    """Outputs `main` (ArticleEvents) and `dead_letters`."""

    def __init__(self, model: str, batch_size: int) -> None:
        super().__init__()
        self._model = model
        self._batch_size = batch_size

    def expand(self, articles: PCollection) -> DoOutputsTuple:
        return (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=min(8, self._batch_size), max_batch_size=self._batch_size)
            | "Extract" >> beam.ParDo(ExtractEventsFn(self._model)).with_outputs(DEAD_LETTERS, main=MAIN)
        )
