"""The Avro file sink loses nothing (Beam's avroio was seen dropping records here)."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam
import fastavro
from apache_beam.testing.test_pipeline import TestPipeline
from pipeline.io.avro_files import WriteAvroFiles
from pipeline.model import DeadLetter, EncodedRecord, Provenance, RawRecord, Stage
from pipeline.records import dead_letter_record
from pipeline.runner import pipeline_options


def letter(i: int) -> EncodedRecord:
    record = dead_letter_record(
        DeadLetter(RawRecord(f"p{i}".encode(), Provenance.kafka("t", i % 3, i)), Stage.DECODE, "x", "m", i)
    )
    return EncodedRecord(b"k", b"", record)


def test_every_record_reaches_the_files(tmp_path: Path) -> None:
    count = 2000
    with TestPipeline(options=pipeline_options([], streaming=False)) as p:
        _ = (
            p
            | beam.Create([letter(i) for i in range(count)])
            | WriteAvroFiles(str(tmp_path), "dead-letter", "dead_letter")
        )
    payloads = []
    for path in tmp_path.glob("dead-letter-*.avro"):
        with path.open("rb") as handle:
            payloads += [r["raw_payload"] for r in fastavro.reader(handle)]  # type: ignore[index]
    assert sorted(payloads) == sorted(f"p{i}".encode() for i in range(count))
