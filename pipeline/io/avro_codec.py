"""Avro encoding of the output records, schemaless or in the Confluent wire format."""

from __future__ import annotations

import io
import struct
from typing import Any

import fastavro

from pipeline.errors import NewsEventsError
from pipeline.schemas import load_schema

CONFLUENT_MAGIC = b"\x00"


class EncodingError(NewsEventsError):
    """A record that does not fit its schema."""


class AvroCodec:
    """Encodes and decodes one schema; the schema is parsed once, here.

    With `confluent_schema_id`, values carry the Confluent wire header (magic byte and the
    4-byte schema id), which ksqlDB, Kafka Connect and Flink's avro-confluent format expect.
    """

    def __init__(self, schema_name: str, confluent_schema_id: int | None = None) -> None:
        self.schema_name = schema_name
        self._schema = load_schema(schema_name)
        self._header = b"" if confluent_schema_id is None else CONFLUENT_MAGIC + struct.pack(">I", confluent_schema_id)

    def encode(self, record: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        buffer.write(self._header)
        try:
            fastavro.schemaless_writer(buffer, self._schema, record, strict=True, strict_allow_default=True)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:
            raise EncodingError(f"{self.schema_name} record does not fit the schema: {err}") from err
        return buffer.getvalue()

    def decode(self, payload: bytes) -> dict[str, Any]:
        body = payload[5:] if self._header else payload
        record = fastavro.schemaless_reader(io.BytesIO(body), self._schema, None)
        if not isinstance(record, dict):
            raise EncodingError(f"payload is not a {self.schema_name} record")
        return record
