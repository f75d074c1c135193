"""Backfill archives: JSONL, JSONL.gz, JSON and Avro container files of articles."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import IO, cast

import apache_beam as beam
import fastavro
from apache_beam.io import fileio
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import DoOutputsTuple, PBegin, TaggedOutput

from pipeline.errors import ErrorKind
from pipeline.metrics import ARTICLES_READ, NAMESPACE
from pipeline.model import DeadLetter, Provenance, RawRecord, Stage
from pipeline.stopping import StopFile
from pipeline.transforms.common import DEAD_LETTERS, MAIN, DeadLetterFactory, now_ms

ARCHIVE_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".avro")


class ArchiveError(Exception):
    """A file that cannot be read at all (bad gzip, bad Avro container, unknown suffix)."""


def iter_archive(path: str, handle: IO[bytes]) -> Iterator[RawRecord]:
    """Raw records of one archive, each with its path and 1-based line (or record) number.

    Avro records are re-encoded as JSON so that they decode (and dead-letter) like JSON input.
    """
    read_time = now_ms()
    name = path.lower()
    try:
        if name.endswith((".jsonl.gz", ".ndjson.gz")):
            yield from _lines(path, cast(IO[bytes], gzip.GzipFile(fileobj=handle)), read_time)
        elif name.endswith((".jsonl", ".ndjson")):
            yield from _lines(path, handle, read_time)
        elif name.endswith(".json"):
            yield from _json_document(path, handle.read(), read_time)
        elif name.endswith(".avro"):
            for number, record in enumerate(fastavro.reader(handle), start=1):
                payload = json.dumps(record, default=str, ensure_ascii=False).encode()
                yield RawRecord(payload, Provenance.archive(path, number), None, read_time)
        else:
            raise ArchiveError(f"unknown archive type (expected one of {', '.join(ARCHIVE_SUFFIXES)})")
    except (OSError, EOFError, zlib.error, ValueError) as err:
        raise ArchiveError(f"cannot read {path}: {err}") from err


def _lines(path: str, stream: IO[bytes], read_time: int) -> Iterator[RawRecord]:
    for number, line in enumerate(stream, start=1):
        payload = line.rstrip(b"\r\n")
        if payload.strip():
            yield RawRecord(payload, Provenance.archive(path, number), None, read_time)


def _json_document(path: str, data: bytes, read_time: int) -> Iterator[RawRecord]:
    """A .json file holds one article or a list of them; a broken file is one record."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        yield RawRecord(data, Provenance.archive(path, 1), None, read_time)
        return
    items = document if isinstance(document, list) else [document]
    for number, item in enumerate(items, start=1):
        yield RawRecord(
            json.dumps(item, ensure_ascii=False).encode(), Provenance.archive(path, number), None, read_time
        )


class ReadArchiveFn(beam.DoFn):
    """Records of each matched file; after a stop request, reads no further record."""

    def __init__(self, stop_path: str | None = None) -> None:
        self._stop = StopFile(stop_path)
        self._read = Metrics.counter(NAMESPACE, ARTICLES_READ)
        self._dead_letter = DeadLetterFactory(Stage.READ)

    def process(self, readable: fileio.ReadableFile) -> Iterator[RawRecord | TaggedOutput[str, DeadLetter]]:
        path = readable.metadata.path
        try:
            with readable.open(compression_type=beam.io.filesystem.CompressionTypes.UNCOMPRESSED) as handle:
                for record in iter_archive(path, handle):
                    if self._stop.requested():
                        return
                    yield record
        except ArchiveError as err:
            # Counted as one article read and dead-lettered, so the books still balance.
            self._read.inc()
            raw = RawRecord(str(err).encode(), Provenance.archive(path, 0))
            letter: DeadLetter = self._dead_letter(raw, ErrorKind.UNREADABLE_ARCHIVE, str(err))
            yield TaggedOutput(DEAD_LETTERS, letter)


class ReadArchives(beam.PTransform[PBegin, DoOutputsTuple]):
    """Glob -> RawRecords (`main`) and unreadable files as dead letters (`dead_letters`)."""

    def __init__(self, pattern: str, stop_path: str | None = None) -> None:
        super().__init__()
        self._pattern = pattern
        self._stop_path = stop_path

    def expand(self, pbegin: PBegin) -> DoOutputsTuple:
        return (
            pbegin
            | "Match" >> fileio.MatchFiles(self._pattern)
            | "Open" >> fileio.ReadMatches()
            | "Read" >> beam.ParDo(ReadArchiveFn(self._stop_path)).with_outputs(DEAD_LETTERS, main=MAIN)
        )
