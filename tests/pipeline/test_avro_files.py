"""The Avro file sink: every record reaches a final file, a file is whole or absent, and the
temporary files of a dead writer do not outlive it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
import fastavro
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MAX_TIMESTAMP
from pipeline.io.avro_files import INPROGRESS_DIR, WriteAvroFiles, final_name, is_orphan, sweep_orphans, temp_name
from pipeline.model import DeadLetter, EncodedRecord, Provenance, RawRecord, Stage
from pipeline.records import dead_letter_record
from pipeline.runner import pipeline_options


def letter(i: int) -> EncodedRecord:
    record = dead_letter_record(
        DeadLetter(RawRecord(f"p{i}".encode(), Provenance.kafka("t", i % 3, i)), Stage.DECODE, "x", "m", i), 1024
    )
    return EncodedRecord(b"k", b"", record)


def payloads(directory: Path) -> list[bytes]:
    found: list[bytes] = []
    for path in directory.glob("dead-letter-*.avro"):
        with path.open("rb") as handle:
            found += [r["raw_payload"] for r in fastavro.reader(handle)]  # type: ignore[index]
    return found


def test_every_record_reaches_a_final_file_named_by_its_window(tmp_path: Path, beam_options: PipelineOptions) -> None:
    count = 2000
    # Windows start at multiples of their size since the epoch; 1_759_999_800 is 2025-10-09T08:50:00Z.
    stamped = [TimestampedValue(letter(i), 1_759_999_800 + (i % 4) * 300 + 7) for i in range(count)]
    with TestPipeline(options=beam_options) as p:
        _ = p | beam.Create(stamped) | WriteAvroFiles(str(tmp_path), "dead-letter", "dead_letter", 300)
    assert sorted(payloads(tmp_path)) == sorted(f"p{i}".encode() for i in range(count))
    spans = {path.name[len("dead-letter-") : -len("-0123456789abcdef.avro")] for path in tmp_path.glob("*.avro")}
    assert spans == {
        "2025-10-09T08:50:00-2025-10-09T08:55:00",
        "2025-10-09T08:55:00-2025-10-09T09:00:00",
        "2025-10-09T09:00:00-2025-10-09T09:05:00",
        "2025-10-09T09:05:00-2025-10-09T09:10:00",
    }
    assert list((tmp_path / INPROGRESS_DIR).iterdir()) == []


def test_a_record_stamped_at_the_end_of_time_is_filed_not_fatal(tmp_path: Path) -> None:
    with TestPipeline(options=pipeline_options([], streaming=False)) as p:
        _ = (
            p
            | beam.Create([TimestampedValue(letter(1), MAX_TIMESTAMP)])
            | WriteAvroFiles(str(tmp_path), "dead-letter", "dead_letter", 300)
        )
    assert payloads(tmp_path) == [b"p1"]
    assert [p.name.startswith("dead-letter-1970-01-01T00:00:00") for p in tmp_path.glob("*.avro")] == [True]


def test_file_names_sort_by_window() -> None:
    names = [final_name("events", (start, start + 300), "ab") for start in (1_759_999_800, 1_759_999_500)]
    assert names == [
        "events-2025-10-09T08:50:00-2025-10-09T08:55:00-ab.avro",
        "events-2025-10-09T08:45:00-2025-10-09T08:50:00-ab.avro",
    ]
    assert sorted(names) == names[::-1]


def test_only_the_temporary_files_of_dead_writers_are_swept(tmp_path: Path) -> None:
    inprogress = tmp_path / INPROGRESS_DIR
    inprogress.mkdir()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    mine = temp_name("live")
    dead = mine.replace(f"-{os.getpid()}-live", f"-{dead_pid}-gone")
    other_host = f"elsewhere-{dead_pid}-x.avro.tmp"
    for name in (mine, dead, other_host, "notes.txt"):
        (inprogress / name).write_bytes(b"partial")
    assert is_orphan(dead) and not is_orphan(mine) and not is_orphan(other_host) and not is_orphan("notes.txt")
    assert sweep_orphans(str(tmp_path)) == 1
    assert sorted(p.name for p in inprogress.iterdir()) == sorted([mine, other_host, "notes.txt"])
