"""Avro container files, written per bundle and durable before the bundle ends.

Each bundle writes its records to files of its own, one per time window it has records for
(Kafka record time, or read time for archives), first under `<dir>/.inprogress/`. In
`finish_bundle` every file is flushed, fsynced and renamed to its final name in one atomic
step, so a file is either complete under its final name or not there at all. Only then does the
bundle succeed, and only after that does the reader commit the offsets the records came from
(the way Flink's file sink rolls a bulk-format part file on every checkpoint; here a bundle is
the checkpoint).

After a crash, records of unfinished bundles are read again from the last commit and written to
new files; the temporary files of processes that are gone are deleted when a writer starts.

Beam's `fileio.WriteToFiles` finalises files in a later stage, after a GroupByKey: on a local
runner a crash between the reader's commit and that stage lost the records, and in streaming on
FnApiRunner the stage never ran. (Its `avroio` sink also lost records on windowed input here.)
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Timestamp
from apache_beam.utils.windowed_value import WindowedValue
from fastavro.write import Writer

from pipeline.metrics import NAMESPACE
from pipeline.model import EncodedRecord
from pipeline.schemas import load_schema

LOGGER = logging.getLogger("newsevents.files")
INPROGRESS_DIR = ".inprogress"
_HOST = socket.gethostname()


def window_of(timestamp_s: float, window_seconds: int) -> tuple[int, int]:
    """The [start, end) window, in epoch seconds, that holds `timestamp_s`."""
    start = int(timestamp_s // window_seconds) * window_seconds
    return start, start + window_seconds


def final_name(prefix: str, window: tuple[int, int], file_id: str) -> str:
    """`events-2025-10-08T10:00:00-2025-10-08T10:05:00-<id>.avro`: sortable, globbable by window."""
    start, end = (datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S") for t in window)
    return f"{prefix}-{start}-{end}-{file_id}.avro"


def temp_name(file_id: str) -> str:
    """Carries the writing host and PID, so a later writer can tell an orphan from a live file."""
    return f"{_HOST}-{os.getpid()}-{file_id}.avro.tmp"


def is_orphan(name: str, host: str = _HOST) -> bool:
    """A temporary file left by a process of this host that no longer runs."""
    stem = name.removesuffix(".avro.tmp")
    if stem == name:
        return False
    writer, _, _ = stem.rpartition("-")
    file_host, _, pid = writer.rpartition("-")
    if file_host != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def sweep_orphans(directory: str) -> int:
    """Delete the temporary files of dead writers of this host; returns how many."""
    inprogress = FileSystems.join(directory, INPROGRESS_DIR)
    if not os.path.isdir(inprogress):
        return 0  # nothing written here yet (or not a local directory)
    removed = 0
    for name in os.listdir(inprogress):
        if is_orphan(name):
            os.remove(os.path.join(inprogress, name))
            removed += 1
    if removed:
        LOGGER.warning(
            "removed %d unfinished file(s) of a stopped run in %s (their records are read again)", removed, inprogress
        )
    return removed


@dataclass
class _OpenFile:
    window: tuple[int, int]
    file_id: str
    temp_path: str
    handle: IO[bytes]
    writer: Writer
    records: int = 0


class WriteAvroFilesFn(beam.DoFn):
    """Writes each bundle's records to its own files; emits one count per bundle."""

    def __init__(self, output_dir: str, prefix: str, schema_name: str, window_seconds: int) -> None:
        self._output_dir = output_dir
        self._prefix = prefix
        self._schema_name = schema_name
        self._window_seconds = window_seconds
        self._records = Metrics.counter(NAMESPACE, f"{schema_name}_records_written_files")
        self._files = Metrics.counter(NAMESPACE, "files_written")

    def setup(self) -> None:
        self._schema = load_schema(self._schema_name)
        for directory in (self._output_dir, FileSystems.join(self._output_dir, INPROGRESS_DIR)):
            _ensure_directory(directory)
        sweep_orphans(self._output_dir)

    def start_bundle(self) -> None:
        self._open: dict[tuple[int, int], _OpenFile] = {}

    def process(self, record: EncodedRecord, timestamp: Timestamp = beam.DoFn.TimestampParam) -> None:  # type: ignore[assignment]
        window = window_of(_seconds(timestamp), self._window_seconds)
        file = self._open.get(window) or self._start_file(window)
        file.writer.write(record.record)
        file.records += 1

    def finish_bundle(self) -> Iterator[WindowedValue]:
        written = 0
        for file in self._open.values():
            self._publish(file)
            written += file.records
        self._open = {}
        if written:
            self._records.inc(written)
            yield WindowedValue(written, MIN_TIMESTAMP, (GlobalWindow(),))

    def teardown(self) -> None:
        # A bundle that failed leaves its temporary files; they are not data (the records
        # are read again), so remove them while the process still knows them.
        for file in getattr(self, "_open", {}).values():
            file.handle.close()
            FileSystems.delete([file.temp_path])

    def _start_file(self, window: tuple[int, int]) -> _OpenFile:
        file_id = uuid.uuid4().hex[:16]
        temp_path = FileSystems.join(self._output_dir, INPROGRESS_DIR, temp_name(file_id))
        handle = FileSystems.create(temp_path)
        file = _OpenFile(window, file_id, temp_path, handle, Writer(handle, self._schema, codec="deflate"))
        self._open[window] = file
        return file

    def _publish(self, file: _OpenFile) -> None:
        file.writer.flush()
        file.handle.flush()
        _fsync(file.handle)
        file.handle.close()
        final_path = FileSystems.join(self._output_dir, final_name(self._prefix, file.window, file.file_id))
        FileSystems.rename([file.temp_path], [final_path])
        _fsync_directory(self._output_dir)
        self._files.inc()


# Record times outside what a file name can show (no timestamp, or Beam's end of time) are
# filed under the epoch window rather than failing the bundle.
_LAST_NAMEABLE_S = 253_402_300_799  # 9999-12-31T23:59:59Z


def _ensure_directory(path: str) -> None:
    """Create `path` unless it exists; several workers may race to create the same one."""
    if FileSystems.exists(path):
        return
    try:
        FileSystems.mkdirs(path)
    except OSError:  # Beam's mkdirs raises when another worker made it first
        if not FileSystems.exists(path):
            raise


def _seconds(timestamp: Any) -> float:
    if not isinstance(timestamp, Timestamp):
        return 0.0
    seconds = float(timestamp.micros) / 1e6
    return seconds if 0 <= seconds <= _LAST_NAMEABLE_S - 86_400 else 0.0


def _fsync(handle: IO[bytes]) -> None:
    """On a local disk, force the bytes down; other file systems make a closed file durable."""
    try:
        fileno = handle.fileno()
    except (AttributeError, OSError, ValueError):
        return
    os.fsync(fileno)


def _fsync_directory(directory: str) -> None:
    if not os.path.isdir(directory):
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class WriteAvroFiles(beam.PTransform[PCollection[EncodedRecord], PCollection[int]]):
    """EncodedRecords -> `<output_dir>/<prefix>-<window>-<id>.avro`; outputs per-bundle counts."""

    def __init__(self, output_dir: str, prefix: str, schema_name: str, window_seconds: int) -> None:
        super().__init__()
        self._fn = WriteAvroFilesFn(output_dir, prefix, schema_name, window_seconds)

    def expand(self, records: PCollection) -> PCollection:
        return records | beam.ParDo(self._fn)
