"""Beam steps on the local runner, with TestPipeline and assert_that."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from pipeline.model import EncodedRecord, Provenance, RawRecord
from pipeline.transforms.aggregate import NewestFiringOnlyFn
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


def _firing(key: str, pane_index: int) -> tuple[str, EncodedRecord]:
    record = {"key": key, "pane_index": pane_index, "window_end": 3_600_000}
    return key, EncodedRecord(key.encode(), f"{key}@{pane_index}".encode(), record)


def test_a_firing_that_reaches_the_sink_after_a_newer_one_of_its_key_is_left_out(
    beam_options: PipelineOptions,
) -> None:
    # Two keys, each with a stale firing arriving after a newer one (as two bundles of the
    # firing stage may finish in either order): only firings newer than the last let through
    # reach the sinks, so the topic's last record of each key holds its newest count.
    arrivals = [_firing("a", 0), _firing("a", 2), _firing("b", 1), _firing("a", 1), _firing("b", 0), _firing("a", 3)]
    with TestPipeline(options=beam_options) as p:
        passed = (
            p
            | beam.Create(arrivals, reshuffle=False)
            | beam.ParDo(NewestFiringOnlyFn(expiry_s=60))
            | beam.Map(lambda encoded: encoded.value.decode())
        )
        assert_that(passed, equal_to(["a@0", "a@2", "a@3", "b@1"]))
