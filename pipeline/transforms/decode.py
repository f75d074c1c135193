"""DecodeArticles: raw records -> validated articles, or dead letters with the reason."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PCollection, TaggedOutput

from pipeline.articles import InputFormat, decode_article
from pipeline.errors import ErrorKind, FatalRunError, InvalidRecord
from pipeline.io.registry import WriterSchemas
from pipeline.metrics import ARTICLES_READ, NAMESPACE
from pipeline.model import Article, DeadLetter, RawRecord, Stage
from pipeline.transforms.common import DEAD_LETTERS, MAIN, DeadLetterFactory, now_ms


class DecodeArticleFn(beam.DoFn):
    def __init__(self, input_format: InputFormat, max_body_chars: int, registry: WriterSchemas | None) -> None:
        self._input_format: InputFormat = input_format
        self._max_body_chars = max_body_chars
        self._registry = registry
        self._read = Metrics.counter(NAMESPACE, ARTICLES_READ)
        self._dead_letter = DeadLetterFactory(Stage.DECODE)

    def process(self, raw: RawRecord) -> Iterator[Article | TaggedOutput[str, DeadLetter]]:
        self._read.inc()
        try:
            yield decode_article(
                raw,
                input_format=self._input_format,
                max_body_chars=self._max_body_chars,
                now_ms=now_ms(),
                framed_reader=self._registry.decode if self._registry is not None else None,
            )
        except InvalidRecord as err:
            yield TaggedOutput(DEAD_LETTERS, self._dead_letter(raw, err.kind, err.message, err.article_id))
        except FatalRunError:
            raise  # the registry is down: the input is fine, the bundle fails and is read again
        except Exception as err:  # noqa: BLE001 - a decoder bug on one input must not stop the stream
            message = f"{type(err).__name__}: {err}"
            yield TaggedOutput(DEAD_LETTERS, self._dead_letter(raw, ErrorKind.DECODE_FAILED, message))


class DecodeArticles(beam.PTransform[PCollection[RawRecord], DoOutputsTuple]):
    """Outputs `main` (Article) and `dead_letters` (DeadLetter). With `registry`, Avro inputs
    in the Confluent wire format are read with the schema their writer registered."""

    def __init__(self, input_format: InputFormat, max_body_chars: int, registry: WriterSchemas | None = None) -> None:
        super().__init__()
        self._fn = DecodeArticleFn(input_format, max_body_chars, registry)

    def expand(self, records: PCollection) -> DoOutputsTuple:
        return records | beam.ParDo(self._fn).with_outputs(DEAD_LETTERS, main=MAIN)
