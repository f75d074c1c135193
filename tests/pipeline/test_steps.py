"""Beam steps on the local runner, with TestPipeline and assert_that."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from pipeline.model import Provenance, RawRecord
from pipeline.transforms.common import DEAD_LETTERS, MAIN
from pipeline.transforms.decode import DecodeArticles


def raw(payload: bytes, line: int) -> RawRecord:
    return RawRecord(payload, Provenance.archive("t.jsonl", line))


def test_decode_splits_articles_from_dead_letters(beam_options: PipelineOptions) -> None:
    records = [
        raw(b'{"id": "ok-1", "body": "Talks resumed."}', 1),
        raw(b"garbage", 2),
        raw(b'{"id": "ok-2", "body": "Jets struck.", "published_at": "2025-10-08T00:00:00Z"}', 3),
        raw(b'{"id": "no-body"}', 4),
    ]
    with TestPipeline(options=beam_options) as p:
        outputs = p | beam.Create(records) | DecodeArticles("json", 10_000)
        assert_that(outputs[MAIN] | "Ids" >> beam.Map(lambda a: a.id), equal_to(["ok-1", "ok-2"]), label="articles")
        assert_that(
            outputs[DEAD_LETTERS] | "Reasons" >> beam.Map(lambda d: (d.raw.provenance.line, d.stage.value, d.kind)),
            equal_to([(2, "DECODE", "invalid_json"), (4, "DECODE", "missing_field")]),
            label="dead letters",
        )
