"""A Confluent-compatible schema registry: our schemas registered at start, writers' schemas
looked up by id to decode registry-framed records.

Subjects follow the TopicNameStrategy (`<topic>-value`), the default of Kafka Connect's
AvroConverter, ksqlDB and Flink's `avro-confluent`. A subject we create gets BACKWARD
compatibility, so a schema change that would break readers of older records fails at
registration; a subject that exists keeps the compatibility its owners chose.
"""

from __future__ import annotations

import io
import json
import logging
import struct
import threading
import time
from collections.abc import Mapping
from typing import Any

import fastavro
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

from pipeline.errors import ErrorKind, FatalRunError, InvalidRecord, UserError
from pipeline.io.avro_codec import CONFLUENT_MAGIC
from pipeline.io.outage import OutageClock
from pipeline.schemas import schema_json

LOGGER = logging.getLogger("newsevents.registry")
COMPATIBILITY = "BACKWARD"
_NOT_FOUND = (40401, 40403, 404)  # subject, schema id, generic


def subject_for(topic: str) -> str:
    return f"{topic}-value"


def registry_client(url: str) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": url, "timeout": 10})


class RegistryUnavailable(FatalRunError):
    """The registry did not answer for longer than the outage limit."""


def register_schemas(url: str, schemas: Mapping[str, str]) -> dict[str, int]:
    """Register `schemas/<name>.avsc` under `<topic>-value` for each topic -> name; returns the
    id the registry assigned per topic.

    Raises:
        UserError: the registry is unreachable, or refused a schema (incompatible change).
    """
    client = registry_client(url)
    ids: dict[str, int] = {}
    for topic, name in schemas.items():
        subject = subject_for(topic)
        schema = Schema(json.dumps(schema_json(name)), "AVRO")
        try:
            if not _subject_exists(client, subject):
                client.set_compatibility(subject_name=subject, level=COMPATIBILITY)
            ids[topic] = client.register_schema(subject, schema)
        except SchemaRegistryError as err:
            if err.http_status_code == 409:
                raise UserError(
                    f"schemas/{name}.avsc is not compatible with the schemas already under '{subject}' in the "
                    f"registry at {url} ({_brief(err)}); a change must let readers of the new schema read old "
                    "records: give new fields defaults, and do not remove or rename fields or enum symbols"
                ) from None
            raise UserError(f"the schema registry at {url} refused '{subject}': {_brief(err)}") from None
        except Exception as err:  # noqa: BLE001 - httpx and socket errors: the registry is not there
            raise UserError(f"cannot reach the schema registry at {url}: {type(err).__name__}: {err}") from None
        LOGGER.info("schema %s registered under %s with id %d", name, subject, ids[topic])
    return ids


def _subject_exists(client: SchemaRegistryClient, subject: str) -> bool:
    try:
        client.get_versions(subject)
    except SchemaRegistryError as err:
        if err.error_code in _NOT_FOUND or err.http_status_code == 404:
            return False
        raise
    return True


def schema_id_of(payload: bytes) -> int | None:
    """The schema id of a registry-framed value, or None when it carries no wire header."""
    if len(payload) < 5 or payload[:1] != CONFLUENT_MAGIC:
        return None
    return int(struct.unpack(">I", payload[1:5])[0])


class WriterSchemas:
    """Writers' schemas by id, fetched once per process and kept (ids never change meaning).

    A registry that does not answer is retried for up to `outage_limit_s`, then the run fails:
    records must not become dead letters because a service was briefly down.
    """

    def __init__(self, url: str, outage_limit_s: float = 300.0) -> None:
        self.url = url
        self._outage_limit_s = outage_limit_s
        self._client: SchemaRegistryClient | None = None
        self._parsed: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # picklable for Beam: the client is made per process
        return {"url": self.url, "outage_limit_s": self._outage_limit_s}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"], state["outage_limit_s"])  # type: ignore[misc]

    def get(self, schema_id: int) -> Any:
        """The parsed writer schema of `schema_id`.

        Raises:
            InvalidRecord: the registry has no schema with that id, or it is not Avro.
            RegistryUnavailable: no answer within the outage limit.
        """
        with self._lock:
            if schema_id not in self._parsed:
                self._parsed[schema_id] = self._fetch(schema_id)
            return self._parsed[schema_id]

    def _fetch(self, schema_id: int) -> Any:
        if self._client is None:
            self._client = registry_client(self.url)
        outage = OutageClock(
            self._outage_limit_s,
            f"reading schema id {schema_id}",
            self.url,
            service="the schema registry",
            error=RegistryUnavailable,
        )
        while True:
            try:
                schema = self._client.get_schema(schema_id)
                break
            except SchemaRegistryError as err:
                if err.http_status_code == 404:
                    raise InvalidRecord(
                        ErrorKind.UNKNOWN_SCHEMA, f"schema id {schema_id} is not in the registry at {self.url}"
                    ) from None
                time.sleep(outage.failed(err))
            except Exception as err:  # noqa: BLE001 - httpx and socket errors: waited out
                time.sleep(outage.failed(err))
        outage.ok()
        if (schema.schema_type or "AVRO") != "AVRO":
            raise InvalidRecord(ErrorKind.UNKNOWN_SCHEMA, f"schema id {schema_id} is {schema.schema_type}, not Avro")
        try:
            return fastavro.parse_schema(json.loads(schema.schema_str or ""))
        except (ValueError, fastavro.schema.SchemaParseException) as err:
            raise InvalidRecord(ErrorKind.UNKNOWN_SCHEMA, f"schema id {schema_id} does not parse: {err}") from None

    def decode(self, payload: bytes, reader_schema: Any) -> Any:
        """A registry-framed value, read with its writer's schema into `reader_schema`.

        Raises:
            InvalidRecord: no wire header, an unknown id, or bytes that do not fit the schema.
        """
        schema_id = schema_id_of(payload)
        if schema_id is None:
            raise InvalidRecord(ErrorKind.INVALID_AVRO, "payload lacks the Confluent wire-format header")
        writer = self.get(schema_id)
        return fastavro.schemaless_reader(io.BytesIO(payload[5:]), writer, reader_schema)


def _brief(err: SchemaRegistryError) -> str:
    return " ".join(str(err.error_message or err).split())[:400]
