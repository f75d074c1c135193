"""Avro container files through `fileio.WriteToFiles` and a fastavro sink.

(`avroio.WriteToAvro` was seen losing records on windowed, unbounded input here; this sink
wrote every record in the same test.)
"""

from __future__ import annotations

from typing import IO, Any

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.pvalue import PCollection
from fastavro.write import Writer

from pipeline.model import EncodedRecord
from pipeline.schemas import load_schema


class AvroFileSink(fileio.FileSink):
    """Writes records of one schema, deflate-compressed, to one file."""

    def __init__(self, schema_name: str) -> None:
        self._schema_name = schema_name
        self._writer: Writer | None = None

    def open(self, file_handle: IO[bytes]) -> None:
        self._writer = Writer(file_handle, load_schema(self._schema_name), codec="deflate")

    def write(self, record: dict[str, Any]) -> None:
        assert self._writer is not None
        self._writer.write(record)

    def flush(self) -> None:
        assert self._writer is not None
        self._writer.flush()


class _SinkFactory:
    """Picklable `sink` argument for WriteToFiles: one fresh sink per destination."""

    def __init__(self, schema_name: str) -> None:
        self._schema_name = schema_name

    def __call__(self, destination: object) -> AvroFileSink:
        return AvroFileSink(self._schema_name)


class WriteAvroFiles(beam.PTransform[PCollection[EncodedRecord], PCollection[Any]]):
    """EncodedRecords -> `<output_dir>/<prefix>-*.avro`; outputs the written files' results."""

    def __init__(self, output_dir: str, prefix: str, schema_name: str) -> None:
        super().__init__()
        self._output_dir = output_dir
        self._prefix = prefix
        self._schema_name = schema_name

    def expand(self, records: PCollection) -> PCollection:
        return (
            records
            | "ToRecord" >> beam.Map(lambda encoded: encoded.record if isinstance(encoded, EncodedRecord) else encoded)
            | "Write"
            >> fileio.WriteToFiles(
                path=self._output_dir,
                file_naming=fileio.default_file_naming(prefix=self._prefix, suffix=".avro"),
                sink=_SinkFactory(self._schema_name),
            )
        )
